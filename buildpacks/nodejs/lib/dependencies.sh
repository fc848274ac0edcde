# Sourced by bin/compile: installing the dependencies from the lock file with devDependencies,
# the app's scripts, and pruning the devDependencies after the build. node_modules as the install
# left it is kept in the build cache, with what it was made from; npm's own cache, Yarn's and
# pnpm's store too.

export npm_config_cache="$cache/npm-cache" npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export npm_config_loglevel=${npm_config_loglevel:-${NPM_CONFIG_LOGLEVEL:-error}}

pm_command() { case $1 in npm) echo npm ;; yarn|berry) echo yarn ;; pnpm) echo pnpm ;; esac; }

run_script() {
  has_script "$1" || return 0
  step "Running $1"
  "$(pm_command "$pm")" run "$1" 2>&1 | indent
}

# What node_modules was installed from: the same inputs give the same tree.
modules_key() {
  local f
  for f in package.json $lock .npmrc .yarnrc.yml; do [ ! -f "$f" ] || cat "$f"; done | sha256sum | cut -d' ' -f1
  echo "$STACK node $NODE_VERSION npm $NPM_VERSION $pm ${PM_VERSION:-}"
}

restore_node_modules() {
  if [ -e node_modules ]; then
    warn "node_modules is checked into the app: it is installed over, not taken from the build cache"
    return 1
  fi
  [ -d "$cache/node_modules" ] || return 1
  if [ "$(cat "$cache/node_modules.key" 2>/dev/null)" = "$(modules_key)" ]; then
    cp -a "$cache/node_modules" node_modules
    return 0
  fi
  info "node_modules in the build cache was installed from another package.json, lock file or version: not used"
  rm -rf "$cache/node_modules" "$cache/node_modules.key"
  return 1
}

save_node_modules() {
  rm -rf "$cache/node_modules" "$cache/node_modules.key"
  [ -d node_modules ] || return 0
  cp -a node_modules "$cache/node_modules"
  modules_key > "$cache/node_modules.key"
}

install_dependencies() {
  local pm=$1 lock=$2 scripts
  case $pm in
    npm)
      if [ -z "$lock" ]; then
        warn "No package-lock.json: the dependencies are resolved afresh on every build. Commit the lock file npm install writes."
        restore_node_modules || true
        info "Installing node modules (npm install)"
        npm install --include=dev 2>&1 | indent
      else
        # The same lock file, versions and root install scripts give the same tree npm ci would make.
        scripts=$(package_json_field scripts.preinstall)$(package_json_field scripts.install)$(package_json_field scripts.postinstall)$(package_json_field scripts.prepare)
        if [ -z "${USE_NPM_INSTALL:-}" ] && [ -z "$scripts" ] && restore_node_modules; then
          info "node_modules from the build cache: installed from this $lock with Node.js $NODE_VERSION (npm ci not needed)"
          return
        fi
        if [ "${USE_NPM_INSTALL:-}" = true ]; then
          info "Installing node modules (npm install, as USE_NPM_INSTALL asks)"
          npm install --include=dev 2>&1 | indent
        else
          info "Installing node modules ($lock, npm ci)"
          npm ci --include=dev 2>&1 | indent
        fi
      fi
      ;;
    yarn)
      export YARN_CACHE_FOLDER="$cache/yarn-cache"
      restore_node_modules || true
      info "Installing node modules (yarn.lock, Yarn $PM_VERSION)"
      yarn install ${lock:+--frozen-lockfile} --production=false --non-interactive 2>&1 | indent
      ;;
    berry)
      # Plug'n'Play loads packages from the cache's zip files at run time: that cache is in the app.
      if grep -qE '^nodeLinker:[[:space:]]*["'\'']?node-modules' .yarnrc.yml 2>/dev/null; then
        export YARN_CACHE_FOLDER=${YARN_CACHE_FOLDER:-"$cache/yarn-berry-cache"} YARN_ENABLE_GLOBAL_CACHE=false
        restore_node_modules || true
      else
        export YARN_ENABLE_GLOBAL_CACHE=false
      fi
      info "Installing node modules (yarn.lock, Yarn $PM_VERSION)"
      yarn install --immutable 2>&1 | indent
      ;;
    pnpm)
      export npm_config_store_dir="$cache/pnpm-store" pnpm_config_store_dir="$cache/pnpm-store"
      restore_node_modules || true
      info "Installing node modules (pnpm-lock.yaml, pnpm $PM_VERSION)"
      pnpm install ${lock:+--frozen-lockfile} --prod=false 2>&1 | indent
      ;;
  esac
  save_node_modules
}

prune_dependencies() {
  local pm=$1
  if [ "${NPM_CONFIG_PRODUCTION:-${npm_config_production:-}}" = false ] || [ "${YARN_PRODUCTION:-}" = false ]; then
    info "Keeping devDependencies (NPM_CONFIG_PRODUCTION or YARN_PRODUCTION is false)"
    return
  fi
  step "Pruning devDependencies"
  case $pm in
    npm) npm prune --omit=dev 2>&1 | indent ;;
    yarn) yarn install ${lock:+--frozen-lockfile} --production=true --ignore-scripts --prefer-offline --non-interactive 2>&1 | indent ;;
    berry)
      if ! yarn workspaces focus --all --production 2>&1 | indent; then
        warn "Yarn $PM_VERSION cannot prune devDependencies (yarn workspaces focus needs Yarn 4, or the workspace-tools plugin): they stay"
      fi
      ;;
    pnpm) pnpm prune --prod 2>&1 | indent ;;
  esac
}

write_profile() {
  mkdir -p "$build/.profile.d"
  cp "$bp/profile/nodejs.sh" "$build/.profile.d/nodejs.sh"
  if [ "$pm" = pnpm ]; then
    # pnpm 11 re-checks node_modules before `pnpm run`, against the build's paths: warn, never reinstall.
    echo 'export pnpm_config_verify_deps_before_run="${pnpm_config_verify_deps_before_run:-warn}"' >> "$build/.profile.d/nodejs.sh"
  fi
}
