"""Session jobs as code: a Flink job on a session cluster as a Pulumi resource (`FlinkSessionJob`).

`rest.py` talks to Flink's REST API, `provider.py` is the dynamic provider (lifecycle and
upgrade modes), `resource.py` the resource a program creates.
"""
