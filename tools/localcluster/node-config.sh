# shellcheck shell=bash
# shellcheck disable=SC2154 # node_dir and the settings come from node.sh and node.env
# The real node's configuration files, rendered from node.env (sourced by node.sh).
# Every address is loopback inside the node's own network namespace, the node's veth
# address, or the pod bridge: nothing listens on the machine's interfaces.

# containerd: its own root, state, socket and runc root inside the node's directory;
# cgroupfs (no systemd here); restrict_oom_score_adj because root lacks CAP_SYS_RESOURCE
# here and runc could not set the kubelet's negative oom_score_adj; pod network
# namespaces under the state dir; registry hosts in certs.d (render_registry_hosts).
render_containerd_config() {
  cat <<TOML
version = 2
root = "$node_dir/containerd/root"
state = "$node_dir/containerd/state"
oom_score = 0
# Snapshotters and tracing that cannot work or are not wanted here.
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
]

[grpc]
  address = "$node_dir/containerd/containerd.sock"

[plugins."io.containerd.internal.v1.opt"]
  # Default /opt/containerd: keep even this inside the node's directory.
  path = "$node_dir/containerd/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        Root = "$node_dir/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$node_dir/cni/net.d"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$node_dir/containerd/certs.d"
TOML
}

# render_registry_hosts DIR: docker.io (the Flink images' official names) and localhost:5000
# (the node's own images) both resolve to the node's registry. `server` replaces the
# upstream host, so a missing image is an error here, never a pull from Docker Hub. The
# [host] table is required: containerd 1.6 rejects a hosts.toml without one ("invalid
# `host` tree") and then falls back to the upstream registry.
render_registry_hosts() {
  local dir=$1 host
  for host in docker.io localhost:5000; do
    mkdir -p "$dir/$host"
    cat >"$dir/$host/hosts.toml" <<TOML
server = "http://$REGISTRY_ADDR"

[host."http://$REGISTRY_ADDR"]
  capabilities = ["pull", "resolve"]
TOML
  done
}

# The pod network: a bridge in the node's namespace with host-local addresses from the
# node's pod range (IPAM state in the node's directory, not /var/lib/cni). No ipMasq: pods
# have no business reaching beyond the node. hairpinMode lets a pod reach itself through a
# Service. containerd adds the loopback plugin for every pod by itself.
render_cni_config() {
  cat <<JSON
{
  "cniVersion": "1.0.0",
  "name": "flink-session",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$POD_GATEWAY"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "$node_dir/cni/ipam"
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON
}

# The kubelet serves on the node's veth address (the API server reaches it there for logs,
# exec and port-forward), its health endpoint on the namespace's loopback. cgroupRoot puts
# every pod under one cgroup per node, removed at `down`. No host resolv.conf: pods resolve
# through the cluster DNS only.
render_kubelet_config() {
  cat <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_ADDR
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
cgroupDriver: cgroupfs
cgroupRoot: $CGROUP_ROOT
# This machine mounts cgroup v1 controllers; kubelet 1.35 refuses them unless told.
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$node_dir/containerd/containerd.sock
# Root here cannot lower oom_score_adj (no CAP_SYS_RESOURCE).
oomScoreAdj: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $CLUSTER_PKI/ca.crt}
authorization: {mode: Webhook}
clusterDNS: ["$DNS_SERVICE_IP"]
clusterDomain: cluster.local
resolvConf: ""
serializeImagePulls: false
podLogsDir: $node_dir/pod-logs
# The disk is shared with other work: evict only when it is really full.
evictionHard:
  memory.available: 100Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
  imagefs.inodesFree: 1%
YAML
}

# kube-proxy in iptables mode (no IPVS in this kernel), inside the node's namespace. It
# leaves conntrack sysctls alone (maxPerCore 0, timeouts 0) and route_localnet off
# (localhostNodePorts false); NodePorts only on the node's address. masqueradeAll: the
# bridge does not pass bridged traffic through iptables (no br_netfilter), so a Service
# reply from a pod on the same bridge must come back through the node to be un-NATed.
render_kube_proxy_config() {
  cat <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
bindAddress: $NODE_ADDR
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
oomScoreAdj: 0
clientConnection: {kubeconfig: $node_dir/kubeconfig}
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
nodePortAddresses: ["primary"]
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
iptables: {localhostNodePorts: false, masqueradeAll: true}
YAML
}

# The node's registry: loopback of the node's namespace, storage in the cache so pushed
# images survive the cluster.
render_registry_config() {
  cat <<YAML
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: $REGISTRY_STORAGE}
http:
  addr: $REGISTRY_ADDR
YAML
}
