"""Samples of repeated runs: medians with their range, and a least-squares slope."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(self.seconds)

    def cell(self) -> str:
        return f"{self.median():.2f} s ({min(self.seconds):.2f}–{max(self.seconds):.2f})"

    def memory(self) -> str:
        return f"{statistics.median(self.peak_kib) / 1024:.0f} MiB"


def interleaved(cases: dict[str, Callable[[], tuple[float, int]]], runs: int) -> dict[str, Sample]:
    """Each case once per round, rounds repeated: a noisy machine affects every case alike."""
    samples = {name: Sample() for name in cases}
    for _ in range(runs):
        for name, case in cases.items():
            seconds, peak = case()
            samples[name].seconds.append(seconds)
            samples[name].peak_kib.append(peak)
    return samples


def slope(points: list[tuple[int, float]]) -> float:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mean_x, mean_y = statistics.mean(xs), statistics.mean(ys)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x in xs)
