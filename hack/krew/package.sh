#!/usr/bin/env bash
# make krew: builds the plugin's archive (bin/, the compiled CLI and its production
# dependencies) and the krew manifest that points at it, into dist/krew/.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
version=$(node -p 'require("./package.json").version')
out="$root/dist/krew"
stage="$out/stage/kubectl-dyno"
rm -rf "$out" && mkdir -p "$stage/bin"
npx tsc -p tsconfig.json
cp bin/kubectl-dyno bin/kubectl_complete-dyno "$stage/bin/"
mkdir -p "$stage/dist" && cp -r dist/src "$stage/dist/"
cp package.json package-lock.json "$stage/"
(cd "$stage" && npm install --omit=dev --no-audit --no-fund --ignore-scripts >/dev/null && rm package-lock.json)
archive="$out/kubectl-dyno-v$version.tar.gz"
tar -C "$out/stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -czf "$archive" kubectl-dyno
sha=$(sha256sum "$archive" | cut -d' ' -f1)
node --import tsx -e "import('$root/hack/krew/manifest.ts').then((m) => process.stdout.write(m.krewManifest('$version', '$sha')))" > "$out/dyno.yaml"
rm -rf "$out/stage"
echo "wrote $archive and $out/dyno.yaml (sha256 $sha)"
