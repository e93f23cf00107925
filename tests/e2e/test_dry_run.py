"""What the program accepts, the real kube-apiserver accepts: a server-side dry run of many accepted configs.

The configs come from the property test of every schema string (tests/support/fuzz:
each base, each string field damaged every way): of those the program accepts, a sample
of at least 200 spread over every field and damage is rendered and sent to the API server
as `kubectl apply --server-side --dry-run=server`, one config at a time (its namespaces
created for real first, as a dry run creates nothing). None may be refused, and every
field of the schema's strings must be among what was sent.
"""

from __future__ import annotations

import json
from typing import Any

from components.errors import ConfigError
from components.manifests.objects import cluster_objects
from components.model.cluster import Sensitive, replace_sensitive
from components.resolution import parse_stack_config
from tests.support.fuzz import string_examples
from tests.support.kube import Kube

SAMPLE = 200


def _accepted() -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(field, label, manifests) of every string example the program accepts."""
    found = []
    for base, path, damage, config in string_examples():
        try:
            resolutions = parse_stack_config(config)
        except ConfigError:
            continue
        manifests = [
            replace_sensitive(item.manifest, Sensitive.reveal)
            for resolution in resolutions
            for item in cluster_objects(resolution.cluster)
        ]
        field = ".".join(map(str, path))
        found.append((field, f"{base} {field} {damage}", manifests))
    return found


def _sample(accepted: list[tuple[str, str, list[dict[str, Any]]]]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """At least SAMPLE of them, taken in turn from each field, so every field that has an accepted example is sent."""
    by_field: dict[str, list[tuple[str, str, list[dict[str, Any]]]]] = {}
    for example in accepted:
        by_field.setdefault(example[0], []).append(example)
    sample: list[tuple[str, str, list[dict[str, Any]]]] = []
    round_ = 0
    while len(sample) < SAMPLE or round_ == 0:
        taken = [examples[round_] for examples in by_field.values() if len(examples) > round_]
        if not taken:
            break
        sample += taken
        round_ += 1
    return sample


def test_a_sample_of_accepted_configs_is_accepted_by_the_api_server(kube: Kube) -> None:
    accepted = _accepted()
    sample = _sample(accepted)
    assert len(sample) >= SAMPLE, len(sample)
    assert {field for field, _, _ in sample} == {field for field, _, _ in accepted}
    namespaces = sorted({str(m["metadata"].get("namespace")) for _, _, manifests in sample for m in manifests} - {"None"})
    for namespace in namespaces:
        kube.run("create", "namespace", namespace, check=False)
    refused = []
    try:
        for _, label, objects in sample:
            result = kube.run(
                "apply",
                "--server-side",
                "--dry-run=server",
                "--force-conflicts",
                "-f",
                "-",
                stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}),
                check=False,
            )
            if result.returncode != 0:
                refused.append(f"{label}: {result.stderr.strip()[:500]}")
    finally:
        # Gone before the next test, which may create a namespace of the same name.
        kube.run("delete", "namespace", *namespaces, "--wait=true", "--timeout=300s", check=False)
    assert not refused, f"{len(refused)} of {len(sample)} accepted configs refused by the API server:\n" + "\n".join(refused[:20])
