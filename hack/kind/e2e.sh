#!/usr/bin/env bash
# make kind: e2e/kind.sh on this machine, which has no Docker: kind on Podman (rootful), its node
# image made here (node-image.ts), kind, kubectl and helm from hack/build-control-plane.sh. kind's
# node takes this machine's ports 80 and 443 and a network of Podman's, so it waits for the
# machine-wide lock the real node's users take too, and leaves nothing behind. What it puts in
# Podman's store (the node image, make images') is put there under that lock too: other
# checkouts use the same names.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$(date +%s)
hack/kind/install-deps.sh
hack/build-control-plane.sh --kind
eval "$(hack/build-control-plane.sh --print | tr ' ' '\n' | sed 's/^/export /')"
export PATH=$KIND_BIN:$TOOLS_BIN:$PATH
# shellcheck source=podman-env.sh
. hack/kind/podman-env.sh
# The node image is made (or found in the image cache) before waiting; Podman gets it under the lock.
node --import tsx hack/kind/node-image.ts >/dev/null
# kubeadm is told to run the etcd and CoreDNS the node image carries (the local control plane's,
# named as node-images.ts names them), not the versions it names itself.
. hack/versions.env
KIND_CONFIG=$(mktemp --suffix=.yaml)
cat kind-config.yaml - > "$KIND_CONFIG" <<YAML
kubeadmConfigPatches:
  - |
    kind: ClusterConfiguration
    etcd:
      local:
        imageTag: "$ETCD_VERSION-0"
    dns:
      imageTag: "v$COREDNS_VERSION"
YAML
export KIND_CONFIG
echo "==> ready to run kind in $(($(date +%s) - start))s; waiting for the machine's network"
# netavark keeps its own chains once its last network is gone: remove them when no Podman
# container is left (here, or in Podman's default store) that they could serve.
remove_netavark_chains() {
  [ -z "$(podman ps -q)" ] && [ -z "$(env -u CONTAINERS_STORAGE_CONF -u CONTAINERS_CONF podman ps -q)" ] || return 0
  local table line chain
  for table in filter nat; do
    iptables-save -t "$table" | grep -E '^-A (INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) .*-j NETAVARK' | while read -r line; do
      eval "iptables -t $table -D ${line#-A }"
    done
    for chain in $(iptables-save -t "$table" | sed -n 's/^:\(NETAVARK[^ ]*\) .*/\1/p'); do iptables -t "$table" -F "$chain"; done
    for chain in $(iptables-save -t "$table" | sed -n 's/^:\(NETAVARK[^ ]*\) .*/\1/p'); do iptables -t "$table" -X "$chain"; done
  done
}
trap 'rm -f "$KIND_CONFIG"' EXIT
(
  flock 9
  trap remove_netavark_chains EXIT
  KIND_NODE_IMAGE=$(node --import tsx hack/kind/node-image.ts --load)
  export KIND_NODE_IMAGE
  e2e/kind.sh
) 9>/tmp/dynokube-real-node.flock
echo "==> make kind: passed in $(($(date +%s) - start))s"
