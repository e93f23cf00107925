#!/usr/bin/env bash
# Makes the end-to-end toolchain available, cached outside the repository under a key
# made of each tool's version:
#   ${FLINK_SESSION_TOOLCHAIN:-~/.cache/flink-session/toolchain}/<name>-<version>/
# - etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok,
#   kwokctl and actionlint: no prebuilt download is reachable here, so each is built
#   with `go build` from its Go module;
# - the Pulumi engine (CLI, Python language host, Kubernetes provider): see pulumi_engine.
# Prints `name=path` for each tool (and `pulumi-home=DIR`, the isolated PULUMI_HOME to
# use); exits 3 if a tool could not be had, after making all others, with a message
# that says why and how to get it.
#
#   build.sh              everything
#   build.sh actionlint   only actionlint (used by the test suite)
#   build.sh pulumi       only the Pulumi engine
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${FLINK_SESSION_TOOLCHAIN:-$HOME/.cache/flink-session/toolchain}"
mkdir -p "$cache"
export GOFLAGS="-mod=mod -trimpath"
export CGO_ENABLED=0
missing=()

log() { printf '%s\n' "$*" >&2; }

# on_path NAME VERSION_PATTERN: a tool already on PATH wins when its version matches.
on_path() {
  local name=$1 pattern=$2 found
  found="$(command -v "$name" 2>/dev/null)" || return 1
  "$found" --version 2>&1 | grep -q -- "$pattern" || return 1
  printf '%s\n' "$found"
}

# wrapper_module DIR: an empty module to build other modules' commands from, so that
# their own replace directives (ignored in a dependency) can be restated here.
wrapper_module() {
  local dir=$1
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && go mod init flink-session.local/toolchain >/dev/null 2>&1)
}

KUBERNETES_COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy)

build_kubernetes() {
  local key="kubernetes-$KUBERNETES_VERSION" minor staging gomod cmd todo=()
  local out="$cache/$key"
  for cmd in "${KUBERNETES_COMMANDS[@]}"; do
    [[ -x "$out/$cmd" ]] || todo+=("$cmd")
  done
  ((${#todo[@]})) || return 0
  minor="${KUBERNETES_VERSION#v1.}"; minor="${minor%%.*}"
  staging="v0.${KUBERNETES_VERSION#v1.}"
  local work="$cache/.work-$key"
  wrapper_module "$work"
  gomod="$(cd "$work" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')"
  # k8s.io/kubernetes replaces ~30 staging modules with ./staging paths; each is
  # published as k8s.io/<module> v0.<minor>.<patch>.
  {
    echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
    grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging/src/k8s\.io/[a-z0-9-]+' "$gomod" \
      | awk -v v="$staging" '{print "replace " $1 " => " $1 " " v}'
  } >>"$work/go.mod"
  local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION \
-X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor \
-X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION \
-X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  mkdir -p "$out"
  (
    cd "$work"
    # No `go mod tidy`: the module imports nothing yet, so tidy would drop the pin
    # and `go build` would resolve the newest Kubernetes instead.
    for cmd in "${todo[@]}"; do
      log "building $cmd $KUBERNETES_VERSION"
      go build -ldflags "$ldflags" -o "$out/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd"
      mv "$out/$cmd.tmp" "$out/$cmd"
    done
  )
  rm -rf "$work"
}

# CoreDNS for the real node's cluster DNS (run from a static binary in a scratch image).
build_coredns() {
  local out="$cache/coredns-$COREDNS_VERSION"
  [[ -x "$out/coredns" ]] && return 0
  log "building coredns $COREDNS_VERSION"
  mkdir -p "$out.tmp"
  GOBIN="$out.tmp" go install -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION"
  rm -rf "$out" && mv "$out.tmp" "$out"
}

build_etcd() {
  local out="$cache/etcd-$ETCD_VERSION"
  [[ -x "$out/etcd" ]] && return 0
  local work="$cache/.work-etcd-$ETCD_VERSION"
  wrapper_module "$work"
  mkdir -p "$out.tmp"
  (
    cd "$work"
    echo "require go.etcd.io/etcd/server/v3 $ETCD_VERSION" >>go.mod
    log "building etcd $ETCD_VERSION"
    go build -ldflags "-s -w" -o "$out.tmp/etcd" go.etcd.io/etcd/server/v3
  )
  rm -rf "$out" && mv "$out.tmp" "$out" && rm -rf "$work"
}

build_kwok() {
  local out="$cache/kwok-$KWOK_VERSION"
  [[ -x "$out/kwok" && -x "$out/kwokctl" ]] && return 0
  mkdir -p "$out.tmp"
  for cmd in kwok kwokctl; do
    log "building $cmd $KWOK_VERSION"
    GOBIN="$out.tmp" go install -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" \
      "sigs.k8s.io/kwok/cmd/$cmd@$KWOK_VERSION"
  done
  rm -rf "$out" && mv "$out.tmp" "$out"
}

# The Pulumi engine: the CLI with its Python language host, and the Kubernetes provider,
# at the versions requirements.txt's SDKs ask for. In this order:
#   1. the CLI and language host on PATH at the pinned version (Pulumi's own installer);
#   2. release archives in $PULUMI_ARCHIVES (pulumi-<v>-linux-x64.tar.xz and
#      pulumi-resource-kubernetes-<v>-linux-amd64.tar.xz), checked against the sums
#      pinned in versions.env and unpacked into the cache;
#   3. otherwise it says how to install them, and exits 3.
# The provider always goes into an isolated PULUMI_HOME in the cache (printed as
# pulumi-home=...), installed with `pulumi plugin install --file`, so the engine never
# warns that it uses a provider from PATH and a user's own ~/.pulumi is never touched.
# Its binary comes from the archive, or from the user's own plugin cache when they
# installed it the normal way (`pulumi plugin install resource kubernetes <v>`).
verified_archive() {
  local name=$1 sum=$2 archive="${PULUMI_ARCHIVES:-}/$1"
  [[ -n "${PULUMI_ARCHIVES:-}" && -f "$archive" ]] || return 1
  if ! printf '%s  %s\n' "$sum" "$archive" | sha256sum --check --status; then
    log "refusing $archive: its sha256 is not the one pinned in versions.env ($sum)"
    return 2
  fi
  printf '%s\n' "$archive"
}

unpack_archive() {
  local archive=$1 out=$2
  [[ -e "$out/.complete" ]] && return 0
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  tar -xJf "$archive" -C "$out.tmp"
  touch "$out.tmp/.complete"
  rm -rf "$out" && mv "$out.tmp" "$out"
}

pulumi_how_to_install() {
  log "The Pulumi engine is not available. Install it the normal way, then run this again:"
  log "  curl -fsSL https://get.pulumi.com | sh -s -- --version ${PULUMI_VERSION#v}"
  log "  pulumi plugin install resource kubernetes $PULUMI_KUBERNETES_VERSION"
  log "or point PULUMI_ARCHIVES at a directory holding the release archives"
  log "  pulumi-$PULUMI_VERSION-linux-x64.tar.xz and pulumi-resource-kubernetes-$PULUMI_KUBERNETES_VERSION-linux-amd64.tar.xz"
  log "(.ci/run uses ../shared/toolchain, where they were built from the upstream release tags)."
}

# engine_part NAME SUM OUT: OUT/.complete from a previous verified unpack, or the archive
# NAME in $PULUMI_ARCHIVES verified against SUM and unpacked into OUT. Status 1: no
# archive; 2: an archive whose checksum is wrong (never unpacked).
engine_part() {
  local name=$1 sum=$2 out=$3 archive
  [[ -e "$out/.complete" ]] && return 0
  archive="$(verified_archive "$name" "$sum")" || return
  unpack_archive "$archive" "$out"
}

pulumi_engine() {
  local cli="" provider="" status
  local cli_dir="$cache/pulumi-$PULUMI_VERSION" provider_dir="$cache/pulumi-resource-kubernetes-$PULUMI_KUBERNETES_VERSION"
  if cli="$(on_path pulumi "$PULUMI_VERSION")" && command -v pulumi-language-python >/dev/null; then
    :
  elif engine_part "pulumi-$PULUMI_VERSION-linux-x64.tar.xz" "$PULUMI_ARCHIVE_SHA256" "$cli_dir"; then
    cli="$cli_dir/pulumi/pulumi"
  else
    status=$?
    ((status == 2)) && exit 2
    cli=""
  fi
  local user_plugin="${PULUMI_HOME:-$HOME/.pulumi}/plugins/resource-kubernetes-$PULUMI_KUBERNETES_VERSION/pulumi-resource-kubernetes"
  if engine_part "pulumi-resource-kubernetes-$PULUMI_KUBERNETES_VERSION-linux-amd64.tar.xz" \
    "$PULUMI_KUBERNETES_ARCHIVE_SHA256" "$provider_dir"; then
    provider="$provider_dir/pulumi-resource-kubernetes"
  else
    status=$?
    ((status == 2)) && exit 2
    [[ -x "$user_plugin" ]] && provider="$user_plugin"
  fi
  if [[ -z "$cli" || -z "$provider" ]]; then
    pulumi_how_to_install
    missing+=("pulumi-engine")
    return 0
  fi
  local home="$cache/pulumi-home-$PULUMI_VERSION-kubernetes-$PULUMI_KUBERNETES_VERSION"
  if [[ ! -x "$home/plugins/resource-kubernetes-$PULUMI_KUBERNETES_VERSION/pulumi-resource-kubernetes" ]]; then
    PULUMI_HOME="$home" PULUMI_SKIP_UPDATE_CHECK=true "$cli" plugin install resource kubernetes \
      "$PULUMI_KUBERNETES_VERSION" --file "$provider" >&2
  fi
  echo "pulumi=$cli"
  echo "pulumi-language-python=$(dirname "$cli")/pulumi-language-python"
  echo "pulumi-home=$home"
}

build_actionlint() {
  local out="$cache/actionlint-$ACTIONLINT_VERSION"
  if [[ ! -x "$out/actionlint" ]]; then
    log "building actionlint $ACTIONLINT_VERSION"
    mkdir -p "$out.tmp"
    GOBIN="$out.tmp" go install -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
    rm -rf "$out" && mv "$out.tmp" "$out"
  fi
  echo "actionlint=$out/actionlint"
}

case "${1:-all}" in
  actionlint)
    build_actionlint
    exit 0
    ;;
  pulumi)
    pulumi_engine
    ((${#missing[@]} == 0)) || exit 3
    exit 0
    ;;
esac

build_actionlint
build_etcd
build_kwok
build_kubernetes
build_coredns
echo "coredns=$cache/coredns-$COREDNS_VERSION/coredns"
for tool in "${KUBERNETES_COMMANDS[@]}"; do
  echo "$tool=$cache/kubernetes-$KUBERNETES_VERSION/$tool"
done
echo "etcd=$cache/etcd-$ETCD_VERSION/etcd"
echo "kwok=$cache/kwok-$KWOK_VERSION/kwok"
echo "kwokctl=$cache/kwok-$KWOK_VERSION/kwokctl"
pulumi_engine
if ((${#missing[@]})); then
  log "not available here: ${missing[*]}"
  exit 3
fi
