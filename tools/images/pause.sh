#!/usr/bin/env bash
# The real node's pod sandbox image: pause.c built with `gcc -static` (no registry is
# reachable here to pull registry.k8s.io/pause). It runs as 65535:65535, like upstream's.
# Prints `localhost:5000/flink-session/pause:<key>=oci:<layout>:<key>`.
# Needs gcc and the static C library (Debian: gcc, libc6-dev).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

build() {
  local out=$1 key=$2 staging="$work/out"
  mkdir -p "$work/rootfs" "$staging"
  gcc -static -O2 -Wall -Wextra -Werror -o "$work/rootfs/pause" "$here/pause.c"
  strip "$work/rootfs/pause"
  umoci init --layout "$staging/oci"
  umoci new --image "$staging/oci:$key"
  umoci insert --image "$staging/oci:$key" \
    --history.created_by "gcc -static tools/images/pause.c" "$work/rootfs/pause" /pause >>"$build_log" 2>&1
  umoci config --image "$staging/oci:$key" --no-history \
    --config.user 65535:65535 --config.entrypoint /pause
  publish "$staging" "$out" "$key"
}

if ! command -v gcc >/dev/null || ! gcc -print-file-name=libc.a | grep -q /; then
  log "the pause image needs gcc and a static C library (Debian: apt-get install gcc libc6-dev)"
  exit 2
fi
key="$(input_key "$(gcc --version | head -1)" "$(ldd --version | head -1)" -- "$here/pause.c" "$here/pause.sh" "$here/lib.sh")"
out="$images_root/pause-$key"
build_once() { built "$1" || with_work pause build "$@"; }
built "$out" || locked "pause-$key" build_once "$out" "$key"
emit "$NODE_IMAGE_PREFIX/pause:$key" "$out"
