#!/usr/bin/env bash
# `make up` / `make down` / `make recover`: the dev stack (or STACK=...) through the real `pulumi up` /
# `pulumi destroy`, and the recovery after a killed `pulumi up` (tools/recover.py, docs/recovery.md).
#
# Where: $KUBECONFIG, else the current context of ~/.kube/config: your cluster, for which
# nothing but Python and the Pulumi engine is needed (no Go build, no apt, no root). With
# neither, or with FLINK_SESSION_LOCAL=1, the local cluster (tools/localcluster/cluster.sh:
# a control plane on loopback with a real node): its toolchain, Debian packages and images
# are made first (cached), then `up` starts it and `down` stops it.
# How: the Pulumi CLI and Kubernetes provider from tools/toolchain/build.sh (an isolated
# PULUMI_HOME), offline unless you say otherwise: a file backend in .pulumi-state/
# ($PULUMI_BACKEND_URL wins), the passphrase secrets provider with the committed stacks'
# example passphrase ($PULUMI_CONFIG_PASSPHRASE wins), no update check, no plugin downloads.
# Each long step prints one line (what, how long it takes cold and cached) and writes its
# output to a log under $FLINK_SESSION_LOGS (default ~/.cache/flink-session/logs); a failed
# step prints the end of its log. After `up` it prints the stack outputs, waits for
# `GET /overview` to show the stack's slots (through the Kubernetes API, as the job
# resources reach it: python -m tools.overview) and prints the command for the web UI.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
action="${1:-up}"
stack="${STACK:-dev}"
python="${PYTHON:-$root/.venv/bin/python}"
cache="${FLINK_SESSION_CACHE:-$HOME/.cache/flink-session}"
logs="${FLINK_SESSION_LOGS:-$cache/logs}"
local_kubeconfig="${KWOK_WORKDIR:-$cache/kwok}/${FLINK_SESSION_CLUSTER:-flink-session}.kubeconfig"
mkdir -p "$logs"

log() { printf 'flink-session: %s\n' "$*" >&2; }

# step NAME WHAT COMMAND...: run COMMAND with its stderr in $logs/NAME.log and its stdout in
# $logs/NAME.out (what callers read); one line when it starts, one when it ends.
step() {
  local name=$1 what=$2 started=$SECONDS status=0
  shift 2
  log "$what (log: $logs/$name.log)"
  "$@" >"$logs/$name.out" 2>"$logs/$name.log" || status=$?
  if ((status)); then
    log "$name failed (exit $status) after $((SECONDS - started)) s; the end of $logs/$name.log:"
    tail -n 25 "$logs/$name.log" >&2
    exit "$status"
  fi
  log "  $name: done in $((SECONDS - started)) s"
}

has_context() {
  [[ "${FLINK_SESSION_LOCAL:-}" == 1 ]] && return 1
  [[ -n "${KUBECONFIG:-}" ]] && return 0
  [[ -f "$HOME/.kube/config" ]] && command -v kubectl >/dev/null && kubectl config current-context >/dev/null 2>&1
}

local_cluster=false
has_context || local_cluster=true

step engine "the Pulumi engine: on PATH, cached, or from \$PULUMI_ARCHIVES (cold about 10 s, cached under 1 s)" \
  bash "$root/tools/toolchain/build.sh" pulumi
setting() { sed -n "s/^$1=//p" "$logs/engine.out"; }
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

if [[ "$local_cluster" == true ]]; then
  if [[ "$action" == up ]]; then
    log "no KUBECONFIG or kube context: the local cluster (FLINK_SESSION_LOCAL=1 forces it)"
    step toolchain "etcd, Kubernetes, kwok and CoreDNS from their Go modules (cold about 10 min, cached under 1 s)" \
      bash "$root/tools/toolchain/build.sh"
    step packages "the real node's Debian packages with apt, as root (cold about 1 min, installed under 1 s)" \
      bash "$here/packages.sh"
    step images "the Flink, pause, CoreDNS and toolbox images (cold about 3 min, cached about 3 s)" \
      env PYTHON="$python" bash "$root/tools/images/build.sh" all
    step cluster "the control plane and the real node (cold about 15 s, running under 1 s)" \
      env PYTHON="$python" bash "$here/cluster.sh" up
    KUBECONFIG="$(tail -1 "$logs/cluster.out")"
  else
    KUBECONFIG="$local_kubeconfig"
  fi
  export KUBECONFIG
fi

cd "$root"
pulumi stack select --create --secrets-provider passphrase "$stack" >/dev/null

case "$action" in
  up)
    log "pulumi up --stack $stack (the engine's own output follows)"
    pulumi up --stack "$stack" --yes
    pulumi stack output --stack "$stack"
    log "waiting for every cluster's GET /overview to show the stack's slots"
    pulumi stack output --stack "$stack" --json clusters | "$python" -m tools.overview
    while IFS= read -r forward; do
      if [[ "$local_cluster" == true ]]; then  # the toolchain's kubectl, on the local cluster's kubeconfig
        forward="KUBECONFIG=$KUBECONFIG ${forward/#kubectl/$(sed -n 's/^kubectl=//p' "$logs/toolchain.out")}"
      fi
      log "  web UI: $forward   then open http://localhost:8081"
    done < <(pulumi stack output --stack "$stack" --json clusters | "$python" -c '
import json, sys
for cluster in json.load(sys.stdin).values():
    print(cluster["portForward"])
')
    ;;
  recover)
    log "python -m tools.recover --stack $stack (after a killed pulumi up; docs/recovery.md)"
    "$python" -m tools.recover --stack "$stack"
    ;;
  down)
    log "pulumi destroy --stack $stack"
    pulumi destroy --stack "$stack" --yes
    if [[ "$local_cluster" == true ]]; then
      # The local cluster goes with its state: the next `make up` starts from nothing.
      # --preserve-config: the stack file is the repository's, not the local state's.
      pulumi stack rm --stack "$stack" --yes --force --preserve-config >/dev/null
      step cluster-down "stopping the local cluster and putting the machine back (about 3 s)" bash "$here/cluster.sh" down
    fi
    ;;
  *)
    echo "usage: $0 up|down|recover" >&2
    exit 2
    ;;
esac
