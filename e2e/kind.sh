#!/usr/bin/env bash
# The whole path on kind, for users with Docker: create the cluster, build and load dynokube's
# images, install an ingress controller and the chart, push a sample app, and curl it.
#   e2e/kind.sh            everything
#   e2e/kind.sh --keep     leave the cluster running afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in docker kind kubectl helm git curl; do
  command -v "$tool" >/dev/null || { echo "e2e/kind.sh needs $tool on PATH" >&2; exit 1; }
done
keep=${1:-}
tag=e2e
repo=ghcr.io/dynokube
say() { printf '==> %s\n' "$*"; }

say "creating the kind cluster"
kind get clusters | grep -qx dynokube || kind create cluster --config kind-config.yaml

say "building and loading images"
make images IMAGE_TAG=$tag
for image in operator receiver router builder stack-heroku-24:run; do
  case $image in *:*) ref=$repo/$image ;; *) ref=$repo/$image:$tag ;; esac
  kind load docker-image --name dynokube "$ref"
done

say "installing ingress-nginx"
kubectl apply -f https://raw.githubusercontent.com/kubernetes/ingress-nginx/main/deploy/static/provider/kind/deploy.yaml
kubectl wait -n ingress-nginx --for=condition=Ready pod -l app.kubernetes.io/component=controller --timeout=180s

say "installing dynokube"
helm upgrade --install dynokube charts/dynokube -n dynokube-system --create-namespace --wait \
  --set image.tag=$tag --set image.pullPolicy=Never --set ingressClassName=nginx \
  --set baseDomain=127.0.0.1.nip.io --set registry.pullHost=localhost:30500
kubectl -n dynokube-system patch svc dynokube-registry --type=merge \
  -p '{"spec":{"type":"NodePort","ports":[{"name":"registry","port":5000,"targetPort":"registry","nodePort":30500}]}}'
# The stack's run image, for builds to layer slugs on.
kubectl -n dynokube-system port-forward svc/dynokube-registry 5000:5000 >/dev/null & pf=$!
trap 'kill $pf 2>/dev/null || true' EXIT
sleep 2
docker tag $repo/stack-heroku-24:run localhost:5000/dynokube/stack-heroku-24:run
docker push localhost:5000/dynokube/stack-heroku-24:run

say "pushing the Python sample app"
kubectl -n dynokube-system port-forward svc/dynokube-receiver 8090:80 >/dev/null & pf2=$!
trap 'kill $pf $pf2 2>/dev/null || true' EXIT
kubectl create serviceaccount developer 2>/dev/null || true
kubectl create rolebinding developer --clusterrole=edit --serviceaccount=default:developer 2>/dev/null || true
work=$(mktemp -d)
cp -r e2e/fixtures/python "$work/app"
(cd "$work/app" && git init -q -b main && git add -A && git -c user.name=e2e -c user.email=e2e@dynokube.dev commit -qm e2e)
export PATH=$PWD/bin:$PATH
kubectl dyno apps:create e2e-python --no-remote
(cd "$work/app" && git push "http://git:$(kubectl create token developer)@127.0.0.1:8090/default/e2e-python.git" main)

say "curling it through the ingress"
for i in $(seq 1 60); do
  if curl -fsS http://e2e-python.127.0.0.1.nip.io/ | grep -q "Hello from Python"; then say "it answers"; break; fi
  sleep 2
  [ "$i" = 60 ] && { echo "the app did not answer" >&2; exit 1; }
done
[ "$keep" = --keep ] || kind delete cluster --name dynokube
