"""The Pulumi-facing layer: the FlinkSessionCluster component, its objects as resources, the component package."""
