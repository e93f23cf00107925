"""Helpers shared by more than one test tier: stack config, Kubernetes, Flink on loopback, the local cluster."""
