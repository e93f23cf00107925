"""Flink's own rules: the memory model, the JVM, state storage, the options the component owns, config.yaml."""
