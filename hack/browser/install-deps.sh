#!/usr/bin/env bash
# The dashboard's browser tests drive Debian's Chromium (through playwright-core, which brings no
# browser of its own). Installs only what is missing; DYNOKUBE_CHROMIUM names another binary.
set -euo pipefail
if [ -n "${DYNOKUBE_CHROMIUM:-}" ] || command -v chromium >/dev/null; then echo "==> chromium: present"; exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "==> chromium: missing (the dashboard's browser tests need it): run $0 as root, or set DYNOKUBE_CHROMIUM" >&2; exit 0; fi
echo "==> chromium: installing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || true
apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >/dev/null
