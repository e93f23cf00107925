"""The committed stack files (`stacks/Pulumi.<stack>.yaml`): the project's config as the program receives it.

The one reader for the offline renderer, the tests and the benchmarks: the
`flink-session:*` keys without the project prefix, with every `secure:` value either
decrypted with the example passphrase (as the CLI hands it to the program) or
replaced by a placeholder (in output that a reviewer reads). Decrypting needs
`cryptography`, a development dependency; redacting needs nothing beyond PyYAML.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import yaml

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "flink-session"
# The committed stacks, in promotion order.
STACKS = ("dev", "staging", "prod")
# Only the example credentials in stacks/ use it; real stacks set their own (docs/high-availability.md#secrets).
EXAMPLE_PASSPHRASE = "flink-session-example"
REDACTED = "<redacted>"


class UnknownStackError(ValueError):
    """No stack file of that name; the message lists the stacks there are."""


def stack_names(root: Path = ROOT) -> list[str]:
    return sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (root / "stacks").glob("Pulumi.*.yaml"))


def read_stack_file(stack: str, root: Path = ROOT) -> dict[str, Any]:
    path = root / "stacks" / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        raise UnknownStackError(f"no stack file {path.relative_to(root)}; stacks: {', '.join(stack_names(root))}")
    data: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
    return data


def map_secure(value: Any, replace: Callable[[str], Any]) -> Any:
    """The config value with every `{secure: <ciphertext>}` replaced by `replace(<ciphertext>)`."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return replace(value["secure"])
        return {k: map_secure(v, replace) for k, v in value.items()}
    if isinstance(value, list):
        return [map_secure(v, replace) for v in value]
    return value


def stack_config(stack: str, *, secrets: Literal["reveal", "redact"] = "reveal", root: Path = ROOT) -> dict[str, Any]:
    """The project's config of a stack file, keyed without the project prefix (`cluster`, `clusters`).

    `reveal`: secrets decrypted with the example passphrase, exactly as the program gets them;
    `redact`: each secret replaced by REDACTED.
    """
    data = read_stack_file(stack, root)
    config = {k.split(":", 1)[1]: v for k, v in (data.get("config") or {}).items() if k.startswith(f"{PROJECT}:")}
    if secrets == "redact" or "encryptionsalt" not in data:
        return map_secure(config, lambda _: REDACTED)  # type: ignore[no-any-return]
    from tools.passphrase import decrypt, passphrase_key  # noqa: PLC0415 - cryptography: only when there is something to decrypt

    key = passphrase_key(data["encryptionsalt"])
    return map_secure(config, lambda ciphertext: decrypt(ciphertext, key))  # type: ignore[no-any-return]
