"""What a real node could leave behind on the machine, as comparable data.

`snapshot()` reads, without changing anything: mounts, network interfaces with their
addresses and routes, named network namespaces, the iptables/ip6tables rules (and the
nftables ruleset where `nft` is installed), the sysctls the node's components are known
to touch, the top-level cgroups of every hierarchy, the paths the kubelet, containerd,
CNI and skopeo write outside their configured directories, and the processes of one
cluster. `differences(before, after)` says what changed.

Other real nodes may come and go on the same machine (another cluster's `make up`); the
ledger in /run/flink-session lists them, and what is attributable to them (their veth,
namespace mounts, cgroups, routes, and the kernel sysctls they share with every node) is
left out of the comparison, so this checks exactly one cluster's footprint.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

LEDGER = Path("/run/flink-session")
# The kubelet's kernel tunables: shared by every real node, restored by the last one.
SHARED_SYSCTLS = (
    "vm.overcommit_memory",
    "vm.panic_on_oom",
    "kernel.panic",
    "kernel.panic_on_oops",
    "kernel.keys.root_maxkeys",
    "kernel.keys.root_maxbytes",
)
# What kube-proxy, the CNI bridge plugin and the kubelet change on a node in the machine's
# own network namespace (ours run in the node's namespace, so these must stay as found).
NETWORK_SYSCTLS = (
    "net.ipv4.ip_forward",
    "net.ipv4.conf.all.forwarding",
    "net.ipv4.conf.all.route_localnet",
    "net.ipv6.conf.all.forwarding",
    "net.netfilter.nf_conntrack_max",
    "net.netfilter.nf_conntrack_tcp_timeout_established",
    "net.netfilter.nf_conntrack_tcp_timeout_close_wait",
    "net.bridge.bridge-nf-call-iptables",
    "net.bridge.bridge-nf-call-ip6tables",
)
# Written by the kubelet (device-plugins, container log links), containerd (its default
# root, state, shim sockets, /opt plugin dir), CNI (result cache, host-local leases, config)
# and skopeo (blob cache) unless something keeps them away.
WATCHED_PATHS = (
    "/var/lib/kubelet",
    "/var/log/containers",
    "/var/log/pods",
    "/var/lib/containerd",
    "/run/containerd",
    "/opt/containerd",
    "/var/lib/cni",
    "/etc/cni",
    "/opt/cni",
    "/run/netns",
    "/var/lib/containers",
    "/etc/kubernetes",
    "/run/flink-session",
)


@dataclass(frozen=True)
class Snapshot:
    """The machine's state in each category, as sorted lines."""

    categories: dict[str, tuple[str, ...]]
    # Ledger entries of real nodes present at the time: index -> node directory.
    other_nodes: dict[str, str] = field(default_factory=dict)


def _run(*command: str) -> str:
    if shutil.which(command[0]) is None:
        return f"<{command[0]} not installed>"
    result = subprocess.run(list(command), capture_output=True, text=True, check=False)
    return result.stdout + (f"<exit {result.returncode}: {result.stderr.strip()}>" if result.returncode else "")


def _lines(text: str) -> tuple[str, ...]:
    return tuple(sorted(line.rstrip() for line in text.splitlines() if line.strip()))


def _mounts() -> tuple[str, ...]:
    entries: list[str] = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        separator = fields.index("-")
        entries.append(f"{fields[4]} {fields[separator + 1]} {fields[separator + 2]}")
    return tuple(sorted(entries))


def _rules(command: str) -> tuple[str, ...]:
    # Packet counters change by themselves; the rules do not.
    text = _run(command)
    return _lines(re.sub(r"\[\d+:\d+\]", "[-]", "\n".join(line for line in text.splitlines() if not line.startswith("#"))))


def _sysctl(name: str) -> str:
    path = Path("/proc/sys") / name.replace(".", "/")
    try:
        return f"{name} = {path.read_text().strip()}"
    except OSError:
        return f"{name} <absent>"


def _cgroups() -> tuple[str, ...]:
    entries: list[str] = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        fstype = fields[fields.index("-") + 1]
        if fstype in ("cgroup", "cgroup2"):
            root = Path(fields[4])
            entries.extend(str(child) for child in root.iterdir() if child.is_dir())
    return tuple(sorted(entries))


def _paths() -> tuple[str, ...]:
    entries: list[str] = []
    for name in WATCHED_PATHS:
        path = Path(name)
        if not path.exists():
            entries.append(f"{name} <absent>")
        elif path.is_dir():
            entries.append(f"{name}/ [{', '.join(sorted(child.name for child in path.iterdir()))}]")
        else:
            entries.append(f"{name} <file>")
    return tuple(entries)


def _processes(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Processes whose command line or cgroup names one of `tokens` (one cluster's)."""
    found: list[str] = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            cgroup = (proc / "cgroup").read_text()
        except OSError:
            continue
        if any(token in cmdline or token in cgroup for token in tokens):
            found.append(f"{proc.name} {cmdline[:200]}")
    return tuple(sorted(found))


def _ledger() -> dict[str, str]:
    nodes = LEDGER / "nodes"
    if not nodes.is_dir():
        return {}
    return {entry.name: entry.read_text().strip() for entry in nodes.iterdir()}


def snapshot(process_tokens: tuple[str, ...]) -> Snapshot:
    """The machine's state now; `process_tokens` pick the cluster's processes."""
    categories = {
        "mounts": _mounts(),
        "links": _lines(_run("ip", "-d", "-o", "link", "show")),
        "addresses": _lines(_run("ip", "-o", "addr", "show")),
        "routes": _lines(_run("ip", "route", "show", "table", "all")),
        "netns": _lines(_run("ip", "netns", "list")),
        "iptables": _rules("iptables-save"),
        "ip6tables": _rules("ip6tables-save"),
        "nftables": _lines(_run("nft", "list", "ruleset")),
        "sysctls": tuple(_sysctl(name) for name in (*SHARED_SYSCTLS, *NETWORK_SYSCTLS)),
        "cgroups": _cgroups(),
        "paths": _paths(),
        "processes": _processes(process_tokens),
    }
    return Snapshot(categories, _ledger())


def _belongs_to_other_node(line: str, category: str, others: dict[str, str]) -> bool:
    for index, node_dir in others.items():
        if category == "mounts" and node_dir in line:
            return True
        if category in ("links", "addresses", "routes") and (
            re.search(rf"\bfsn{index}\b", line) or f"10.245.{index}." in line or f"10.244.{index}." in line
        ):
            return True
        if category == "cgroups" and line.endswith(f"/flink-session-node-{index}"):
            return True
    return False


def differences(before: Snapshot, after: Snapshot, mine: str) -> dict[str, tuple[list[str], list[str]]]:
    """Per category, (lines only before, lines only after), leaving out other real nodes.

    `mine` is this cluster's node directory, whose own ledger entry is never "other".
    """
    others = {index: path for index, path in {**before.other_nodes, **after.other_nodes}.items() if path != mine}
    changed: dict[str, tuple[list[str], list[str]]] = {}
    for category, found in before.categories.items():
        earlier, later = found, after.categories[category]
        if category == "sysctls" and others:
            earlier = tuple(line for line in earlier if line.split(" ")[0] not in SHARED_SYSCTLS)
            later = tuple(line for line in later if line.split(" ")[0] not in SHARED_SYSCTLS)
        if category == "paths" and others:
            # Another node keeps the ledger alive.
            earlier = tuple(line for line in earlier if not line.startswith(str(LEDGER)))
            later = tuple(line for line in later if not line.startswith(str(LEDGER)))
        gone = [line for line in earlier if line not in later and not _belongs_to_other_node(line, category, others)]
        new = [line for line in later if line not in earlier and not _belongs_to_other_node(line, category, others)]
        if gone or new:
            changed[category] = (gone, new)
    return changed
