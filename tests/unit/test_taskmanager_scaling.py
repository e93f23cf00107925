"""Slot-aware TaskManager scaling, against a fake Flink: what a preview refuses, reports, and what an update marks.

A scale-down that leaves fewer slots than running jobs hold is refused at check (the
preview) with the numbers, and again at update (jobs may have started since); when Flink
cannot be asked, a scale-down is refused too, never guessed; `forceScaleDown` skips both.
A scale-up and an unchanged preview reach nothing but the report. An update that shrinks
marks each TaskManager pod with the slots it holds (-1 for a pod Flink does not list), so
the ReplicaSet deletes idle ones first. The real engine (preview output, the order of
the update) is in tests/e2e/test_cluster_operations.py, real Flink and pods in tests/pods.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from components.jobs import rpc, taskmanager_scaling
from components.jobs.access import RestAccess
from components.jobs.rest import FlinkError
from components.jobs.taskmanager_scaling import TaskManagerScalingProvider, deletion_costs

ACCESS = RestAccess(cluster="demo", namespace="flink", selector="app=tm", port=8081, url="http://flink.invalid:8081").props()


@dataclass
class FakeFlink:
    used: int
    total: int
    task_managers: list[dict[str, Any]] = field(default_factory=list)
    reachable: bool = True
    calls: int = 0

    def overview(self) -> dict[str, Any]:
        self.calls += 1
        if not self.reachable:
            raise FlinkError("cannot reach cluster demo: Connection refused")
        return {"slots-total": self.total, "slots-available": self.total - self.used}


@pytest.fixture
def flink(monkeypatch: pytest.MonkeyPatch) -> FakeFlink:
    fake = FakeFlink(used=0, total=0)

    @contextlib.contextmanager
    def rest_api(access: RestAccess, **_: Any) -> Iterator[Any]:
        yield type("Rest", (), {"overview": lambda _self: fake.overview(), "task_managers": lambda _self: fake.task_managers})()

    monkeypatch.setattr(taskmanager_scaling, "rest_api", rest_api)
    return fake


@pytest.fixture
def logged(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    messages: list[tuple[str, str]] = []
    monkeypatch.setattr(rpc, "log", lambda message, severity="info": messages.append((severity, message)))
    return messages


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> list[list[dict[str, Any]]]:
    calls: list[list[dict[str, Any]]] = []

    def mark(access: RestAccess, selector: str, task_managers: list[dict[str, Any]]) -> dict[str, int]:
        calls.append(task_managers)
        return {}

    monkeypatch.setattr(taskmanager_scaling, "mark_deletion_costs", mark)
    return calls


def props(replicas: int, slots: int = 1, *, force: bool = False) -> dict[str, Any]:
    return {"access": ACCESS, "selector": "app=tm", "replicas": replicas, "slots": slots, "forceScaleDown": force}


def test_a_new_or_unchanged_cluster_asks_nothing(flink: FakeFlink, logged: list[tuple[str, str]]) -> None:
    provider = TaskManagerScalingProvider()
    assert provider.check({}, props(3)).failures == []
    assert provider.check(props(3), props(3)).failures == []
    assert flink.calls == 0 and logged == []


def test_a_scale_down_that_leaves_enough_slots_is_reported(flink: FakeFlink, logged: list[tuple[str, str]]) -> None:
    flink.used, flink.total = 2, 4
    assert TaskManagerScalingProvider().check(props(4), props(2)).failures == []
    assert logged == [("info", "cluster demo: running jobs use 2 of 4 slots; 2 after this change, idle TaskManagers first")]


def test_a_scale_down_below_the_slots_in_use_is_refused_with_the_numbers(flink: FakeFlink) -> None:
    flink.used, flink.total = 3, 4
    (failure,) = TaskManagerScalingProvider().check(props(4), props(2)).failures
    assert failure.property == "replicas"
    assert failure.reason == (
        "cluster demo: running jobs use 3 of its 4 slots, and taskManager.replicas 2 x slots 1 leaves 2. Keep at least "
        "3 TaskManagers, stop jobs first, or set taskManager.forceScaleDown: true (the jobs on the removed TaskManagers "
        "fail over and wait for slots)"
    )


def test_a_scale_down_is_refused_when_flink_cannot_be_asked(flink: FakeFlink) -> None:
    flink.reachable = False
    (failure,) = TaskManagerScalingProvider().check(props(4), props(2)).failures
    assert "cannot tell how many slots running jobs use, so the scale-down from 4 to 2 slots is not made" in failure.reason
    assert "Connection refused" in failure.reason and "taskManager.forceScaleDown: true" in failure.reason


def test_a_scale_up_only_reports_even_when_flink_cannot_be_asked(flink: FakeFlink, logged: list[tuple[str, str]]) -> None:
    flink.reachable = False
    assert TaskManagerScalingProvider().check(props(2), props(4)).failures == []
    assert logged[0][0] == "warning" and "cannot tell how many slots" in logged[0][1]


def test_force_skips_the_question(flink: FakeFlink, logged: list[tuple[str, str]]) -> None:
    flink.used, flink.total = 4, 4
    assert TaskManagerScalingProvider().check(props(4), props(1, force=True)).failures == []
    assert flink.calls == 0 and logged[0][0] == "warning"


def test_a_slot_change_says_every_taskmanager_is_replaced(flink: FakeFlink, logged: list[tuple[str, str]]) -> None:
    flink.used, flink.total = 1, 4
    assert TaskManagerScalingProvider().check(props(2, 2), props(2, 4)).failures == []
    assert ("warning", "cluster demo: taskManager.slots changes from 2 to 4: every TaskManager is replaced, and running "
            "jobs restart from their latest checkpoint") in logged  # fmt: skip


def test_an_update_that_shrinks_checks_again_before_marking(flink: FakeFlink, marked: list[list[dict[str, Any]]]) -> None:
    flink.used, flink.total = 3, 4  # jobs started after the preview
    with pytest.raises(FlinkError, match="running jobs use 3 of its 4 slots"):
        TaskManagerScalingProvider().update("flink/demo", props(4), props(2))
    assert marked == []
    flink.used = 1
    flink.task_managers = [{"path": "pekko.tcp://flink@10.0.0.1:6122/user/rpc/taskmanager_0"}]
    TaskManagerScalingProvider().update("flink/demo", props(4), props(2))
    assert marked == [flink.task_managers]


def test_an_update_that_grows_reaches_nothing(flink: FakeFlink, marked: list[list[dict[str, Any]]]) -> None:
    flink.reachable = False
    outputs = TaskManagerScalingProvider().update("flink/demo", props(2), props(4)).outs
    assert outputs is not None and outputs["replicas"] == 4 and "kubeconfig" not in outputs["access"]
    assert marked == []


def test_a_forced_update_goes_ahead_without_flink(
    flink: FakeFlink, marked: list[list[dict[str, Any]]], logged: list[tuple[str, str]]
) -> None:
    flink.reachable = False
    TaskManagerScalingProvider().update("flink/demo", props(4), props(1, force=True))
    assert marked == [] and logged[0][0] == "warning"


def test_each_pod_costs_the_slots_its_taskmanager_holds() -> None:
    task_managers = [
        {"path": "pekko.tcp://flink@10.0.0.1:6122/user/rpc/taskmanager_0", "slotsNumber": 2, "freeSlots": 0},
        {"path": "akka.tcp://flink@10.0.0.2:6122/user/rpc/taskmanager_0", "slotsNumber": 2, "freeSlots": 1},
        {"path": "pekko.tcp://flink@10.0.0.3:6122/user/rpc/taskmanager_0", "slotsNumber": 2, "freeSlots": 2},
    ]
    pods = {"tm-a": "10.0.0.1", "tm-b": "10.0.0.2", "tm-c": "10.0.0.3", "tm-new": "10.0.0.9", "tm-pending": ""}
    assert deletion_costs(pods, task_managers) == {"tm-a": 2, "tm-b": 1, "tm-c": 0, "tm-new": -1, "tm-pending": -1}


def test_the_diff_ignores_the_kubeconfig_and_replaces_nothing() -> None:
    provider = TaskManagerScalingProvider()
    secret = {**props(2), "access": {**ACCESS, "kubeconfig": "apiVersion: v1"}}
    assert provider.diff("flink/demo", props(2), secret).changes is False
    changed = provider.diff("flink/demo", props(2), props(3))
    assert changed.changes is True and changed.replaces == []


def test_a_refresh_reads_back_exactly_what_the_state_keeps() -> None:
    """The state's access has no kubeconfig key (not a null, which a refresh's props would lose): no drift."""
    provider = TaskManagerScalingProvider()
    created = provider.create({**props(2), "access": {**ACCESS, "kubeconfig": "apiVersion: v1"}}).outs
    assert created is not None and "kubeconfig" not in created["access"]
    without_nulls = {**created, "access": {k: v for k, v in created["access"].items() if v is not None}}
    assert provider.read("id", without_nulls).outs == without_nulls
