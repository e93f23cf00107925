#!/usr/bin/env bash
# A local Kubernetes cluster: a control plane on loopback (etcd, kube-apiserver,
# controller-manager, scheduler and kwok, started by kwokctl from the binaries
# tools/toolchain/build.sh built), four simulated nodes (nodes.yaml: kwok marks their pods
# Running and Ready without running anything) and, unless --kwok-only, one real node
# (node.sh: containerd, kubelet, kube-proxy, a registry and CoreDNS) that runs pods for
# real. With the real node, the simulated nodes carry the taint
# flink-session.dev/simulated=true:NoSchedule, so pods without a toleration land on it.
#
#   cluster.sh up [--kwok-only]   start it (idempotent) and print the kubeconfig path last
#   cluster.sh down               stop it, delete its state and put the machine back
#
# Env: FLINK_SESSION_CLUSTER (name, default flink-session), KWOK_WORKDIR (state dir,
# default ~/.cache/flink-session/kwok). The real node needs root and the Debian packages
# of packages.sh; its images are built on first use (tools/images/build.sh, cached).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name="${FLINK_SESSION_CLUSTER:-flink-session}"
# Absolute: the node's daemons get paths under it and do not share our working directory.
KWOK_WORKDIR="$(realpath -m "${KWOK_WORKDIR:-$HOME/.cache/flink-session/kwok}")"
export KWOK_WORKDIR
kubeconfig="$KWOK_WORKDIR/$name.kubeconfig"
mode_file="$KWOK_WORKDIR/$name.mode"
config="$KWOK_WORKDIR/$name.kwokctl.yaml"
SIMULATED_TAINT=flink-session.dev/simulated=true:NoSchedule

# build.sh exits 3 for the Pulumi tools only; the cluster needs none of them.
listing="$(bash "$here/../toolchain/build.sh" 2>/dev/null || true)"
tool() { printf '%s\n' "$listing" | sed -n "s/^$1=//p" | head -1; }
kubectl() { "$(tool kubectl)" --kubeconfig "$kubeconfig" "$@"; }

# write_config MODE [HOST_ADDR]: kwokctl's configuration. Every component binds to
# 127.0.0.1 (kwokctl's default is 0.0.0.0). For a real node, additionally: the API
# server's certificate also names the kubernetes Service IP and the node-facing relay
# address, the API server advertises that address (the kubernetes Service's endpoint, so
# pods reach it) and talks to the kubelet by its InternalIP with the admin certificate,
# and kwok leaves the real node alone (it would take it over and fake its pods' status).
write_config() {
  local mode=$1 host_addr=${2:-} pki="$KWOK_WORKDIR/clusters/$name/pki"
  {
    cat <<YAML
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  bindAddress: 127.0.0.1
YAML
    if [[ "$mode" == real ]]; then
      cat <<YAML
  kubeApiserverCertSANs: ["10.0.0.1", "$host_addr"]
componentsPatches:
  - name: kwok-controller
    extraArgs:
      - {key: manage-all-nodes, value: "false"}
      - {key: manage-nodes-with-annotation-selector, value: kwok.x-k8s.io/node=fake}
  - name: kube-apiserver
    extraArgs:
      - {key: advertise-address, value: "$host_addr"}
      - {key: kubelet-preferred-address-types, value: "InternalIP,Hostname,InternalDNS,ExternalDNS,ExternalIP"}
      - {key: kubelet-client-certificate, value: "$pki/admin.crt"}
      - {key: kubelet-client-key, value: "$pki/admin.key"}
YAML
    fi
  } >"$config"
}

start_control_plane() {
  local kwokctl
  kwokctl="$(tool kwokctl)"
  if ! "$kwokctl" get clusters 2>/dev/null | grep -qx "$name"; then
    "$kwokctl" create cluster --name "$name" --runtime binary --config "$config" \
      --kube-apiserver-binary "$(tool kube-apiserver)" \
      --kube-controller-manager-binary "$(tool kube-controller-manager)" \
      --kube-scheduler-binary "$(tool kube-scheduler)" \
      --kwok-controller-binary "$(tool kwok)" \
      --etcd-binary "$(tool etcd)" \
      --kubeconfig "$kubeconfig" \
      --wait 2m >&2
    kubectl apply -f "$here/nodes.yaml" >&2
  else
    "$kwokctl" start cluster --name "$name" >&2 || true
  fi
}

up() {
  local mode=real
  [[ "${1:-}" == --kwok-only ]] && mode=kwok-only
  mkdir -p "$KWOK_WORKDIR"
  local existing=""
  if [[ -e "$mode_file" ]]; then
    existing="$(cat "$mode_file")"
  elif "$(tool kwokctl)" get clusters 2>/dev/null | grep -qx "$name"; then
    # Created before real nodes existed: its API server has no certificate for a node.
    existing=kwok-only
  fi
  if [[ -n "$existing" && "$existing" != "$mode" ]]; then
    echo "cluster.sh: cluster $name exists in $existing mode; run \`cluster.sh down\` first" >&2
    exit 2
  fi
  echo "$mode" >"$mode_file"
  if [[ "$mode" == kwok-only ]]; then
    write_config kwok-only
    start_control_plane
  else
    local host_addr
    host_addr="$(bash "$here/node.sh" prepare | sed -n 's/^HOST_ADDR=//p')"
    write_config real "$host_addr"
    start_control_plane
    kubectl taint nodes -l type=kwok "$SIMULATED_TAINT" --overwrite >&2
    bash "$here/node.sh" up "$kubeconfig"
    local coredns_image
    coredns_image="$(sed -n 's|^\(localhost:5000/flink-session/coredns:[^=]*\)=.*|\1|p' \
      "$KWOK_WORKDIR/nodes/$name/images.list")"
    sed "s|COREDNS_IMAGE|$coredns_image|" "$here/coredns.yaml" | kubectl apply -f - >&2
    kubectl -n kube-system rollout status deployment/coredns --timeout=180s >&2
  fi
  echo "$kubeconfig"
}

down() {
  bash "$here/node.sh" down
  local kwokctl
  kwokctl="$(tool kwokctl)"
  if [[ -x "$kwokctl" ]]; then
    "$kwokctl" delete cluster --name "$name" --kubeconfig "$kubeconfig" >&2 || true
  fi
  rm -f "$kubeconfig" "$mode_file" "$config"
}

case "${1:-}" in
  up) up "${2:-}" ;;
  down) down ;;
  *)
    echo "usage: $0 up [--kwok-only] | down" >&2
    exit 2
    ;;
esac
