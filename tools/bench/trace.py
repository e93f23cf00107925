"""Where one `pulumi preview` spends its time, read from the engine's own OpenTelemetry trace.

`pulumi preview --otel-traces file://<path>` writes the spans of the CLI, the Python
language host, the Python SDK and the providers as OTLP JSON, one batch per line. The
phases below follow the engine's critical path: before the program starts, the CLI asks
the language host `About` (the Python and pip versions, each a subprocess) and
`GetRequiredPackages` (`pip list` and a look for each package's `pulumi-plugin.json`),
one after the other; then the program runs, while the engine starts the Kubernetes
provider and diffs each registered object in parallel with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CLI = "pulumi-cli"
SDK = "pulumi-sdk-python"


@dataclass(frozen=True)
class Span:
    service: str
    name: str
    start_ns: int
    end_ns: int
    attributes: dict[str, object]

    @property
    def seconds(self) -> float:
        return (self.end_ns - self.start_ns) / 1e9


def read_spans(path: Path) -> list[Span]:
    """Every span of an OTLP JSON file (one `{"resourceSpans": [...]}` object per line)."""
    spans: list[Span] = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        for resource in json.loads(line)["resourceSpans"]:
            service = _attributes(resource["resource"].get("attributes", [])).get("service.name", "")
            for scope in resource["scopeSpans"]:
                spans.extend(
                    Span(
                        service=str(service),
                        name=span["name"],
                        start_ns=int(span["startTimeUnixNano"]),
                        end_ns=int(span["endTimeUnixNano"]),
                        attributes=_attributes(span.get("attributes", [])),
                    )
                    for span in scope["spans"]
                )
    return spans


def _attributes(raw: list[dict[str, Any]]) -> dict[str, object]:
    return {item["key"]: next(iter(item["value"].values()), None) for item in raw}


def _only(spans: list[Span], service: str, name: str) -> Span:
    found = [span for span in spans if span.service == service and span.name == name]
    if not found:
        raise ValueError(f"no {service} span named {name!r} in the trace")
    return min(found, key=lambda span: span.start_ns)


def phases(spans: list[Span]) -> dict[str, float]:
    """Seconds per phase of one preview; the first seven follow each other and add up to the command.

    The engine starts the Kubernetes provider when the program registers its first
    Kubernetes object, so that start marks the end of the program's own evaluation.
    """
    command = _only(spans, CLI, "pulumi")
    about = _only(spans, CLI, "pulumirpc.LanguageRuntime/About")
    packages = _only(spans, CLI, "pulumirpc.LanguageRuntime/GetRequiredPackages")
    run = _only(spans, CLI, "pulumirpc.LanguageRuntime/Run")
    first_request = min(span.start_ns for span in spans if span.service == SDK)
    provider = min(
        (
            span
            for span in spans
            if span.service == CLI and span.name == "newPlugin" and span.attributes.get("kind") == "resource"
        ),
        key=lambda span: span.start_ns,
    )
    diffs = [span for span in spans if span.service == CLI and span.name == "pulumirpc.ResourceProvider/Diff"]
    last_diff = max(span.end_ns for span in diffs)
    configure = _only(spans, CLI, "pulumirpc.ResourceProvider/Configure")
    return {
        "language host About (python and pip versions)": about.seconds,
        "language host GetRequiredPackages (pip list, plugin lookup)": packages.seconds,
        "Python start and the SDK, to its first request": (first_request - run.start_ns) / 1e9,
        "program evaluation, to its first Kubernetes object": (provider.start_ns - first_request) / 1e9,
        "provider start, registrations, checks and diffs": (last_diff - provider.start_ns) / 1e9,
        "program and language host exit": (run.end_ns - last_diff) / 1e9,
        "rest of the CLI (start, state, plan, output)": command.seconds - about.seconds - packages.seconds - run.seconds,
        "whole command": command.seconds,
        "of which: provider process start": provider.seconds,
        "of which: provider Configure (connects to the cluster)": configure.seconds,
        "of which: object diffs, summed": sum(span.seconds for span in diffs),
    }
