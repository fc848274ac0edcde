# The interface to dynokube's development: every workflow is a target here.
SHELL := /bin/bash
.DEFAULT_GOAL := help
BIN := node_modules/.bin
JEST := node --experimental-vm-modules node_modules/jest/bin/jest.js
export NODE_OPTIONS := --no-warnings=ExperimentalWarning

.PHONY: help deps run images kind krew test e2e test-unit test-integration bench lint crds cluster-build cluster-up cluster-down cluster-status clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

# npm install (not ci) honours the lock file, and tolerates mirrors that do not serve the
# other platforms' optional binaries of jest's resolver, which npm ci refuses.
node_modules/.installed: package.json package-lock.json
	npm install --no-audit --no-fund
	@touch $@

deps: node_modules/.installed ## install the npm dependencies (from the lock file)

run: deps ## dynokube on a local cluster whose node runs apps (root), in the foreground (Ctrl-C stops it)
	node --import tsx hack/run.ts

# Two workers: the fault suite (its own control planes, mostly waiting out outages) runs beside
# the other files rather than before them.
test: deps ## every test: unit, then integration on a real local control plane (built if missing)
	hack/dashboard/install-deps.sh
	$(JEST) --selectProjects unit integration --maxWorkers=2

e2e: deps ## the whole path on a real node here (root): git push, dynos answer, the dashboard, the README tour, make run
	hack/node/install-deps.sh
	hack/dashboard/install-deps.sh
	$(JEST) --selectProjects e2e --runInBand
	$(JEST) --selectProjects run --runInBand

test-unit: deps ## unit tests only (no cluster)
	$(JEST) --selectProjects unit

test-integration: deps ## integration tests only
	hack/dashboard/install-deps.sh
	$(JEST) --selectProjects integration

bench: deps ## benchmarks on fresh local control planes (figures as ratios to a floor measured in the same run)
	$(BIN)/tsx bench/push.bench.ts
	$(BIN)/tsx bench/receiver-disk.bench.ts
	$(BIN)/tsx bench/operator.bench.ts
	$(BIN)/tsx bench/cli.bench.ts
	hack/dashboard/install-deps.sh
	$(BIN)/tsx bench/dashboard.bench.ts
	hack/node/install-deps.sh
	$(BIN)/tsx bench/real-node.bench.ts
	$(BIN)/tsx bench/router.bench.ts
	$(BIN)/tsx bench/sleeping.bench.ts

lint: deps ## type-check and lint
	$(BIN)/tsc --noEmit -p tsconfig.json
	$(BIN)/eslint .

crds: deps ## regenerate crds/ (and the chart's copy) from the TypeScript API types in src/api
	$(BIN)/tsx hack/gen-crds.ts

IMAGE_REPO ?= ghcr.io/dynokube
IMAGE_TAG ?= $(shell node -p 'require("./package.json").version')
images: deps ## build the operator, receiver, router, builder, ingress and stack images (Docker, else buildah; e2e/kind.sh loads them)
	if docker info >/dev/null 2>&1; then \
	  docker build -f images/stack/Dockerfile --target run -t $(IMAGE_REPO)/stack-debian-12:run . && \
	  docker build -f images/stack/Dockerfile --target build -t $(IMAGE_REPO)/stack-debian-12:build . && \
	  for t in operator receiver router builder ingress; do \
	    docker build -f images/Dockerfile --target $$t --build-arg STACK_BUILD_IMAGE=$(IMAGE_REPO)/stack-debian-12:build -t $(IMAGE_REPO)/$$t:$(IMAGE_TAG) . || exit 1; \
	  done; \
	else \
	  node --import tsx hack/images/buildah.ts --tag $(IMAGE_TAG) >/dev/null; \
	fi

kind: deps ## e2e/kind.sh here (root): kind on Podman with a node image made here, helm install, a push curled through port 80
	hack/kind/e2e.sh

krew: deps ## package kubectl-dyno (dist/krew/: the archive and its krew manifest)
	hack/krew/package.sh

cluster-build: ## build the control plane's binaries from Go modules (cached; done by the others when needed)
	hack/build-control-plane.sh

cluster-up: deps ## start the local control plane in the background (data in .run/)
	$(BIN)/tsx hack/cluster/cli.ts up

cluster-down: deps ## stop the local control plane
	$(BIN)/tsx hack/cluster/cli.ts down

cluster-status: deps ## is the local control plane running?
	$(BIN)/tsx hack/cluster/cli.ts status

clean: cluster-down ## stop the cluster and delete its data (.run/) and build output
	rm -rf .run dist
