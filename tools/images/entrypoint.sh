#!/usr/bin/env bash
# The entrypoint of the local Flink images (tools/images/flink.sh), written for this
# project: the part of the official image's contract (apache/flink-docker's
# docker-entrypoint.sh) that flink-session's manifests and Flink's own Kubernetes examples
# rely on, so the images need nothing from outside the repository.
#
#   jobmanager | taskmanager | history-server | standalone-job [ARG...]
#                 that Flink process in the foreground (bin/<script>.sh start-foreground ARG...)
#   help          the usage (the image's default command)
#   anything else run as given (pass-through: the SQL Gateway's sql-gateway.sh, a shell, ...)
#
# Before any command:
# - as root (the 1.x, 2.0 and 2.1 images start as root, as the official ones do), step
#   down to the flink user (9999) with gosu, so nothing below runs as root;
# - link each jar ENABLE_BUILT_IN_PLUGINS names (';'-separated) from opt/ into
#   plugins/<jar name without .jar>/, and stop if one is missing;
# - write into the config file, with Flink's own bin/config-parser-utils.sh: the
#   JobManager's address (JOB_MANAGER_RPC_ADDRESS, default this container's FQDN), the blob
#   and query ports (6124, 6125), TASK_MANAGER_NUMBER_OF_TASK_SLOTS when set, and every
#   `key: value` line of FLINK_PROPERTIES (whitespace removed, the value through envsubst).
#   A config directory that cannot be written (a read-only mount) leaves the file as it
#   is and the process starts anyway, as with the official image;
# - preload jemalloc unless DISABLE_JEMALLOC=true.
set -uo pipefail

flink_home="${FLINK_HOME:-/opt/flink}"

if [[ "$(id -u)" == 0 ]]; then
  if command -v gosu >/dev/null; then
    exec gosu flink "${BASH_SOURCE[0]}" "$@"
  fi
  echo "WARNING: running Flink as root; run the container as uid 9999 (the flink user)" >&2
fi

usage() {
  echo "Usage: $(basename "${BASH_SOURCE[0]}") (jobmanager|standalone-job|taskmanager|history-server)"
  echo "    Or $(basename "${BASH_SOURCE[0]}") help"
  echo
  echo "Any other command runs as given. jemalloc is the memory allocator unless DISABLE_JEMALLOC=true."
}

link_built_in_plugins() {
  local jar name
  [[ -n "${ENABLE_BUILT_IN_PLUGINS:-}" ]] || return 0
  for jar in ${ENABLE_BUILT_IN_PLUGINS//;/ }; do
    name="${jar%.jar}"
    if [[ ! -e "$flink_home/opt/$jar" ]]; then
      echo "Plugin $jar does not exist in $flink_home/opt. Exiting." >&2
      exit 1
    fi
    mkdir -p "$flink_home/plugins/$name"
    ln -fs "$flink_home/opt/$jar" "$flink_home/plugins/$name"
    echo "Enabled built-in plugin $jar"
  done
}

write_config() {
  local properties=() line key value
  properties+=("-Djobmanager.rpc.address=${JOB_MANAGER_RPC_ADDRESS:-$(hostname -f)}")
  properties+=("-Dblob.server.port=6124" "-Dquery.server.port=6125")
  if [[ -n "${TASK_MANAGER_NUMBER_OF_TASK_SLOTS:-}" ]]; then
    properties+=("-Dtaskmanager.numberOfTaskSlots=$TASK_MANAGER_NUMBER_OF_TASK_SLOTS")
  fi
  while IFS= read -r line; do
    line="${line//[[:space:]]/}"
    [[ -n "$line" && "$line" == *:* ]] || continue
    key="${line%%:*}"
    value="$(envsubst <<<"${line#*:}")"
    properties+=("-D$key=$value")
  done <<<"${FLINK_PROPERTIES:-}"
  if ! "$flink_home/bin/config-parser-utils.sh" "$flink_home/conf" "$flink_home/bin" "$flink_home/lib" "${properties[@]}"; then
    echo "WARNING: could not write $flink_home/conf; starting with the configuration as it is" >&2
  fi
}

preload_jemalloc() {
  local library
  [[ "${DISABLE_JEMALLOC:-false}" == false ]] || return 0
  for library in "/usr/lib/$(uname -m)-linux-gnu/libjemalloc.so" /usr/lib/x86_64-linux-gnu/libjemalloc.so; do
    if [[ -f "$library" ]]; then
      export LD_PRELOAD="${LD_PRELOAD:+$LD_PRELOAD:}$library"
      return 0
    fi
  done
  echo "WARNING: jemalloc not found; glibc's allocator is used" >&2
}

preload_jemalloc
link_built_in_plugins
write_config

command="${1:-help}"
case "$command" in
  help)
    usage
    exit 0
    ;;
  jobmanager | taskmanager | standalone-job)
    shift
    echo "Starting $command"
    exec "$flink_home/bin/$command.sh" start-foreground "$@"
    ;;
  history-server)
    shift
    echo "Starting the History Server"
    exec "$flink_home/bin/historyserver.sh" start-foreground "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
