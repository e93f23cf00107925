"""flink-session: a Flink session cluster on Kubernetes as a Pulumi component.

The package is split so that everything except ``cluster.py`` is pure Python
(no Pulumi import): settings in, Flink configuration and Kubernetes manifests
out. Import the component from ``components.cluster``.
"""
