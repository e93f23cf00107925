"""The real Pulumi engine, driven the way a user drives it, on a throwaway copy of the project.

The end-to-end and real-pod test tiers and the benchmarks run `pulumi preview`,
`pulumi up`, `pulumi config set --path ...` and `pulumi destroy` through this module,
so all of them exercise exactly the commands the README promises. Each workspace is a
copy of the program (so `pulumi config set` never edits the repository's stack
files) with a file backend and the passphrase secrets provider in its own directory,
the CLI and Kubernetes provider from `tools/toolchain/build.sh` (an isolated
PULUMI_HOME: a user's own ~/.pulumi is never touched), no update check and no plugin
downloads. Nothing here talks to anything but the kubeconfig's API server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.stack_files import EXAMPLE_PASSPHRASE, ROOT

BUILD_SCRIPT = ROOT / "tools" / "toolchain" / "build.sh"
# What `pulumi up` needs of the repository: the program, its stacks and the policy pack.
PROJECT_FILES = ("__main__.py", "Pulumi.yaml", "requirements.txt", "components", "stacks", "policy")
DEFAULT_TIMEOUT = 600


class EngineError(AssertionError):
    """A pulumi command failed; the message carries its command line and output."""

    def __init__(self, result: subprocess.CompletedProcess[str]) -> None:
        self.result = result
        command = " ".join(result.args if isinstance(result.args, list) else [str(result.args)])
        # The engine prints why it failed under "Diagnostics:", before the (long) outputs.
        diagnostics = result.stdout.partition("Diagnostics:")[2].partition("\nOutputs:")[0]
        shown = f"Diagnostics:\n{_resources_first(diagnostics)[:8000]}" if diagnostics else result.stdout[-6000:]
        super().__init__(f"`{command}` exited {result.returncode}:\n{shown}\n{result.stderr[-6000:]}")


def _resources_first(diagnostics: str) -> str:
    """The resources' own errors before the stack's (whose traceback only says the program was stopped)."""
    blocks: list[list[str]] = []
    for line in diagnostics.splitlines():
        if (line.startswith("  ") and not line.startswith("   ")) or not blocks:
            blocks.append([])
        blocks[-1].append(line)
    ordered = sorted(blocks, key=lambda block: bool(block) and "pulumi:pulumi:Stack" in block[0])
    return "\n".join(line for block in ordered for line in block)


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
        """The CLI on PATH, its own PULUMI_HOME, no update check, no plugin downloads, no Pulumi Cloud token."""
        env = {
            **os.environ,
            "PATH": f"{self.pulumi.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_HOME": str(self.pulumi_home),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        }
        env.pop("PULUMI_ACCESS_TOKEN", None)
        return env


def stack_file(stack: str) -> str:
    return f"Pulumi.{stack}.yaml"


class Workspace:
    """A copy of the project with its own backend; every `pulumi` call runs in it."""

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

    @classmethod
    def copy_of_project(cls, directory: Path, toolchain: Toolchain, kubeconfig: Path, virtualenv: Path) -> Workspace:
        """The program, stacks and policy pack copied into `directory`; both virtualenvs are `virtualenv`."""
        directory.mkdir(parents=True, exist_ok=True)
        ignore = shutil.ignore_patterns("__pycache__", "venv", ".venv")
        for name in PROJECT_FILES:
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
        """`examples/<example>` with the repository layout it imports `components/` from; runs in the example.

        `directory` gets `components/`, `examples/<example>/` and `.venv` (the example's
        Pulumi.yaml names `../../.venv`), so the example finds everything where it would
        in a checkout.
        """
        ignore = shutil.ignore_patterns("__pycache__", "venv", ".venv")
        shutil.copytree(ROOT / "components", directory / "components", ignore=ignore)
        target = directory / "examples" / example
        shutil.copytree(ROOT / "examples" / example, target, ignore=ignore)
        (directory / ".venv").symlink_to(virtualenv)
        return cls(target, toolchain, kubeconfig)

    def run(
        self,
        *args: str,
        stack: str | None = None,
        check: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        command = [self.pulumi, *args, "--non-interactive", "--color", "never"]
        if stack is not None:
            command += ["--stack", stack]
        result = subprocess.run(
            command,
            cwd=self.directory,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise EngineError(result)
        return result

    def add_stack(self, stack: str, config_text: str | None = None) -> None:
        """`pulumi stack init` (passphrase provider); `config_text` becomes its stack file first, if given."""
        if config_text is not None:
            (self.directory / "stacks" / stack_file(stack)).write_text(config_text)
        self.run("stack", "init", stack, "--secrets-provider", "passphrase")
        self.stacks.append(stack)

    def remove_everything(self) -> None:
        """Destroy every stack of the workspace, protected resources included (a test's cleanup)."""
        for stack in self.stacks:
            self.run("state", "unprotect", "--all", "--yes", stack=stack, check=False)
            self.destroy(stack, check=False)

    def preview(self, stack: str, *extra: str, check: bool = True) -> dict[str, Any]:
        """`pulumi preview --json`: the steps the engine plans (and its diagnostics)."""
        result = self.run("preview", "--json", *extra, stack=stack, check=check)
        document: dict[str, Any] = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
        document["_result"] = result
        return document

    def preview_steps(self, stack: str) -> list[tuple[str, str]]:
        """The steps `pulumi preview` plans, in the engine's order, a replacement as its three steps.

        `preview --json` folds a replacement into one `replace`; the streamed JSON events
        keep `create-replacement`, `replace` and `delete-replaced` apart, in order.
        """
        result = self.run("preview", "--json", stack=stack, env={"PULUMI_ENABLE_STREAMING_JSON_PREVIEW": "true"})
        return [(op, label) for phase, op, label in engine_events(result.stdout) if phase == "start"]

    def up_events(self, stack: str) -> list[tuple[str, str, str]]:
        """`pulumi up --json`: when each step started and finished, in order (see engine_events)."""
        return engine_events(self.up(stack, "--json").stdout)

    def up(self, stack: str, *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("up", "--yes", "--skip-preview", *extra, stack=stack, check=check)

    def destroy(self, stack: str, *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("destroy", "--yes", "--skip-preview", *extra, stack=stack, check=check)

    def config_set(self, stack: str, path: str, value: str) -> None:
        """`pulumi config set --path 'cluster.taskManager.slots' 4`, as a user writes it."""
        self.run("config", "set", "--path", path, value, stack=stack)

    def config_rm(self, stack: str, path: str) -> None:
        self.run("config", "rm", "--path", path, stack=stack)

    def outputs(self, stack: str) -> dict[str, Any]:
        result = self.run("stack", "output", "--json", "--show-secrets", stack=stack)
        outputs: dict[str, Any] = json.loads(result.stdout)
        return outputs

    def urns(self, stack: str) -> list[str]:
        exported = json.loads(self.run("stack", "export", stack=stack).stdout)
        return [resource["urn"] for resource in exported["deployment"].get("resources", [])]


def _label(urn: str) -> str:
    """`<type>::<name>` of a URN (the type without its parent's)."""
    return f"{urn.split('::')[2].rsplit('$', maxsplit=1)[-1]}::{urn.rsplit('::', 1)[1]}"


def steps_by_op(preview: dict[str, Any]) -> dict[str, list[str]]:
    """Preview steps grouped by operation ('create', 'update', 'replace', 'same', ...), as `<type>::<name>`."""
    grouped: dict[str, list[str]] = {}
    for step in preview.get("steps", []):
        grouped.setdefault(step["op"], []).append(_label(step["urn"]))
    return grouped


def engine_events(stream: str) -> list[tuple[str, str, str]]:
    """Streamed engine events as (`start` or `done`, operation, `<type>::<name>`), in the order they happened."""
    found = []
    for line in stream.splitlines():
        if not line.startswith("{"):
            continue
        event = json.loads(line)
        for kind, phase in (("resourcePreEvent", "start"), ("resOutputsEvent", "done")):
            if kind in event:
                metadata = event[kind]["metadata"]
                found.append((phase, metadata["op"], _label(metadata["urn"])))
    return found
