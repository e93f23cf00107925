#!/usr/bin/env bash
# `make up` / `make down`: the dev stack (or STACK=...) through the real `pulumi up` / `pulumi destroy`.
#
# Where: $KUBECONFIG, else the current context of ~/.kube/config; with neither, or with
# FLINK_SESSION_LOCAL=1, the local cluster (tools/localcluster/cluster.sh: a control plane
# on loopback with a real node), started by `up` and stopped by `down`.
# How: the Pulumi CLI and Kubernetes provider from tools/toolchain/build.sh (an isolated
# PULUMI_HOME), offline unless you say otherwise: a file backend in .pulumi-state/
# ($PULUMI_BACKEND_URL wins), the passphrase secrets provider with the committed stacks'
# example passphrase ($PULUMI_CONFIG_PASSPHRASE wins), no update check, no plugin downloads.
# After `up` it prints the stack outputs, checks the REST API through `kubectl port-forward`
# (GET /overview must show the stack's slots) and prints the command to reach the web UI.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
action="${1:-up}"
stack="${STACK:-dev}"
python="${PYTHON:-$root/.venv/bin/python}"
local_kubeconfig="${KWOK_WORKDIR:-$HOME/.cache/flink-session/kwok}/${FLINK_SESSION_CLUSTER:-flink-session}.kubeconfig"

log() { printf 'flink-session: %s\n' "$*" >&2; }

has_context() {
  [[ "${FLINK_SESSION_LOCAL:-}" == 1 ]] && return 1
  [[ -n "${KUBECONFIG:-}" ]] && return 0
  [[ -f "$HOME/.kube/config" ]] && command -v kubectl >/dev/null && kubectl config current-context >/dev/null 2>&1
}

engine="$(bash "$root/tools/toolchain/build.sh" pulumi)" || exit $?
setting() { printf '%s\n' "$engine" | sed -n "s/^$1=//p"; }
pulumi_bin="$(setting pulumi)"
PATH="$(dirname "$pulumi_bin"):$PATH"
PULUMI_HOME="$(setting pulumi-home)"
export PATH PULUMI_HOME
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-flink-session-example}"
if [[ -z "${PULUMI_BACKEND_URL:-}" ]]; then
  mkdir -p "$root/.pulumi-state"
  export PULUMI_BACKEND_URL="file://$root/.pulumi-state"
fi

local_cluster=false
if ! has_context; then
  local_cluster=true
  if [[ "$action" == up ]]; then
    log "no KUBECONFIG or kube context: starting the local cluster (tools/localcluster/cluster.sh)"
    KUBECONFIG="$(bash "$here/cluster.sh" up | tail -1)"
  else
    KUBECONFIG="$local_kubeconfig"
  fi
  export KUBECONFIG
fi
kubectl="$(command -v kubectl || true)"
if [[ "$local_cluster" == true || -z "$kubectl" ]]; then
  kubectl="$(bash "$root/tools/toolchain/build.sh" 2>/dev/null | sed -n 's/^kubectl=//p')"
fi

cd "$root"
pulumi stack select --create --secrets-provider passphrase "$stack" >/dev/null

# Checks the REST API of every cluster of the stack through `kubectl port-forward`, the way
# the README tells a user to reach it, and prints how to do that.
reach_rest_apis() {
  local outputs port=18081
  outputs="$(pulumi stack output --json clusters)"
  while IFS=$'\t' read -r name namespace slots forward; do
    local service="${forward#*svc/}"
    service="${service%% *}"
    "$kubectl" -n "$namespace" port-forward "svc/$service" "$port:8081" >/dev/null 2>&1 &
    local forwarder=$! overview=""
    for _ in $(seq 60); do
      if overview="$(curl -fsS "http://127.0.0.1:$port/overview" 2>/dev/null)" \
        && [[ "$("$python" -c 'import json,sys; print(json.load(sys.stdin)["slots-total"])' <<<"$overview")" == "$slots" ]]; then
        break
      fi
      overview=""
      sleep 2
    done
    kill "$forwarder" 2>/dev/null || true
    wait "$forwarder" 2>/dev/null || true
    if [[ -z "$overview" ]]; then
      log "cluster $name: GET /overview did not show $slots slots within 2 minutes (kubectl -n $namespace get pods)"
      return 1
    fi
    log "cluster $name: GET /overview -> $overview"
    if [[ "$local_cluster" == true ]]; then
      forward="KUBECONFIG=$KUBECONFIG ${forward/#kubectl/$kubectl}"
    fi
    log "  web UI: $forward   then open http://localhost:8081"
    port=$((port + 1))
  done < <("$python" -c '
import json, sys
for name, c in json.load(sys.stdin).items():
    print(name, c["namespace"], c["totalSlots"], c["portForward"], sep="\t")
' <<<"$outputs")
}

case "$action" in
  up)
    pulumi up --stack "$stack" --yes
    pulumi stack output --stack "$stack"
    reach_rest_apis
    ;;
  down)
    pulumi destroy --stack "$stack" --yes
    if [[ "$local_cluster" == true ]]; then
      # The local cluster goes with its state: the next `make up` starts from nothing.
      # --preserve-config: the stack file is the repository's, not the local state's.
      pulumi stack rm --stack "$stack" --yes --force --preserve-config >/dev/null
      bash "$here/cluster.sh" down
    fi
    ;;
  *)
    echo "usage: $0 up|down" >&2
    exit 2
    ;;
esac
