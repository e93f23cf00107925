"""The resolved model: frozen values of a session cluster, and the names, ports, paths and bounds every layer uses."""
