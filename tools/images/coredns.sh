#!/usr/bin/env bash
# The real node's cluster DNS image: the static CoreDNS binary that tools/toolchain/build.sh
# builds from its Go module, alone in one layer, running as 65532:65532 (upstream's
# nonroot user). The Corefile comes from a ConfigMap (tools/localcluster/coredns.yaml).
# Prints `localhost:5000/flink-session/coredns:<version>-<key>=oci:<layout>:<tag>`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=../toolchain/versions.env
source "$here/../toolchain/versions.env"

build() {
  local out=$1 tag=$2 binary=$3 staging="$work/out"
  mkdir -p "$staging"
  umoci init --layout "$staging/oci"
  umoci new --image "$staging/oci:$tag"
  umoci insert --image "$staging/oci:$tag" \
    --history.created_by "coredns $COREDNS_VERSION built by tools/toolchain/build.sh" "$binary" /coredns >>"$build_log" 2>&1
  umoci config --image "$staging/oci:$tag" --no-history \
    --config.user 65532:65532 --config.entrypoint /coredns --config.exposedports 1053/udp --config.exposedports 1053/tcp
  publish "$staging" "$out" "$tag"
}

# build.sh exits 3 when only the Pulumi engine is missing; CoreDNS is still listed then.
binary="$(bash "$here/../toolchain/build.sh" 2>/dev/null | sed -n 's/^coredns=//p' || true)"
if [[ ! -x "$binary" ]]; then
  log "no CoreDNS binary: run tools/toolchain/build.sh (it builds coredns $COREDNS_VERSION)"
  exit 2
fi
key="$(input_key "version=$COREDNS_VERSION" -- "$binary" "$here/coredns.sh" "$here/lib.sh")"
tag="${COREDNS_VERSION#v}-$key"
out="$images_root/coredns-$tag"
build_once() { built "$1" || with_work coredns build "$@"; }
built "$out" || locked "coredns-$tag" build_once "$out" "$tag" "$binary"
emit "$NODE_IMAGE_PREFIX/coredns:$tag" "$out"
