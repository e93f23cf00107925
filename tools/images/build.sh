#!/usr/bin/env bash
# Builds, or finds in the cache, the images of the local cluster's real node and prints one
# line per image, `<reference>=oci:<layout dir>:<tag>` (what `skopeo copy` reads):
#   flink     docker.io/library/flink:<v>-scala_2.12-java17 for each of FLINK_VERSIONS
#             (versions.env), sharing one base layer (flink.sh, base.sh); with
#             FLINK_DOCKER_DIR set, also each one with the official entrypoint
#             (localhost:5000/flink-session/flink-official-entrypoint:<tag>)
#   pause     the pod sandbox image (pause.sh)
#   coredns   cluster DNS (coredns.sh)
#   toolbox   busybox applets for tests (toolbox.sh)
#
#   build.sh [all | flink | flink-<version> | pause | coredns | toolbox]...   (default: all)
#
# Cached by content key under ${FLINK_SESSION_CACHE:-~/.cache/flink-session}/images, so a
# second run prints the same lines in about a second. Needs root (debootstrap, chroot).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

targets=("$@")
((${#targets[@]})) || targets=(all)
for target in "${targets[@]}"; do
  case "$target" in
    all)
      bash "$here/pause.sh"
      bash "$here/coredns.sh"
      bash "$here/toolbox.sh"
      for version in $FLINK_VERSIONS; do bash "$here/flink.sh" "$version"; done
      if [[ -n "${FLINK_DOCKER_DIR:-}" ]]; then
        for version in $FLINK_VERSIONS; do bash "$here/flink.sh" "$version" official; done
      fi
      ;;
    flink) for version in $FLINK_VERSIONS; do bash "$here/flink.sh" "$version"; done ;;
    flink-*) bash "$here/flink.sh" "${target#flink-}" ;;
    pause | coredns | toolbox) bash "$here/$target.sh" ;;
    *)
      echo "usage: $0 [all | flink | flink-<version> | pause | coredns | toolbox]..." >&2
      exit 2
      ;;
  esac
done
