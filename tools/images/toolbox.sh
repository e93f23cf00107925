#!/usr/bin/env bash
# A small image for tests on the real node: the machine's static busybox (busybox-static)
# with its applets linked in /bin (sh, wget, nslookup, httpd, nc, ...), an /etc/passwd with
# nobody (65534), and a /www page for `httpd`. Starts in milliseconds, unlike a JVM.
# Prints `localhost:5000/flink-session/toolbox:<key>=oci:<layout>:<key>`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
busybox=/bin/busybox

build() {
  local out=$1 key=$2 staging="$work/out" rootfs="$work/rootfs" applet
  mkdir -p "$staging" "$rootfs/bin" "$rootfs/etc" "$rootfs/www" "$rootfs/tmp"
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  for applet in $("$busybox" --list); do
    [[ -e "$rootfs/bin/$applet" ]] || ln -s busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  printf 'flink-session toolbox\n' >"$rootfs/www/index.html"
  umoci init --layout "$staging/oci"
  umoci new --image "$staging/oci:$key"
  umoci insert --image "$staging/oci:$key" --history.created_by "busybox-static applets (tools/images/toolbox.sh)" \
    "$rootfs" / >>"$build_log" 2>&1
  umoci config --image "$staging/oci:$key" --no-history \
    --config.user 65534:65534 --config.env PATH=/bin --config.cmd sh
  publish "$staging" "$out" "$key"
}

# ldd fails on a static executable: the image has no libraries for it to load.
if [[ ! -x "$busybox" ]] || ldd "$busybox" >/dev/null 2>&1; then
  log "the toolbox image needs a static busybox at $busybox (Debian: busybox-static)"
  exit 2
fi
key="$(input_key -- "$busybox" "$here/toolbox.sh" "$here/lib.sh")"
out="$images_root/toolbox-$key"
build_once() { built "$1" || with_work toolbox build "$@"; }
built "$out" || locked "toolbox-$key" build_once "$out" "$key"
emit "$NODE_IMAGE_PREFIX/toolbox:$key" "$out"
