#!/usr/bin/env bash
# Installs the Debian packages the local cluster's real node and the image builder use:
#   containerd, runc, containernetworking-plugins (CNI bridge, host-local, loopback, portmap
#   in /usr/lib/cni), iptables (kube-proxy and the kubelet program it, nf_tables backend),
#   docker-registry (the node's local registry), debootstrap, umoci and skopeo (images),
#   busybox-static (the test toolbox image), gosu (the Flink 1.20 image's step-down from
#   root), conntrack, and maven (the SQL Gateway's jar for the Flink homes and images).
# Idempotent: when every package is installed it neither updates the package lists nor
# installs anything. Prints `package=version` for each. Needs root (apt-get).
set -euo pipefail

PACKAGES=(
  containerd
  runc
  containernetworking-plugins
  iptables
  docker-registry
  debootstrap
  umoci
  skopeo
  busybox-static
  gosu
  conntrack
  maven
)

installed() {
  [[ "$(dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

missing=()
for package in "${PACKAGES[@]}"; do
  installed "$package" || missing+=("$package")
done

if ((${#missing[@]})); then
  echo "packages.sh: installing ${missing[*]}" >&2
  # Installing containerd and docker-registry would start their system services (the
  # machine's own /var/lib/containerd, a registry on :5000). The cluster runs its own
  # instances, so a policy-rc.d that refuses every start (exit 101) is in place while
  # apt runs; a policy-rc.d the machine already had is put back afterwards.
  policy=/usr/sbin/policy-rc.d
  saved=""
  if [[ -e "$policy" ]]; then
    saved="$(mktemp)"
    cp -p "$policy" "$saved"
  fi
  restore_policy() {
    if [[ -n "$saved" ]]; then
      mv -f "$saved" "$policy"
    else
      rm -f "$policy"
    fi
  }
  trap restore_policy EXIT
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 0755 "$policy"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
  restore_policy
  trap - EXIT
fi

for package in "${PACKAGES[@]}"; do
  printf '%s=%s\n' "$package" "$(dpkg-query -W -f '${Version}' "$package")"
done
