"""Entry point: the program is `two_clusters.py` (type-checked as a module of its own).

`components` is vendored beside this file (here, a link to the repository's own): Pulumi
runs the cluster's dynamic resources (jobs, the scaling guard, HA metadata) in a Python
process started in this directory, which imports their providers from `components`
(docs/using-the-component.md).
"""

import two_clusters

two_clusters.main()
