# Sourced by e2e/kind.sh (and make kind) when kind runs on Podman: Podman, and kind through it,
# with a config and storage of dynokube's own under $DYNOKUBE_CACHE. The storage is the one
# hack/images/buildah.ts builds dynokube's images in, so Podman has them without a copy; the
# node containers, their volumes and kind's network stay there too.
# shellcheck shell=bash
podman_dir=${DYNOKUBE_CACHE:-$HOME/.cache/dynokube}/podman
mkdir -p "$podman_dir/networks"
cat > "$podman_dir/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$podman_dir/../buildah/storage"
runroot = "$podman_dir/../buildah/run"
CONF
# Podman's default limits (nofile and nproc at 1048576) are above what root may set where it
# lacks CAP_SYS_RESOURCE (runc: "error setting rlimits ... operation not permitted"): keep
# nofile at this shell's hard limit, and nproc at the 32768 Podman lowers its own to.
nofile=$(ulimit -Hn)
[ "$nofile" = unlimited ] && nofile=1048576
cat > "$podman_dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]

[network]
network_config_dir = "$podman_dir/networks"
CONF
export CONTAINERS_STORAGE_CONF=$podman_dir/storage.conf CONTAINERS_CONF=$podman_dir/containers.conf KIND_EXPERIMENTAL_PROVIDER=podman
unset podman_dir nofile
