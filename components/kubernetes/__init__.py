"""Kubernetes' own rules: quantities and the syntax of names, labels and CIDRs."""
