#!/usr/bin/env bash
# The whole path on kind: create the cluster, build and load dynokube's images, install an Ingress
# controller and the chart, push the Python sample app, and curl it through the node's port 80.
# Runs on Docker, or with no daemon on Podman (kind's KIND_EXPERIMENTAL_PROVIDER=podman, with
# hack/kind/podman-env.sh's config) and images built by buildah (make images).
#   e2e/kind.sh            everything; the cluster is deleted at the end, passed or failed
#   e2e/kind.sh --keep     leave the cluster running afterwards
# KIND_NODE_IMAGE: the node image (make kind makes one: hack/kind/), else kind's default.
# KIND_CONFIG: the cluster's config, kind-config.yaml unless make kind adds to it.
set -euo pipefail
cd "$(dirname "$0")/.."
if docker info >/dev/null 2>&1; then
  engine=docker
elif command -v podman >/dev/null; then
  engine=podman
  # shellcheck source=../hack/kind/podman-env.sh
  . hack/kind/podman-env.sh
else
  echo "e2e/kind.sh needs Docker or Podman" >&2
  exit 1
fi
for tool in kind kubectl helm git curl; do
  command -v "$tool" >/dev/null || { echo "e2e/kind.sh needs $tool on PATH" >&2; exit 1; }
done
keep=${1:-}
tag=e2e
repo=ghcr.io/dynokube
cluster=dynokube
host=e2e-python.dynokube.localhost   # curl takes *.localhost to this machine, no DNS needed
start=$(date +%s)
say() { printf '==> %s (%ss)\n' "$*" $(($(date +%s) - start)); }
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
  [ "$keep" = --keep ] && return
  kind delete cluster --name "$cluster"
  # kind leaves its network for the next cluster; nothing of this run stays.
  [ "$engine" = docker ] || podman network rm -f kind >/dev/null 2>&1 || true
}
trap cleanup EXIT

say "creating the kind cluster on $engine"
kind get clusters 2>/dev/null | grep -qx "$cluster" ||
  kind create cluster --config "${KIND_CONFIG:-kind-config.yaml}" ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"} --wait 3m

say "building and loading images"
make images IMAGE_TAG=$tag
for image in operator receiver router builder ingress; do
  "$engine" save -o "$work/$image.tar" "$repo/$image:$tag"
  kind load image-archive --name "$cluster" "$work/$image.tar"
done

say "installing the Ingress controller"
sed "s|image: IMAGE|image: $repo/ingress:$tag|" hack/ingress/deploy.yaml | kubectl apply -f -
kubectl -n dynokube-ingress rollout status deploy/ingress --timeout=180s

say "installing dynokube"
helm upgrade --install dynokube charts/dynokube -n dynokube-system --create-namespace --wait --timeout 5m \
  --set image.tag=$tag --set image.pullPolicy=Never --set ingressClassName=dynokube-local \
  --set baseDomain=dynokube.localhost --set registry.pullHost=localhost:30500 \
  --set 'appNamespaces={default}'   # the operator reads Secrets only where granted: here, the sample's namespace
kubectl -n dynokube-system patch svc dynokube-registry --type=merge \
  -p '{"spec":{"type":"NodePort","ports":[{"name":"registry","port":5000,"targetPort":"registry","nodePort":30500}]}}'

say "pushing the stack's run image to the cluster's registry"
secret() { kubectl -n dynokube-system get secret dynokube-registry-auth -o "jsonpath={.data.$1}" | base64 -d; }
kubectl -n dynokube-system port-forward svc/dynokube-registry 5000:5000 >/dev/null & pids+=($!)
kubectl -n dynokube-system port-forward svc/dynokube-receiver 8090:80 >/dev/null & pids+=($!)
for _ in $(seq 1 30); do curl -s -o /dev/null http://127.0.0.1:5000/v2/ && break; sleep 1; done
if [ "$engine" = podman ]; then
  podman push --tls-verify=false --creds "$(secret username):$(secret password)" \
    "$repo/stack-debian-12:run" docker://localhost:5000/dynokube/stack-debian-12:run
else
  secret password | docker login localhost:5000 --username "$(secret username)" --password-stdin
  docker tag "$repo/stack-debian-12:run" localhost:5000/dynokube/stack-debian-12:run
  docker push localhost:5000/dynokube/stack-debian-12:run
fi

say "pushing the Python sample app"
kubectl create serviceaccount developer 2>/dev/null || true
kubectl create rolebinding developer --clusterrole=edit --serviceaccount=default:developer 2>/dev/null || true
cp -r e2e/fixtures/python "$work/app"
(cd "$work/app" && git init -q -b main && git add -A && git -c user.name=e2e -c user.email=e2e@dynokube.dev commit -qm e2e)
PATH=$PWD/bin:$PATH kubectl dyno apps:create e2e-python --no-remote
# A push waits for its build and release; ten minutes bound one that cannot happen.
(cd "$work/app" && timeout 600 git push "http://git:$(kubectl create token developer)@127.0.0.1:8090/default/e2e-python.git" main)

say "curling it through the node's port 80"
for i in $(seq 1 60); do
  if curl -fs "http://$host/" | grep -q "Hello from Python"; then say "it answers at http://$host/"; break; fi
  [ "$i" = 60 ] && { echo "the app did not answer at http://$host/" >&2; exit 1; }
  sleep 2
done
