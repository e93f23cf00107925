# shellcheck shell=bash
# Helpers shared by the image builders in tools/images (sourced, not run).
#
# Every image is an OCI layout cached outside the repository under
#   ${FLINK_SESSION_CACHE:-~/.cache/flink-session}/images/<name>-<key>/oci
# where <key> hashes every input of the image (versions, package lists, the builder
# scripts, files copied in), so a changed input is a new directory and an unchanged one
# is never rebuilt. A builder prints one line, `<image reference>=oci:<layout>:<tag>`,
# which is what skopeo copies from.

# shellcheck source=versions.env
source "$(dirname "${BASH_SOURCE[0]}")/versions.env"

images_root="${FLINK_SESSION_CACHE:-$HOME/.cache/flink-session}/images"
mkdir -p "$images_root"

log() { printf 'images: %s\n' "$*" >&2; }

# input_key WORD... [-- FILE...]: 16 hex digits of the sha256 over the words and the
# files' contents (with their names, so swapping two files changes the key).
input_key() {
  local file
  {
    while (($#)) && [[ "$1" != -- ]]; do
      printf 'word %s\n' "$1"
      shift
    done
    (($#)) && shift
    for file in "$@"; do
      printf 'file %s %s\n' "$(basename "$file")" "$(sha256sum <"$file" | cut -d' ' -f1)"
    done
  } | sha256sum | cut -c1-16
}

# built DIR: the image in DIR was completely built (the marker is written last).
built() { [[ -e "$1/.complete" ]]; }

# locked NAME COMMAND...: run COMMAND holding a per-image lock, so that concurrent callers
# (two clusters coming up at once) build an image once and the others wait for it.
locked() {
  local name=$1
  shift
  (
    flock 9
    "$@"
  ) 9>"$images_root/.$name.lock"
}

# with_work NAME COMMAND...: COMMAND with $work set to a fresh scratch directory beside
# the cache (same filesystem: hard links and the final rename work) and $build_log to a
# log file in it; the directory is removed afterwards, and the log's tail is shown if
# COMMAND fails. Builders send the chatty output of debootstrap, apt and umoci there.
with_work() {
  local name=$1 status=0
  shift
  work="$(mktemp -d "$images_root/.work-$name.XXXXXX")"
  build_log="$work/build.log"
  "$@" || status=$?
  if ((status)); then
    log "building $name failed ($status); the end of its log:"
    tail -n 40 "$build_log" >&2 || true
  fi
  remove_tree "$work"
  return "$status"
}

# nothing_mounted_below DIR: fails (and says so) if anything is mounted at or below DIR,
# so that a chroot step's /proc or /dev is never deleted through.
nothing_mounted_below() {
  if awk -v d="$(realpath "$1")/" 'index($5 "/", d) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    log "something is still mounted below $1; not deleting anything there"
    return 1
  fi
}

# remove_tree DIR: rm -rf that never crosses into a mount.
remove_tree() {
  [[ -e "$1" ]] || return 0
  nothing_mounted_below "$1"
  rm -rf --one-file-system "$1"
}

# publish STAGING OUT TAG: STAGING (an `oci` layout and anything beside it) becomes the
# cache entry OUT, whose image is tagged TAG. The marker is written last, and the rename
# makes the entry appear whole or not at all. Entries of the same image under other keys
# (built from inputs since changed) are removed, unless a build holds their lock.
publish() {
  local staging=$1 out=$2 tag=$3 name other
  umoci gc --layout "$staging/oci"
  printf '%s\n' "$tag" >"$staging/tag"
  touch "$staging/.complete"
  rm -rf "$out" && mv "$staging" "$out"
  name="$(basename "$out")"
  name="${name%-*}"
  for other in "$images_root/$name"-*; do
    [[ "$other" != "$out" && "$(basename "$other")" =~ ^${name//./\\.}-[0-9a-f]{16}$ ]] || continue
    if flock -n "$images_root/.$(basename "$other").lock" true 2>/dev/null; then
      rm -rf "$other" "$images_root/.$(basename "$other").lock"
    fi
  done
}

# emit REF OUT: the builder's output line.
emit() { printf '%s=oci:%s/oci:%s\n' "$1" "$2" "$(cat "$2/tag")"; }

# chroot_run ROOTFS COMMAND...: COMMAND in ROOTFS with a clean environment, as a Dockerfile
# RUN would see it. Callers run inside a private mount namespace (see in_mount_namespace)
# with /proc and /dev mounted in ROOTFS.
chroot_run() {
  local rootfs=$1
  shift
  chroot "$rootfs" /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# in_mount_namespace COMMAND...: COMMAND in a private mount namespace, so every mount it
# makes (debootstrap's /proc and /sys, the /dev bind of a chroot step) disappears with it,
# whatever happens to the build.
in_mount_namespace() { unshare --mount --propagation private -- "$@"; }

# mount_chroot_fs ROOTFS: /proc and /dev for chroot steps (inside in_mount_namespace only).
mount_chroot_fs() {
  mount -t proc proc "$1/proc"
  mount --rbind /dev "$1/dev"
}

# empty_pseudo_dirs ROOTFS: an image carries empty /dev, /proc, /sys, /run and /tmp (the
# runtime provides them). Called after the mount namespace is gone, so nothing is mounted.
empty_pseudo_dirs() {
  local rootfs=$1 dir
  nothing_mounted_below "$rootfs"
  for dir in dev proc sys run tmp; do
    mkdir -p "$rootfs/$dir"
    find "$rootfs/$dir" -mindepth 1 -xdev -delete
  done
  chmod 1777 "$rootfs/tmp"
}
