"""Every string the schema takes, damaged every way a pipeline or an attacker would: refused with its key path, or rendered clean.

The string fields come from the schema's own type hints (tests/support/fuzz.string_paths),
not a hand-kept list, in every base config that has them; map entries (labels,
annotations, selectors, flinkConfiguration) are damaged in their keys and values. The
damage: leading and trailing whitespace, a trailing newline, CRLF, an inner newline, a
tab, NUL, zero-width and line-separator characters, and a very long value. The promise:
a ConfigError whose problems name the damaged key, or objects that pass the strict
OpenAPI schema and the API server's validation rules (tests/support/api_validation.py)
with no control character outside file content; never another exception.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.fuzz import Path, check_example, path_text, string_examples, string_paths
from tests.support.kube_schema import KUBERNETES_VERSIONS

EXAMPLES = string_examples()


def test_the_string_fields_are_found_from_the_schema() -> None:
    paths = {path for path, _ in string_paths()}
    for expected in (("name",), ("namespace",), ("image",), ("ingress", "host"), ("scheduling", "priorityClassName")):
        assert expected in paths
    assert ("metrics", "podMonitorLabels") in {path for path, is_map in string_paths() if is_map}
    assert ("scheduling", "tolerations", 0, "key") in paths
    assert len(EXAMPLES) > 500


@pytest.mark.parametrize(("base", "path", "damage", "config"), EXAMPLES, ids=lambda v: v if isinstance(v, str) else None)
def test_a_damaged_string_is_refused_at_its_key_or_rendered_clean(
    base: str, path: Path, damage: str, config: dict[str, Any]
) -> None:
    del base, damage  # in the test id
    check_example(path, config, KUBERNETES_VERSIONS[:1])
    assert path_text(path)
