#!/usr/bin/env bash
# What the dashboard's tests use from Debian: Chromium, driven by playwright-core (which brings no
# browser of its own), and Prometheus, which the dashboard can read metrics from instead of
# sampling them. Installs only what is missing; DYNOKUBE_CHROMIUM and DYNOKUBE_PROMETHEUS name
# other binaries.
set -euo pipefail
need=()
[ -n "${DYNOKUBE_CHROMIUM:-}" ] || command -v chromium >/dev/null || need+=(chromium fonts-dejavu-core)
[ -n "${DYNOKUBE_PROMETHEUS:-}" ] || [ -x /usr/bin/prometheus ] || need+=(prometheus)
if [ ${#need[@]} -eq 0 ]; then echo "==> dashboard test packages: present"; exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "==> dashboard test packages missing: ${need[*]} (run $0 as root, or set DYNOKUBE_CHROMIUM / DYNOKUBE_PROMETHEUS)" >&2; exit 0; fi
echo "==> dashboard test packages: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || true
apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
