#!/usr/bin/env bash
# The base layer shared by every Flink image: Debian bookworm (debootstrap, minbase
# variant) with Debian's OpenJDK 17 JRE and the packages the official Dockerfiles install
# (versions.env). The official images start from Eclipse Temurin on Ubuntu; no container
# registry is reachable here, so the same role is played by a rootfs built from Debian's
# package mirror. One layer, so both Flink versions share it (in the cache and in the
# registry).
#
# Prints the cache directory of the base layout (tag `base`); beside the layout, debs/
# holds the step-down package (gosu) for the images that need it. Needs root.
#
# Env: DEBIAN_MIRROR (default: the mirror this machine's apt already uses for the
# suite, from /etc/apt/sources.list and sources.list.d; not part of the key: any mirror
# serves the same suite).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
# apt_mirror SUITE: the first URI apt's sources give for SUITE itself (not -updates or
# -security), in the one-line format (sources.list) or the deb822 one (*.sources).
apt_mirror() {
  local suite=$1
  {
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | awk -v s="$suite" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++; if ($(i + 1) == s) print $i }'
    cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v s="$suite" '
      /^[[:space:]]*$/ { if (deb && uris && hit) print uris; deb = uris = hit = 0; next }
      tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
      tolower($1) == "uris:" { uris = $2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == s) hit = 1 }
      END { if (deb && uris && hit) print uris }'
  } | head -1
}
mirror="${DEBIAN_MIRROR:-$(apt_mirror "$DEBIAN_SUITE")}"
if [[ -z "$mirror" ]]; then
  log "apt's sources name no mirror for $DEBIAN_SUITE; set DEBIAN_MIRROR to a Debian mirror's URL"
  exit 2
fi
# Downloaded .debs are kept across keys: a rebuild after a script change re-downloads nothing.
debs_cache="$images_root/debs"

# Runs in a private mount namespace: debootstrap, then the packages, as the Dockerfile's
# `apt-get install` step would (apt lists and downloads are not left in the image).
populate_rootfs() {
  local rootfs=$1 step_down_dir=$2
  debootstrap --variant=minbase --cache-dir="$debs_cache" "$DEBIAN_SUITE" "$rootfs" "$mirror"
  mount_chroot_fs "$rootfs"
  mount --bind "$debs_cache" "$rootfs/var/cache/apt/archives"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  # No service may start inside the build (postinst scripts ask policy-rc.d).
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
  chroot_run "$rootfs" apt-get update
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  chroot_run "$rootfs" apt-get install -y --no-install-recommends $BASE_PACKAGES
  chroot_run "$rootfs" sh -c "cd /tmp && apt-get download $STEP_DOWN_PACKAGE"
  mv "$rootfs"/tmp/*.deb "$step_down_dir/"
  rm -f "$rootfs/usr/sbin/policy-rc.d"
  # What the Dockerfile's `rm -rf /var/lib/apt/lists/*` and a Docker base image leave out:
  # package lists, apt's binary caches, logs of the build, the build host's name and DNS.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/lib/dpkg/*-old
  find "$rootfs/var/log" -type f -delete
  : >"$rootfs/etc/resolv.conf"
  : >"$rootfs/etc/hostname"
}

build() {
  local out=$1 staging="$work/out" rootfs java_home
  mkdir -p "$debs_cache" "$staging/debs"
  umoci init --layout "$staging/oci"
  umoci new --image "$staging/oci:base"
  umoci unpack --image "$staging/oci:base" "$work/bundle" >>"$build_log" 2>&1
  rootfs="$work/bundle/rootfs"
  log "debootstrap $DEBIAN_SUITE (minbase) from $mirror, then $BASE_PACKAGES (log: $build_log)"
  in_mount_namespace bash "$here/base.sh" --populate "$rootfs" "$staging/debs" >>"$build_log" 2>&1
  empty_pseudo_dirs "$rootfs"
  # The alternatives symlinks are absolute: resolve them inside the rootfs.
  java_home="$(dirname "$(dirname "$(chroot "$rootfs" readlink -f /usr/bin/java)")")"
  log "packing the base layer"
  umoci repack --image "$staging/oci:base" \
    --history.created_by "debootstrap --variant=minbase $DEBIAN_SUITE; apt-get install --no-install-recommends $BASE_PACKAGES (tools/images/base.sh)" \
    "$work/bundle" >>"$build_log" 2>&1
  # Temurin's images set JAVA_HOME and a UTF-8 locale; Debian's JRE lives elsewhere and
  # minbase has no locales beyond C.UTF-8.
  umoci config --image "$staging/oci:base" --no-history \
    --config.env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --config.env "JAVA_HOME=$java_home" \
    --config.env "LANG=C.UTF-8"
  publish "$staging" "$out" base
}

if [[ "${1:-}" == --populate ]]; then
  populate_rootfs "$2" "$3"
  exit 0
fi

key="$(input_key "suite=$DEBIAN_SUITE" "packages=$BASE_PACKAGES" "step-down=$STEP_DOWN_PACKAGE" -- "$here/base.sh" "$here/lib.sh")"
out="$images_root/base-$key"
build_once() { built "$1" || with_work base build "$1"; }
built "$out" || locked "base-$key" build_once "$out"
echo "$out"
