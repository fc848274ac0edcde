#!/usr/bin/env bash
# The real node's Debian packages: containerd, runc, the CNI plugins, iptables, a static busybox
# for the stack's run image (a shell, httpd and nc for dynos), and PostgreSQL and Redis, whose
# files make the add-on images and give the run image psql; git, pip (with Python) and the CA
# certificates for dynokube's own images (hack/images); buildah, which builds the Dockerfiles
# without a daemon (hack/images/buildah.ts). Installs only what is missing.
set -euo pipefail
need=()
command -v containerd >/dev/null || need+=(containerd)
command -v runc >/dev/null || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v iptables >/dev/null || need+=(iptables)
ldd /bin/busybox >/dev/null 2>&1 && need+=(busybox-static)   # dynamic (or absent): want the static one
[ -x /bin/busybox ] || need+=(busybox-static)
command -v gcc >/dev/null || need+=(gcc libc6-dev)
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql-15)
[ -x /usr/lib/postgresql/15/bin/psql ] || need+=(postgresql-client-15)
[ -d /usr/share/zoneinfo ] || need+=(tzdata)   # the PostgreSQL image carries the time zones
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-cli >/dev/null || need+=(redis-tools)
command -v git >/dev/null || need+=(git)
dpkg -s libatomic1 >/dev/null 2>&1 || need+=(libatomic1)   # Node.js 23 and later, as the buildpacks fetch it, load it
dpkg -s python3-pip >/dev/null 2>&1 || need+=(python3-pip)   # Debian's, with its Python, setuptools and wheel
[ -f /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
command -v buildah >/dev/null || need+=(buildah)
if [ ${#need[@]} -eq 0 ]; then echo "==> node packages: present"; exit 0; fi
echo "==> node packages: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || true
apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
