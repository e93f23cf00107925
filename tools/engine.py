"""The real Pulumi engine, driven through Pulumi's Automation API on a throwaway copy of the project.

The end-to-end, real-pod and fault tiers and the benchmarks drive `pulumi preview`,
`up`, `refresh`, `destroy` and `config set --path` through `pulumi.automation` (typed
engine events, outputs and config), with the CLI and Kubernetes provider of
`tools/toolchain/build.sh` (an isolated PULUMI_HOME: a user's own ~/.pulumi is never
touched), no update check and no plugin downloads. Each workspace is a copy of the
program, so `config set` never edits the repository's stack files, with a file
backend and the passphrase secrets provider of its own.

`Workspace.cli` runs the CLI itself, for what a user types and reads (an error's text,
`pulumi cancel`, `pulumi state unprotect`), for what the benchmarks time (the command
alone, without the Automation API's follow-up calls) and for the fault tier, which
kills a `pulumi up` that runs in a process group of its own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import automation as auto
from pulumi.automation.events import EngineEvent

from tools.stack_files import EXAMPLE_PASSPHRASE, ROOT
from tools.urn import urn_label

BUILD_SCRIPT = ROOT / "tools" / "toolchain" / "build.sh"
# What `pulumi up` needs of the repository: the program, its stacks, the policy pack and the pins.
PROJECT_FILES = ("__main__.py", "Pulumi.yaml", "pyproject.toml", "requirements.txt", "components", "stacks", "policy")
# Made on this machine, never committed, copied when present: uv's lock (tools/pins.py).
LOCAL_FILES = ("uv.lock",)
DEFAULT_TIMEOUT = 600


def toolchain_path(name: str, part: str | None = None) -> Path:
    """The path `tools/toolchain/build.sh [part]` prints as `<name>=<path>`, making the tool on first use.

    Without a part the script makes every tool and lists those it could (it exits 3 when only
    the Pulumi engine is missing, which says how to install it); a tool it did not list is an
    error carrying the script's own message.
    """
    result = subprocess.run(["bash", str(BUILD_SCRIPT), *filter(None, [part])], capture_output=True, text=True, check=False)
    paths = dict(line.split("=", 1) for line in result.stdout.split())
    if name not in paths:
        raise RuntimeError(f"tools/toolchain/build.sh did not provide {name} (exit {result.returncode}):\n{result.stderr}")
    return Path(paths[name])


@dataclass(frozen=True)
class Toolchain:
    """Where the Pulumi CLI (with its language host) and the isolated PULUMI_HOME are."""

    pulumi: Path
    pulumi_home: Path

    @classmethod
    def load(cls) -> Toolchain:
        """From `build.sh pulumi`, which installs the engine on first use (PULUMI_ARCHIVES) or says how."""
        return cls(pulumi=toolchain_path("pulumi", "pulumi"), pulumi_home=toolchain_path("pulumi-home", "pulumi"))

    def environment(self) -> dict[str, str]:
        """The CLI on PATH, its own PULUMI_HOME, no update check, no plugin downloads, no Pulumi Cloud token.

        This virtualenv's `bin` is on PATH too: with a uv.lock, the language host runs the
        uv of requirements-dev.txt (tools/pins.py).
        """
        path = os.pathsep.join([str(self.pulumi.parent), str(Path(sys.prefix) / "bin"), os.environ.get("PATH", "")])
        env = {
            **os.environ,
            "PATH": path,
            "PULUMI_HOME": str(self.pulumi_home),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        }
        env.pop("PULUMI_ACCESS_TOKEN", None)
        return env

    def command(self) -> auto.PulumiCommand:
        """The Automation API's handle on this CLI (it looks for `<root>/bin/pulumi`)."""
        root = self.pulumi_home / "automation"
        link = root / "bin" / "pulumi"
        if not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(self.pulumi)
        return auto.PulumiCommand(root=str(root))


class EngineError(AssertionError):
    """A pulumi operation failed; the message has the resources' own diagnostics first, then the command's output."""

    def __init__(self, what: str, diagnostics: list[str], output: str) -> None:
        self.diagnostics = diagnostics
        self.output = output
        shown = "\n".join(diagnostics)[:8000] if diagnostics else output[-8000:]
        super().__init__(f"{what} failed:\n{shown}")


@dataclass
class Run:
    """One operation's engine events, in the order they happened."""

    events: list[EngineEvent] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, event: EngineEvent) -> None:
        with self._lock:
            self.events.append(event)

    def steps(self, phase: str = "start") -> list[tuple[str, str]]:
        """(operation, `<type>::<name>`) of each step of the program's resources as it started (or, with `done`, finished).

        The engine's own provider resources (`pulumi:providers:*`) are left out: they follow
        from the program's, and a default provider's step says nothing about the program.
        """
        return [
            (op, label)
            for happened, op, label in self.timeline()
            if happened == phase and not label.startswith("pulumi:providers:")
        ]

    def timeline(self) -> list[tuple[str, str, str]]:
        """(`start` or `done`, operation, `<type>::<name>`) of every step, in order."""
        found = []
        for event in self.events:
            for phase, step in (("start", event.resource_pre_event), ("done", event.res_outputs_event)):
                if step is not None:
                    found.append((phase, str(step.metadata.op.value), urn_label(step.metadata.urn)))
        return found

    def by_op(self) -> dict[str, list[str]]:
        """The started steps grouped by operation ('create', 'update', 'same', 'replace', ...)."""
        grouped: dict[str, list[str]] = {}
        for op, label in self.steps():
            grouped.setdefault(op, []).append(label)
        return grouped

    def changed(self) -> list[str]:
        """`<type>::<name>` of each finished step that changed something: its diffs, or (a refresh's drift) its outputs."""
        found = []
        for event in self.events:
            step = event.res_outputs_event
            if step is None:
                continue
            metadata = step.metadata
            drifted = metadata.old is not None and metadata.new is not None and metadata.old.outputs != metadata.new.outputs
            if metadata.diffs or drifted:
                found.append(urn_label(metadata.urn))
        return found

    def diagnostics(self) -> list[str]:
        """Error diagnostics, the resources' own before the stack's (whose message only says the program stopped)."""
        return self.messages("error")

    def messages(self, severity: str) -> list[str]:
        """`<type>::<name>: <message>` of each diagnostic of a severity (`info`, `warning`, `error`), the stack's last."""
        found = [e.diagnostic_event for e in self.events if e.diagnostic_event is not None]
        found = [d for d in found if d.severity == severity]
        found.sort(key=lambda d: "pulumi:pulumi:Stack" in (d.urn or ""))
        return [f"{urn_label(d.urn) if d.urn else 'stack'}: {d.message.strip()}" for d in found]


class Workspace:
    """A copy of the project with its own backend; every operation runs in it."""

    def __init__(self, directory: Path, toolchain: Toolchain, kubeconfig: Path) -> None:
        self.directory = directory
        self.state = directory.parent / f"{directory.name}-state"
        self.state.mkdir(parents=True, exist_ok=True)
        self.env = {
            **toolchain.environment(),
            "PULUMI_BACKEND_URL": self.state.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": EXAMPLE_PASSPHRASE,
            "KUBECONFIG": str(kubeconfig),
        }
        self.pulumi = str(toolchain.pulumi)
        self.stacks: list[str] = []
        self._workspace = auto.LocalWorkspace(
            work_dir=str(directory),
            pulumi_home=str(toolchain.pulumi_home),
            env_vars=self.env,
            secrets_provider="passphrase",
            pulumi_command=toolchain.command(),
        )

    @classmethod
    def copy_of_project(cls, directory: Path, toolchain: Toolchain, kubeconfig: Path, virtualenv: Path) -> Workspace:
        """The program, stacks and policy pack copied into `directory`; both virtualenvs are `virtualenv`."""
        directory.mkdir(parents=True, exist_ok=True)
        ignore = shutil.ignore_patterns("__pycache__", "venv", ".venv")
        for name in (*PROJECT_FILES, *(name for name in LOCAL_FILES if (ROOT / name).exists())):
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, directory / name, ignore=ignore)
            else:
                shutil.copy2(source, directory / name)
        # Pulumi.yaml and policy/PulumiPolicy.yaml name their virtualenvs relative to themselves;
        # the test venv has the program's and the pack's requirements.
        (directory / ".venv").symlink_to(virtualenv)
        (directory / "policy" / "venv").symlink_to(virtualenv)
        return cls(directory, toolchain, kubeconfig)

    @classmethod
    def copy_of_example(
        cls, directory: Path, example: str, toolchain: Toolchain, kubeconfig: Path, virtualenv: Path
    ) -> Workspace:
        """`examples/<example>` copied with what it vendors (its `components` link, copied as files); runs there.

        `directory` gets `examples/<example>/` and `.venv` (the example's Pulumi.yaml names
        `../../.venv`), so the example finds everything where it would in a checkout.
        """
        ignore = shutil.ignore_patterns("__pycache__", "venv", ".venv")
        target = directory / "examples" / example
        shutil.copytree(ROOT / "examples" / example, target, ignore=ignore)
        (directory / ".venv").symlink_to(virtualenv)
        return cls(target, toolchain, kubeconfig)

    # -- stacks ---------------------------------------------------------------------------
    def stack(self, name: str) -> auto.Stack:
        return auto.Stack.select(name, self._workspace)

    def add_stack(self, stack: str, config_text: str | None = None) -> None:
        """A new stack (passphrase provider); `config_text` becomes its stack file first, if given."""
        if config_text is not None:
            (self.directory / "stacks" / stack_file(stack)).write_text(config_text)
        auto.Stack.create(stack, self._workspace)
        self.stacks.append(stack)

    def remove_everything(self) -> None:
        """Destroy every stack of the workspace, protected resources included (a test's cleanup)."""
        for stack in self.stacks:
            self.cli("state", "unprotect", "--all", "--yes", stack=stack, check=False)
            self.cli("cancel", "--yes", stack=stack, check=False)
            with contextlib.suppress(EngineError):
                self.destroy(stack)

    # -- operations -----------------------------------------------------------------------
    def _operation(self, what: str, call: Callable[[Run], object]) -> Run:
        run = Run()
        try:
            call(run)
        except auto.CommandError as error:
            raise EngineError(what, run.diagnostics(), str(error)) from None
        return run

    def preview(self, stack: str, *, expect_no_changes: bool = False, policy_packs: tuple[str, ...] = ()) -> Run:
        """`pulumi preview`: the steps the engine plans, in its order (a replacement as its three steps)."""
        return self._operation(
            f"pulumi preview --stack {stack}",
            lambda run: self.stack(stack).preview(
                on_event=run.record, expect_no_changes=expect_no_changes or None, policy_packs=list(policy_packs) or None
            ),
        )

    def up(self, stack: str, *, expect_no_changes: bool = False) -> Run:
        return self._operation(
            f"pulumi up --stack {stack}",
            lambda run: self.stack(stack).up(on_event=run.record, expect_no_changes=expect_no_changes or None),
        )

    def refresh(self, stack: str) -> Run:
        return self._operation(f"pulumi refresh --stack {stack}", lambda run: self.stack(stack).refresh(on_event=run.record))

    def destroy(self, stack: str) -> Run:
        return self._operation(f"pulumi destroy --stack {stack}", lambda run: self.stack(stack).destroy(on_event=run.record))

    def config_set(self, stack: str, path: str, value: str, *, secret: bool = False) -> None:
        """`pulumi config set [--secret] --path 'cluster.taskManager.slots' 4`, as a user writes it."""
        self.stack(stack).set_config(path, auto.ConfigValue(value, secret=secret), path=True)

    def config_rm(self, stack: str, path: str) -> None:
        self.stack(stack).remove_config(path, path=True)

    def outputs(self, stack: str) -> dict[str, Any]:
        return {name: output.value for name, output in self.stack(stack).outputs().items()}

    def export(self, stack: str) -> dict[str, Any]:
        """The stack's state as `pulumi stack export --show-secrets` writes it (secrets decrypted)."""
        return dict(self.stack(stack).export_stack().deployment or {})

    def urns(self, stack: str) -> list[str]:
        return [resource["urn"] for resource in self.export(stack).get("resources", [])]

    # -- the CLI itself -------------------------------------------------------------------
    def cli_command(self, *args: str, stack: str | None = None) -> list[str]:
        command = [self.pulumi, *args, "--non-interactive", "--color", "never"]
        return [*command, "--stack", stack] if stack is not None else command

    def cli(
        self,
        *args: str,
        stack: str | None = None,
        check: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """The `pulumi` CLI as a user types it, in this workspace; its output is what the user reads."""
        result = subprocess.run(
            self.cli_command(*args, stack=stack),
            cwd=self.directory,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise EngineError(f"`pulumi {' '.join(args)}`", [], f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
        return result

    def cli_background(self, *args: str, stack: str | None = None, log: Path) -> subprocess.Popen[bytes]:
        """The CLI started in a process group of its own (as a terminal runs it), its output into `log`."""
        with log.open("wb") as output:
            return subprocess.Popen(
                self.cli_command(*args, stack=stack),
                cwd=self.directory,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )


def stack_file(stack: str) -> str:
    return f"Pulumi.{stack}.yaml"
