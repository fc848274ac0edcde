#!/usr/bin/env bash
# What make kind needs besides the real node's packages (hack/node/install-deps.sh): Podman, which
# runs kind's node, and the packages the node image is made of (hack/kind/node-image.ts).
set -euo pipefail
"$(dirname "$0")/../node/install-deps.sh"
# kind mounts the host's kernel modules into its nodes; a kernel with none built as modules has no such directory.
mkdir -p /lib/modules
need=()
for p in podman systemd systemd-sysv iproute2 procps; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -eq 0 ]; then echo "==> kind packages: present"; exit 0; fi
echo "==> kind packages: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || true
apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
