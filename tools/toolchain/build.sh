#!/usr/bin/env bash
# Makes the end-to-end toolchain available, preferring what is already on PATH:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok and
# kwokctl, the Pulumi CLI with its Python language host, and pulumi-resource-kubernetes.
# None has a prebuilt download reachable here, so each is built with `go build` from
# its Go module and cached outside the repository under a key made of its version:
#   ${FLINK_SESSION_TOOLCHAIN:-~/.cache/flink-session/toolchain}/<name>-<version>/
# Prints `name=path` for each tool it has; exits 3 if any tool could not be had
# (the message names the command that failed and why), after building all others.
#
#   build.sh              everything
#   build.sh actionlint   only actionlint (used by the test suite)
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

build_kubernetes() {
  local key="kubernetes-$KUBERNETES_VERSION" minor staging gomod
  local out="$cache/$key"
  if [[ -x "$out/kube-apiserver" && -x "$out/kube-controller-manager" && -x "$out/kube-scheduler" && -x "$out/kubectl" ]]; then
    return 0
  fi
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
  mkdir -p "$out.tmp"
  (
    cd "$work"
    # No `go mod tidy`: the module imports nothing yet, so tidy would drop the pin
    # and `go build` would resolve the newest Kubernetes instead.
    for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
      log "building $cmd $KUBERNETES_VERSION"
      go build -ldflags "$ldflags" -o "$out.tmp/$cmd" "k8s.io/kubernetes/cmd/$cmd"
    done
  )
  rm -rf "$out" && mv "$out.tmp" "$out" && rm -rf "$work"
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

# The Pulumi CLI, its Python language host and the Kubernetes provider: the module
# proxy reachable here refuses these versions ("This module version is not
# available"), so this says so with the exact command rather than building others.
pulumi_tools() {
  local found
  for pair in "pulumi:$PULUMI_VERSION" "pulumi-language-python:$PULUMI_VERSION" \
    "pulumi-resource-kubernetes:$PULUMI_KUBERNETES_VERSION"; do
    local name=${pair%%:*} version=${pair#*:}
    if found="$(on_path "$name" "${version#v}")"; then
      echo "$name=$found"
      continue
    fi
    local out="$cache/$name-$version"
    if [[ -x "$out/$name" ]]; then
      echo "$name=$out/$name"
      continue
    fi
    local module package
    case $name in
      pulumi) module="github.com/pulumi/pulumi/pkg/v3" package="$module/cmd/pulumi" ;;
      pulumi-language-python)
        module="github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3" package="$module" ;;
      pulumi-resource-kubernetes)
        module="github.com/pulumi/pulumi-kubernetes/provider/v4" package="$module/cmd/pulumi-resource-kubernetes" ;;
    esac
    local info
    if ! info="$(go list -m "$module@$version" 2>&1)"; then
      log "unavailable: $name $version: \`go list -m $module@$version\` said: ${info##*$'\n'}"
      missing+=("$name")
      continue
    fi
    mkdir -p "$out.tmp"
    if GOBIN="$out.tmp" go install "$package@$version"; then
      rm -rf "$out" && mv "$out.tmp" "$out"
      echo "$name=$out/$name"
    else
      missing+=("$name")
    fi
  done
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

if [[ "${1:-all}" == "actionlint" ]]; then
  build_actionlint
  exit 0
fi

build_actionlint
build_etcd
build_kwok
build_kubernetes
for tool in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  echo "$tool=$cache/kubernetes-$KUBERNETES_VERSION/$tool"
done
echo "etcd=$cache/etcd-$ETCD_VERSION/etcd"
echo "kwok=$cache/kwok-$KWOK_VERSION/kwok"
echo "kwokctl=$cache/kwok-$KWOK_VERSION/kwokctl"
pulumi_tools
if ((${#missing[@]})); then
  log "not available here: ${missing[*]}"
  exit 3
fi
