#!/usr/bin/env bash
# `make up` / `make down`: the dev stack (or STACK) on a cluster.
#
# Without KUBECONFIG, the local control plane (cluster.sh) is started and used.
# With the Pulumi CLI, its Python language host and pulumi-resource-kubernetes available
# (on PATH or built by tools/toolchain/build.sh), it runs `pulumi up` offline: a file
# backend in .pulumi-state/, the passphrase secrets provider, no update check, no plugin
# downloads. Those three cannot be built here (the module proxy refuses them; see the
# README), so it then says so and applies the same objects with
# `kubectl apply --server-side` from tools/render instead, waiting for the Deployments.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
action="${1:-up}"
stack="${STACK:-dev}"
python="${PYTHON:-$root/.venv/bin/python}"

started_local=false
if [[ -z "${KUBECONFIG:-}" ]]; then
  if [[ "$action" == up ]]; then
    KUBECONFIG="$(bash "$here/cluster.sh" up)"
  else
    KUBECONFIG="${KWOK_WORKDIR:-$HOME/.cache/flink-session/kwok}/${FLINK_SESSION_CLUSTER:-flink-session}.kubeconfig"
  fi
  started_local=true
fi
export KUBECONFIG

listing="$(bash "$root/tools/toolchain/build.sh" 2>/dev/null || true)"
tool() { printf '%s\n' "$listing" | sed -n "s/^$1=//p" | head -1; }
kubectl="$(tool kubectl)"

if [[ -n "$(tool pulumi)" && -n "$(tool pulumi-language-python)" && -n "$(tool pulumi-resource-kubernetes)" ]]; then
  export PATH="$(dirname "$(tool pulumi)"):$(dirname "$(tool pulumi-language-python)"):$(dirname "$(tool pulumi-resource-kubernetes)"):$PATH"
  mkdir -p "$root/.pulumi-state"
  export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$root/.pulumi-state}"
  export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-flink-session-example}"
  export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  cd "$root"
  pulumi stack select --create "$stack" >/dev/null
  if [[ "$action" == up ]]; then
    pulumi up --stack "$stack" --yes
    pulumi stack output --stack "$stack"
  else
    pulumi destroy --stack "$stack" --yes
  fi
else
  echo "flink-session: the Pulumi CLI, language host or Kubernetes provider is not available here" >&2
  echo "  (tools/toolchain/build.sh says why); applying the same objects with kubectl instead." >&2
  manifests="$(mktemp)"
  trap 'rm -f "$manifests"' EXIT
  (cd "$root" && "$python" -m tools.render "$stack" --out "$manifests")
  if [[ "$action" == up ]]; then
    # The PodMonitor needs the Prometheus operator's CRD; skip it where that is not installed.
    if ! "$kubectl" get crd podmonitors.monitoring.coreos.com >/dev/null 2>&1; then
      (cd "$root" && "$python" - "$manifests" <<'PY'
import sys, yaml
path = sys.argv[1]
docs = [d for d in yaml.safe_load_all(open(path)) if d and d["kind"] != "PodMonitor"]
open(path, "w").write(yaml.safe_dump_all(docs, sort_keys=True))
PY
      )
    fi
    "$kubectl" apply --server-side --field-manager=flink-session -f "$manifests"
    namespace="$(sed -n 's/^# Namespace //p' <(cd "$root" && "$python" -m tools.render "$stack") | head -1)"
    "$kubectl" -n "$namespace" wait --for=condition=Available deployment --all --timeout=180s
    "$kubectl" -n "$namespace" get deployments,services,pods
  else
    "$kubectl" delete --ignore-not-found -f "$manifests" || true
  fi
fi

if [[ "$action" == down && "$started_local" == true ]]; then
  bash "$here/cluster.sh" down
fi
