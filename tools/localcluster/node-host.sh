# shellcheck shell=bash
# What a real node changes on the machine itself, and how it is put back (sourced by
# node.sh). The node runs in its own network and mount namespaces, so its iptables rules,
# routes, bridge, sysctls of the network stack, mounts and the kubelet's files outside its
# root dir all live and die there. What is left on the machine:
#   - the host end of the node's veth pair (its address, and a route to the pod range);
#   - the two namespace files, bind-mounted under the node's directory;
#   - one cgroup per node (the kubelet's cgroupRoot) in each cgroup hierarchy;
#   - the kernel-wide sysctls the kubelet sets at start (HOST_SYSCTLS);
#   - the processes: the node's daemons, containerd's shims, the pods' processes, and
#     the API relay (api_proxy.py) on the host end of the veth.
# Several clusters may have a real node at once: a ledger in /run/flink-session (present
# only while some node exists) hands out node indexes and keeps the sysctls' original
# values, which the last node to go restores.

# The kubelet's setupKernelTunables (pkg/kubelet/cm/container_manager_linux.go).
HOST_SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes)
LEDGER=/run/flink-session
# The lock outlives the ledger (which the last node removes), so it is in the cache.
LEDGER_LOCK="${FLINK_SESSION_CACHE:-$HOME/.cache/flink-session}/.real-node.lock"

with_ledger_lock() {
  mkdir -p "$(dirname "$LEDGER_LOCK")"
  (
    flock 8
    "$@"
  ) 8>"$LEDGER_LOCK"
}

# Ledger entries whose node directory is gone belong to nodes removed without `down`
# having finished; they hold no index any more.
prune_ledger() {
  local entry
  for entry in "$LEDGER"/nodes/*; do
    if [[ -e "$entry" && ! -d "$(cat "$entry")" ]]; then
      rm -f "$entry"
    fi
  done
}

# allocate_index NODE_DIR: the lowest free node index (0-254), registered for NODE_DIR.
# The first node records the original values of HOST_SYSCTLS.
allocate_index() {
  local node_dir=$1 index sysctl
  mkdir -p "$LEDGER/nodes"
  prune_ledger
  if [[ ! -e "$LEDGER/sysctl.orig" ]]; then
    for sysctl in "${HOST_SYSCTLS[@]}"; do
      printf '%s=%s\n' "$sysctl" "$(sysctl -n "$sysctl")"
    done >"$LEDGER/sysctl.orig.tmp"
    mv "$LEDGER/sysctl.orig.tmp" "$LEDGER/sysctl.orig"
  fi
  for index in $(seq 0 254); do
    [[ -e "$LEDGER/nodes/$index" ]] && continue
    # An address of another tool's making on this machine: not ours to take.
    ip -4 -o addr show | grep -q " 10\.245\.$index\.[0-9]*/" && continue
    printf '%s\n' "$node_dir" >"$LEDGER/nodes/$index"
    echo "$index"
    return 0
  done
  echo "node.sh: no free node index (10.245.0-254.0/30 all in use)" >&2
  return 1
}

# release_index INDEX: the last node out restores the sysctls and removes the ledger.
release_index() {
  local index=$1 line
  rm -f "$LEDGER/nodes/$index"
  [[ -d "$LEDGER" ]] || return 0
  prune_ledger
  if [[ -z "$(ls -A "$LEDGER/nodes" 2>/dev/null)" ]]; then
    if [[ -e "$LEDGER/sysctl.orig" ]]; then
      while IFS= read -r line; do
        sysctl -q -w "$line" >/dev/null
      done <"$LEDGER/sysctl.orig"
    fi
    rm -rf "$LEDGER"
  fi
}

# cgroup_hierarchies: the mount points of every cgroup hierarchy (v1 controllers, named
# hierarchies and the unified one of a hybrid setup).
cgroup_hierarchies() {
  awk '$9 == "cgroup" || $9 == "cgroup2" { print $5 }' /proc/self/mountinfo
}

# create_cgroup PATH: the kubelet's cgroupRoot must exist in every controller it uses;
# cpuset needs its parent's CPUs and memory nodes before a task may join.
create_cgroup() {
  local path=$1 hierarchy
  while IFS= read -r hierarchy; do
    mkdir -p "$hierarchy$path"
    if [[ -e "$hierarchy/cpuset.cpus" ]]; then
      cat "$hierarchy/cpuset.cpus" >"$hierarchy$path/cpuset.cpus"
      cat "$hierarchy/cpuset.mems" >"$hierarchy$path/cpuset.mems"
    fi
  done < <(cgroup_hierarchies)
}

# remove_cgroup PATH: depth first, in every hierarchy; a cgroup can only go once its last
# task has been reaped, so this retries for a while.
remove_cgroup() {
  local path=$1 hierarchy
  local left
  for _ in $(seq 50); do
    left=0
    while IFS= read -r hierarchy; do
      if [[ -d "$hierarchy$path" ]]; then
        find "$hierarchy$path" -depth -type d -exec rmdir {} + 2>/dev/null || true
        [[ ! -d "$hierarchy$path" ]] || left=1
      fi
    done < <(cgroup_hierarchies)
    ((left)) || return 0
    sleep 0.2
  done
  echo "node.sh: cgroup $path could not be removed (tasks left: $(cat /sys/fs/cgroup/*"$path"/cgroup.procs 2>/dev/null | sort -u | tr '\n' ' '))" >&2
  return 1
}

# namespace_inode FILE: the inode of the namespace a bind-mounted namespace file holds
# (/proc/PID/ns/* link to "net:[INODE]"); empty when FILE is not such a mount (any more).
namespace_inode() {
  if [[ -e "$1" ]] && findmnt -n "$1" >/dev/null 2>&1; then
    stat -L -c %i "$1"
  fi
}

# node_pids: every process of the node. Its daemons and containerd's shims are in its
# network or mount namespace; the pods' processes have namespaces of their own but are
# in the node's cgroup; the API relay is found by its pid file. (One find and one grep
# over /proc: a loop of readlinks would take seconds on a busy machine.)
node_pids() {
  local net mnt
  net="$(namespace_inode "$node_dir/ns/net")"
  mnt="$(namespace_inode "$node_dir/ns/mnt")"
  if [[ -n "$net$mnt" ]]; then
    find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/*' \
      \( -lname "net:?${net:-none}?" -o -lname "mnt:?${mnt:-none}?" \) -printf '%h\n' 2>/dev/null |
      cut -d/ -f3 || true
  fi
  if [[ -n "${CGROUP_ROOT:-}" ]]; then
    grep -l ":$CGROUP_ROOT\(/\|$\)" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3 || true
  fi
  pid_of api-proxy || true
}

# pid_of NAME: the pid in run/NAME.pid if that process still runs what we started (its
# command line names the node's directory, or for the API relay its listen address), so a
# recycled pid is never signalled.
pid_of() {
  local file="$node_dir/run/$1.pid" pid mark="$node_dir"
  [[ "$1" == api-proxy ]] && mark="api_proxy.py ${HOST_ADDR:-none} "
  [[ -r "$file" ]] || return 1
  pid="$(cat "$file")"
  [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$mark" || return 1
  echo "$pid"
}

# kill_node_processes: SIGKILL until none is left. Nothing of the node needs a graceful
# stop: its state is thrown away, and a kubelet allowed to linger would restart pods.
kill_node_processes() {
  local pids
  for _ in $(seq 100); do
    mapfile -t pids < <(node_pids | sort -u)
    ((${#pids[@]})) || return 0
    kill -KILL "${pids[@]}" 2>/dev/null || true
    sleep 0.1
  done
  echo "node.sh: processes of the node survived SIGKILL: ${pids[*]}" >&2
  return 1
}

# nothing_mounted_below DIR: true if no mount point is at or below DIR.
nothing_mounted_below() {
  ! awk -v d="$(realpath "$1")/" 'index($5 "/", d) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo
}
