"""Where one `pulumi preview` spends its time, read from the engine's own OpenTelemetry trace.

`pulumi preview --otel-traces file://<path>` writes the spans of the CLI, the Python
language host, the Python SDK and the providers as OTLP JSON, one batch per line. The
phases below follow the engine's critical path: before the program starts, the CLI asks
the language host `About` (Python's version and path, and with the `pip` toolchain pip's
version: each a subprocess) and `GetRequiredPackages` (the package list, from `pip list`
or from `uv.lock`, and a look for each package's `pulumi-plugin.json`), one after the
other; then the program runs, while the engine starts the Kubernetes provider and diffs
each registered object in parallel with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CLI = "pulumi-cli"
SDK = "pulumi-sdk-python"
ABOUT = "language host About (Python's version and path; pip's)"
REQUIRED_PACKAGES = "language host GetRequiredPackages (package list, plugin lookup)"
EVALUATION = "program evaluation, to its first Kubernetes object"
WHOLE = "whole command"
DIFFS = "of which: object diffs, summed"


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
        ABOUT: about.seconds,
        REQUIRED_PACKAGES: packages.seconds,
        "Python start and the SDK, to its first request": (first_request - run.start_ns) / 1e9,
        EVALUATION: (provider.start_ns - first_request) / 1e9,
        "provider start, registrations, checks and diffs": (last_diff - provider.start_ns) / 1e9,
        "program and language host exit": (run.end_ns - last_diff) / 1e9,
        "rest of the CLI (start, state, plan, output)": command.seconds - about.seconds - packages.seconds - run.seconds,
        WHOLE: command.seconds,
        "of which: provider process start": provider.seconds,
        "of which: provider Configure (connects to the cluster)": configure.seconds,
        DIFFS: sum(span.seconds for span in diffs),
    }


# up_phases entries that are counts, not seconds.
UP_COUNTS = ("provider creates, most at once", "provider creates")


def up_phases(spans: list[Span]) -> dict[str, float]:
    """Where one `pulumi up` of many objects spends its time: the program's run and the provider's creates.

    Creates run in parallel, so besides their sum this gives the wall time during which at
    least one was running and how many ran at once at most.
    """
    command = _only(spans, CLI, "pulumi")
    run = _only(spans, CLI, "pulumirpc.LanguageRuntime/Run")
    creates = sorted(
        (
            (span.start_ns, span.end_ns)
            for span in spans
            if span.service == CLI and span.name == "pulumirpc.ResourceProvider/Create"
        ),
    )
    covered, most, end = 0, 0, 0
    for start, stop in creates:
        covered += max(0, stop - max(start, end))
        end = max(end, stop)
        most = max(most, sum(1 for other_start, other_stop in creates if other_start <= start < other_stop))
    first_create = creates[0][0] if creates else run.start_ns
    return {
        WHOLE: command.seconds,
        "program run (the language host's Run, registrations included)": run.seconds,
        "from the start to the first create": (first_create - command.start_ns) / 1e9,
        "provider creates, summed": sum(stop - start for start, stop in creates) / 1e9,
        "provider creates, wall time with at least one running": covered / 1e9,
        "provider creates, most at once": float(most),
        "provider creates": float(len(creates)),
    }
