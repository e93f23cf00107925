#!/usr/bin/env bash
# A local Kubernetes control plane on loopback: etcd, kube-apiserver, controller-manager,
# scheduler and kwok (simulated nodes that run pods as Ready, no container runtime),
# started by kwokctl from the binaries tools/toolchain/build.sh built.
#
#   cluster.sh up     start it (idempotent) and print the kubeconfig path
#   cluster.sh down   stop it and delete its state
#
# Env: FLINK_SESSION_CLUSTER (name, default flink-session), KWOK_WORKDIR (state dir,
# default ~/.cache/flink-session/kwok). The simulated nodes are in nodes.yaml.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name="${FLINK_SESSION_CLUSTER:-flink-session}"
export KWOK_WORKDIR="${KWOK_WORKDIR:-$HOME/.cache/flink-session/kwok}"
kubeconfig="$KWOK_WORKDIR/$name.kubeconfig"

tools() {
  # Only the control plane is needed here; build.sh exits 3 for the Pulumi tools it cannot have.
  bash "$here/../toolchain/build.sh" 2>/dev/null || true
}

path_of() {
  local tool=$1
  tools | sed -n "s/^$tool=//p" | head -1
}

case "${1:-}" in
  up)
    mkdir -p "$KWOK_WORKDIR"
    listing="$(tools)"
    get() { printf '%s\n' "$listing" | sed -n "s/^$1=//p" | head -1; }
    kwokctl="$(get kwokctl)"
    if ! "$kwokctl" get clusters 2>/dev/null | grep -qx "$name"; then
      "$kwokctl" create cluster --name "$name" --runtime binary \
        --kube-apiserver-binary "$(get kube-apiserver)" \
        --kube-controller-manager-binary "$(get kube-controller-manager)" \
        --kube-scheduler-binary "$(get kube-scheduler)" \
        --kwok-controller-binary "$(get kwok)" \
        --etcd-binary "$(get etcd)" \
        --kubeconfig "$kubeconfig" \
        --wait 2m >&2
      "$(get kubectl)" --kubeconfig "$kubeconfig" apply -f "$here/nodes.yaml" >&2
    else
      "$kwokctl" start cluster --name "$name" >&2 || true
    fi
    echo "$kubeconfig"
    ;;
  down)
    kwokctl="$(path_of kwokctl)"
    "$kwokctl" delete cluster --name "$name" --kubeconfig "$kubeconfig" >&2 || true
    rm -f "$kubeconfig"
    ;;
  *)
    echo "usage: $0 up|down" >&2
    exit 2
    ;;
esac
