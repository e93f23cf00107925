#!/usr/bin/env bash
# A Flink image with the official image's layout and behaviour, named like the official
# one (docker.io/library/flink:<version>-scala_<scala>-java<java>), built without a
# container engine or registry:
#   base layer (base.sh)  +  one layer made by the official Dockerfile's steps:
#   user/group flink (9999, home /opt/flink), the Flink distribution in /opt/flink (jars
#   from apache-flink-libraries, bin/*.sh and conf/ from the apache-flink wheel, both from
#   PyPI), `chown -R flink:flink`, the `config-parser-utils.sh ... -repKV` edits run with
#   the image's own JRE, and the entrypoint: this project's own (entrypoint.sh, the
#   official image's contract). The images of the lines in ROOT_STEP_DOWN_LINES
#   (versions.env) start as root and step down with gosu, the others run as USER flink,
#   as the official images do.
#
#   flink.sh VERSION [official]
#     prints `docker.io/library/flink:<tag>=oci:<layout>:<tag>`. With `official`, the
#     image instead carries the official docker-entrypoint.sh and USER of a reference copy
#     of apache/flink-docker ($FLINK_DOCKER_DIR/<line>/), and is named
#     localhost:5000/flink-session/flink-official-entrypoint:<tag>: the node tier runs the
#     product's pods on it too, to show they need nothing our entrypoint adds.
#
# Env: PYTHON (default python3) fetches the distribution (tools/flink_dist.py,
# tools/images/flink_scripts.py), FLINK_DOCKER_DIR (for `official` only).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

# Runs in a private mount namespace, as root, like the Dockerfile's RUN steps.
install_flink() {
  local rootfs=$1 libs=$2 scripts=$3 entrypoint=$4 step_down_deb=$5
  local home=$rootfs/opt/flink
  mount_chroot_fs "$rootfs"
  # RUN groupadd --system --gid=9999 flink && useradd --system --home-dir $FLINK_HOME --uid=9999 --gid=flink flink
  chroot_run "$rootfs" groupadd --system --gid=9999 flink
  chroot_run "$rootfs" useradd --system --home-dir /opt/flink --uid=9999 --gid=flink flink
  # WORKDIR $FLINK_HOME, then the unpacked distribution (the tgz's lib/ opt/ plugins/ bin/
  # conf/ and an empty log/).
  mkdir -p "$home/bin" "$home/log"
  cp -a "$libs/lib" "$libs/opt" "$libs/plugins" "$home/"
  cp -a "$libs/bin/bash-java-utils.jar" "$home/bin/"
  cp -a "$scripts/bin/." "$home/bin/"
  cp -a "$scripts/conf" "$home/"
  # (The wheel's conf/ is the release's flink-dist conf/, the files the Apache tgz ships:
  # flink-python's setup.py copies them by flink-dist's assembly descriptor.)
  chroot_run "$rootfs" chown -R flink:flink /opt/flink
  # Replace default REST/RPC endpoint bind address to use the container's network interface
  if [[ -e "$home/conf/flink-conf.yaml" ]]; then
    sed -i -e 's/rest.address: localhost/rest.address: 0.0.0.0/g' \
      -e 's/rest.bind-address: localhost/rest.bind-address: 0.0.0.0/g' \
      -e 's/jobmanager.bind-host: localhost/jobmanager.bind-host: 0.0.0.0/g' \
      -e 's/taskmanager.bind-host: localhost/taskmanager.bind-host: 0.0.0.0/g' \
      -e '/taskmanager.host: localhost/d' "$home/conf/flink-conf.yaml"
  else
    chroot_run "$rootfs" FLINK_HOME=/opt/flink /bin/bash /opt/flink/bin/config-parser-utils.sh \
      /opt/flink/conf /opt/flink/bin /opt/flink/lib \
      -repKV rest.address,localhost,0.0.0.0 \
      -repKV rest.bind-address,localhost,0.0.0.0 \
      -repKV jobmanager.bind-host,localhost,0.0.0.0 \
      -repKV taskmanager.bind-host,localhost,0.0.0.0 \
      -rmKV taskmanager.host=localhost
  fi
  if [[ -n "$step_down_deb" ]]; then
    cp "$step_down_deb" "$rootfs/tmp/step-down.deb"
    chroot_run "$rootfs" dpkg -i /tmp/step-down.deb
    chroot_run "$rootfs" gosu nobody true
    rm -f "$rootfs/tmp/step-down.deb" "$rootfs"/var/lib/dpkg/*-old
    find "$rootfs/var/log" -type f -delete
  fi
  # COPY docker-entrypoint.sh /
  install -m 0755 "$entrypoint" "$rootfs/docker-entrypoint.sh"
}

build() {
  local out=$1 ref=$2 tag=$3 base=$4 libs=$5 scripts=$6 entrypoint=$7 user=$8 step_down_deb=$9
  local staging="$work/out" rootfs base_path user_args=()
  # The base layer's blobs are shared by hard links; index.json is the layout's only
  # mutable file, so it is copied.
  mkdir -p "$staging/oci"
  cp -al "$base/oci/blobs" "$staging/oci/"
  cp "$base/oci/index.json" "$base/oci/oci-layout" "$staging/oci/"
  umoci unpack --image "$staging/oci:base" "$work/bundle" >>"$build_log" 2>&1
  rootfs="$work/bundle/rootfs"
  log "installing Flink into $ref (log: $build_log)"
  in_mount_namespace bash "$here/flink.sh" --install "$rootfs" "$libs" "$scripts" "$entrypoint" "$step_down_deb" \
    >>"$build_log" 2>&1
  empty_pseudo_dirs "$rootfs"
  log "packing the Flink layer of $ref"
  umoci repack --image "$staging/oci:$tag" \
    --history.created_by "flink user 9999, Flink $version in /opt/flink from PyPI, config-parser-utils edits, docker-entrypoint.sh (tools/images/flink.sh)" \
    "$work/bundle" >>"$build_log" 2>&1
  base_path="$(skopeo inspect --config "oci:$base/oci:base" | python3 -c 'import json,sys; print(next(e[5:] for e in json.load(sys.stdin)["config"]["Env"] if e.startswith("PATH=")))')"
  [[ -n "$user" ]] && user_args=(--config.user "$user")
  umoci config --image "$staging/oci:$tag" --no-history \
    --config.env FLINK_HOME=/opt/flink \
    --config.env "PATH=/opt/flink/bin:$base_path" \
    --config.workingdir /opt/flink \
    "${user_args[@]}" \
    --config.entrypoint /docker-entrypoint.sh \
    --config.cmd help \
    --config.exposedports 6123/tcp \
    --config.exposedports 8081/tcp
  umoci rm --image "$staging/oci:base"
  publish "$staging" "$out" "$tag"
}

if [[ "${1:-}" == --install ]]; then
  shift
  install_flink "$@"
  exit 0
fi

version="${1:?usage: flink.sh VERSION [official]}"
variant="${2:-own}"
line="$(cut -d. -f1-2 <<<"$version")"
tag="$version-scala_$FLINK_SCALA-java$FLINK_JAVA"
python="${PYTHON:-python3}"
case "$variant" in
  own)
    ref="docker.io/library/flink:$tag"
    entrypoint="$here/entrypoint.sh"
    user=flink
    [[ " $ROOT_STEP_DOWN_LINES " == *" $line "* ]] && user=""
    ;;
  official)
    ref="$NODE_IMAGE_PREFIX/flink-official-entrypoint:$tag"
    reference="${FLINK_DOCKER_DIR:?the official variant needs FLINK_DOCKER_DIR}/$line"
    entrypoint="$reference/docker-entrypoint.sh"
    if [[ ! -r "$reference/Dockerfile" || ! -r "$entrypoint" ]]; then
      log "no reference copy of the official $line image's Dockerfile and docker-entrypoint.sh in $reference"
      exit 2
    fi
    # The official Dockerfile's USER, if any (2.2+: flink; 1.x: none, the entrypoint steps down).
    user="$(sed -n 's/^USER[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' "$reference/Dockerfile" | tail -1)"
    ;;
  *)
    echo "usage: flink.sh VERSION [official]" >&2
    exit 2
    ;;
esac

base="$(bash "$here/base.sh")"
step_down_deb=""
if [[ -z "$user" ]]; then  # starts as root: the entrypoint steps down with gosu
  step_down_deb="$(find "$base/debs" -name "${STEP_DOWN_PACKAGE}_*.deb" | head -1)"
fi
# The Flink home, plus opt/flink-sql-gateway-*.jar (from Maven Central: see tools/flink_dist.py).
libs="$(cd "$root" && "$python" -m tools.flink_dist "$version")"
gateway_jar="$(cd "$libs/opt" && ls flink-sql-gateway-*.jar)"
scripts="$(cd "$root" && "$python" -m tools.images.flink_scripts "$version")"

# The PyPI artifacts of a release never change, so the version stands for them.
key="$(input_key "version=$version" "tag=$tag" "ref=$ref" "user=$user" "base=$(basename "$base")" "gateway=$gateway_jar" \
  -- "$here/flink.sh" "$here/lib.sh" "$entrypoint" ${step_down_deb:+"$step_down_deb"})"
name="flink-$version"
[[ "$variant" == own ]] || name="flink-$variant-$version"
out="$images_root/$name-$key"
build_once() { built "$1" || with_work "$name" build "$@"; }
built "$out" || locked "$name-$key" build_once "$out" "$ref" "$tag" "$base" "$libs" "$scripts" \
  "$entrypoint" "$user" "$step_down_deb"
emit "$ref" "$out"
