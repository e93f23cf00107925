#!/usr/bin/env bash
# The local cluster's real node: containerd + runc + CNI bridge, kubelet, kube-proxy and a
# local registry, in a network and mount namespace of its own, joined to the kwokctl
# control plane that cluster.sh starts. Used by cluster.sh; needs root.
#
#   node.sh prepare        allocate the node's addresses (before the control plane exists:
#                          the API server's certificate and advertise address need them);
#                          prints the node.env lines
#   node.sh up KUBECONFIG  build/push the images, start the node (idempotent: a healthy
#                          node is left alone, a broken one restarted), wait until Ready
#   node.sh down           stop everything and put the machine back as it was
#   node.sh status         exit 0 if the node's daemons run and the kubelet is healthy
#
# Env: FLINK_SESSION_CLUSTER, KWOK_WORKDIR (as cluster.sh), PYTHON (the API relay;
# default python3), FLINK_SESSION_CACHE (images and registry storage).
#
# Network (N = the node index, unique among the machine's real nodes):
#   host end of the veth  fsn<N>  10.245.N.1/30   (API relay for the node on :<API port>)
#   node end of the veth  eth0    10.245.N.2/30   (kubelet :10250, NodePorts)
#   pods                  cni0    10.244.N.0/24   (routed from the host via 10.245.N.2)
#   registry              127.0.0.1:5000 inside the node's namespace
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
name="${FLINK_SESSION_CLUSTER:-flink-session}"
KWOK_WORKDIR="$(realpath -m "${KWOK_WORKDIR:-$HOME/.cache/flink-session/kwok}")"
export KWOK_WORKDIR
cache="${FLINK_SESSION_CACHE:-$HOME/.cache/flink-session}"
node_dir="$KWOK_WORKDIR/nodes/$name"
node_env="$node_dir/node.env"
python="${PYTHON:-python3}"
# shellcheck source=node-host.sh
source "$here/node-host.sh"
# shellcheck source=node-config.sh
source "$here/node-config.sh"

log() { printf 'node.sh: %s\n' "$*" >&2; }

load_env() {
  [[ -r "$node_env" ]] || return 1
  # shellcheck source=/dev/null
  source "$node_env"
}

in_node() { nsenter --net="$node_dir/ns/net" --mount="$node_dir/ns/mnt" -- "$@"; }
in_node_net() { nsenter --net="$node_dir/ns/net" -- "$@"; }

# start NAME node|node-net|host COMMAND...: a daemon in its own session (a signal to the
# caller's process group must not reach it), with no inherited stdout (a caller reading
# our output would wait for it forever), logging to logs/NAME.log.
start() {
  local name=$1 where=$2
  shift 2
  local enter=()
  case "$where" in
    node) enter=(nsenter --net="$node_dir/ns/net" --mount="$node_dir/ns/mnt" --) ;;
    node-net) enter=(nsenter --net="$node_dir/ns/net" --) ;;
  esac
  # A simple command, not a shell function, so that $! is the daemon itself: nsenter and
  # setsid exec what they run.
  "${enter[@]}" setsid "$@" </dev/null >>"$node_dir/logs/$name.log" 2>&1 &
  echo $! >"$node_dir/run/$name.pid"
}

# wait_for WHAT SECONDS COMMAND...: retry COMMAND until it succeeds.
wait_for() {
  local what=$1 seconds=$2 deadline
  shift 2
  deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "timed out after ${seconds}s waiting for $what; logs in $node_dir/logs"
      return 1
    fi
    sleep 0.2
  done
}

tcp_open() { bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
kubelet_healthy() { in_node_net bash -c 'exec 3<>/dev/tcp/127.0.0.1/10248 && printf "GET /healthz HTTP/1.0\r\n\r\n" >&3 && grep -q "^ok" <&3'; }

prepare() {
  mkdir -p "$node_dir"
  if [[ ! -r "$node_env" ]]; then
    case "$KWOK_WORKDIR" in
      /run | /run/* | /var/run/* | /var/lib | /var/lib/* | /var/log | /var/log/*)
        log "KWOK_WORKDIR=$KWOK_WORKDIR: the node hides /run, /var/lib and /var/log from its daemons; put its state elsewhere"
        return 2
        ;;
    esac
    # containerd's and the kubelet's sockets live below it, and a socket path has at most
    # 107 bytes; the longest, containerd/containerd.sock.ttrpc, adds 36.
    if ((${#node_dir} > 70)); then
      log "$node_dir is too long for the node's unix sockets; use a shorter KWOK_WORKDIR or cluster name"
      return 2
    fi
    local index
    index="$(with_ledger_lock allocate_index "$node_dir")"
    cat >"$node_env.tmp" <<ENV
NODE_INDEX=$index
NODE_NAME=real-node
HOST_IF=fsn$index
HOST_ADDR=10.245.$index.1
NODE_ADDR=10.245.$index.2
POD_CIDR=10.244.$index.0/24
POD_GATEWAY=10.244.$index.1
DNS_SERVICE_IP=10.0.0.10
CGROUP_ROOT=/flink-session-node-$index
REGISTRY_ADDR=127.0.0.1:5000
ENV
    mv "$node_env.tmp" "$node_env"
  fi
  cat "$node_env"
}

# The node's namespaces, persisted as bind mounts of files under ns/ (itself a private
# mount, so the namespace files can be mounted there), and inside the mount namespace
# /run, /var/lib and /var/log replaced by the node's own directories: what the kubelet
# and containerd write there regardless of their configuration (device-plugins, the
# /var/log/containers links, shim sockets) never reaches the machine.
create_namespaces() {
  local dir
  mkdir -p "$node_dir/ns"
  if ! findmnt -n "$node_dir/ns" >/dev/null; then
    mount --bind "$node_dir/ns" "$node_dir/ns"
    mount --make-private "$node_dir/ns"
  fi
  touch "$node_dir/ns/net" "$node_dir/ns/mnt"
  unshare --net="$node_dir/ns/net" --mount="$node_dir/ns/mnt" --propagation private true
  for dir in run var/lib var/log; do
    mkdir -p "$node_dir/host/$dir"
    in_node mount --bind "$node_dir/host/$dir" "/$dir"
  done
}

create_network() {
  in_node_net ip link add eth0 type veth peer name "$HOST_IF" netns "$$"
  ip addr add "$HOST_ADDR/30" dev "$HOST_IF"
  ip link set "$HOST_IF" up
  in_node_net ip link set lo up
  in_node_net ip addr add "$NODE_ADDR/30" dev eth0
  in_node_net ip link set eth0 up
  # No default route in the node: a pod's packet for anywhere but the node, its pods and
  # the machine's end of the veth (the API relay) is unroutable, whatever the machine's own
  # forwarding setting. The machine routes to the pods, so the API server reaches them.
  ip route add "$POD_CIDR" via "$NODE_ADDR" dev "$HOST_IF"
  # Inside the node's namespace only: the pod bridge routes between pods and Services.
  in_node_net sysctl -q -w net.ipv4.ip_forward=1
}

# push_images: every image tools/images/build.sh lists, into the node's registry; an
# image whose manifest is already there is skipped. skopeo runs in the node's namespaces:
# the registry is on the node's loopback, and skopeo's blob cache (/var/lib/containers
# for root) then lands in the node's /var/lib, not the machine's.
push_images() {
  local ref source repo have want
  while IFS='=' read -r ref source; do
    repo="${ref#*/}"
    want="$(in_node skopeo inspect --format '{{.Digest}}' "$source")"
    have="$(in_node skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REGISTRY_ADDR/$repo" 2>/dev/null || true)"
    [[ "$have" == "$want" ]] && continue
    log "pushing $ref"
    in_node skopeo copy --quiet --dest-tls-verify=false "$source" "docker://$REGISTRY_ADDR/$repo" >&2
  done <"$node_dir/images.list"
}

start_node() {
  local kubeconfig=$1 api_server api_port
  mkdir -p "$node_dir"/{logs,run,kubelet,certs,pod-logs,cni/net.d,cni/ipam,containerd,runc}
  bash "$root/tools/images/build.sh" all >"$node_dir/images.list"
  PAUSE_IMAGE="$(sed -n 's|^\(localhost:5000/flink-session/pause:[^=]*\)=.*|\1|p' "$node_dir/images.list")"
  CLUSTER_PKI="$KWOK_WORKDIR/clusters/$name/pki"
  REGISTRY_STORAGE="$cache/registry"
  mkdir -p "$REGISTRY_STORAGE"
  create_cgroup "$CGROUP_ROOT"
  create_namespaces
  create_network

  render_registry_config >"$node_dir/registry.yml"
  start registry node-net docker-registry serve "$node_dir/registry.yml"
  wait_for "the registry" 30 in_node_net bash -c "exec 3<>/dev/tcp/${REGISTRY_ADDR/://}"
  push_images

  render_containerd_config >"$node_dir/containerd/config.toml"
  render_registry_hosts "$node_dir/containerd/certs.d"
  render_cni_config >"$node_dir/cni/net.d/10-flink-session.conflist"
  start containerd node containerd --config "$node_dir/containerd/config.toml"
  wait_for containerd 30 in_node ctr --address "$node_dir/containerd/containerd.sock" version

  # The API server listens on the machine's loopback: relay the node's side to it.
  api_server="$(kubectl_ --kubeconfig "$kubeconfig" config view --minify -o jsonpath='{.clusters[0].cluster.server}')"
  api_port="${api_server##*:}"
  start api-proxy host "$python" "$here/api_proxy.py" "$HOST_ADDR" "$api_port" 127.0.0.1 "$api_port"
  wait_for "the API relay" 30 tcp_open "$HOST_ADDR" "$api_port"
  kubectl_ --kubeconfig "$kubeconfig" config view --minify --flatten --raw |
    sed "s|server: .*|server: https://$HOST_ADDR:$api_port|" >"$node_dir/kubeconfig"

  render_kubelet_config >"$node_dir/kubelet/config.yaml"
  start kubelet node "$(tool kubelet)" --config="$node_dir/kubelet/config.yaml" \
    --kubeconfig="$node_dir/kubeconfig" --root-dir="$node_dir/kubelet" --cert-dir="$node_dir/certs" \
    --hostname-override="$NODE_NAME" --node-ip="$NODE_ADDR" \
    --node-labels="type=real,flink-session.dev/node=real"
  render_kube_proxy_config >"$node_dir/kube-proxy.yaml"
  start kube-proxy node "$(tool kube-proxy)" --config="$node_dir/kube-proxy.yaml"
  wait_for "the kubelet" 60 kubelet_healthy
  wait_for "node $NODE_NAME to be Ready" 120 \
    kubectl_ --kubeconfig "$kubeconfig" wait --for=condition=Ready "node/$NODE_NAME" --timeout=5s
}

# The toolchain's paths, listed once by load_tools (build.sh exits 3 when only the Pulumi
# engine is missing, which the node does not need).
tools=""
load_tools() { tools="$(bash "$root/tools/toolchain/build.sh" 2>/dev/null || true)"; }
tool() { printf '%s\n' "$tools" | sed -n "s/^$1=//p" | head -1; }
kubectl_() { "$(tool kubectl)" "$@"; }

# stop_node: everything up to the node's directory and its ledger entry.
stop_node() {
  kill_node_processes
  if [[ -n "${HOST_IF:-}" ]] && ip link show "$HOST_IF" >/dev/null 2>&1; then
    ip link del "$HOST_IF"
  fi
  local file
  for file in "$node_dir/ns/net" "$node_dir/ns/mnt" "$node_dir/ns"; do
    if findmnt -n "$file" >/dev/null 2>&1; then
      umount "$file"
    fi
  done
  if [[ -n "${CGROUP_ROOT:-}" ]]; then
    remove_cgroup "$CGROUP_ROOT"
  fi
  rm -rf "$node_dir/run"
}

healthy() {
  local daemon
  for daemon in registry containerd api-proxy kubelet kube-proxy; do
    pid_of "$daemon" >/dev/null || return 1
  done
  kubelet_healthy
}

case "${1:-}" in
  prepare)
    prepare
    ;;
  up)
    kubeconfig="${2:?usage: node.sh up KUBECONFIG}"
    load_env || {
      log "no $node_env: run node.sh prepare first"
      exit 2
    }
    load_tools
    if healthy; then
      wait_for "node $NODE_NAME to be Ready" 120 \
        kubectl_ --kubeconfig "$kubeconfig" wait --for=condition=Ready "node/$NODE_NAME" --timeout=5s
      exit 0
    fi
    stop_node
    start_node "$kubeconfig"
    ;;
  down)
    [[ -d "$node_dir" ]] || exit 0
    load_env || true
    stop_node
    if [[ -n "${NODE_INDEX:-}" ]]; then
      with_ledger_lock release_index "$NODE_INDEX"
    fi
    if nothing_mounted_below "$node_dir"; then
      rm -rf --one-file-system "$node_dir"
      rmdir --ignore-fail-on-non-empty "$KWOK_WORKDIR/nodes"
    else
      log "left $node_dir in place: something is still mounted below it"
      exit 1
    fi
    ;;
  status)
    load_env && healthy
    ;;
  *)
    echo "usage: $0 prepare | up KUBECONFIG | down | status" >&2
    exit 2
    ;;
esac
