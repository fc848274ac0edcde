# Sourced by bin/compile: Heroku's build output style, the timings the builder reports, and the
# app's config vars as the build's environment.

step() { echo "-----> $*"; }
info() { echo "       $*"; }
warn() { echo " !     $*"; }
indent() { sed -u 's/^/       /'; }
# One line that says what to change, and the build fails.
fail() { echo " !     $*"; exit 1; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Adds to the builder's record of where the time went: runtime, package-manager or app.
timing() {
  [ -n "${DYNOKUBE_TIMINGS:-}" ] || return 0
  echo "$1-ms $(( $(now_ms) - $2 ))" >> "$DYNOKUBE_TIMINGS"
}

# The app's config vars, exported for the build as Heroku does (pip's index settings, what
# collectstatic's settings read...), less those that would break the build itself. Values are
# never printed.
export_env_dir() {
  local dir=$1 name
  [ -d "$dir" ] || return 0
  for f in "$dir"/*; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    [[ $name =~ ^(PATH|GIT_DIR|CPATH|CPPATH|LD_PRELOAD|LIBRARY_PATH|LANG|BUILD_DIR|HOME|STACK|SOURCE_VERSION|PYTHONHOME|PYTHONPATH|VIRTUAL_ENV)$ ]] && continue
    export "$name=$(cat "$f")"
  done
}

# Copies dir to the cache as `name`, with a listing of it (names, sizes, files' times, links):
# the next build copies it back, and a dir that the build did not change is not copied again.
listing() { (cd "$1" && { find . -type f -printf '%P %s %Ts\n'; find . ! -type f -printf '%P %y %l\n'; } | sort | sha256sum | cut -d' ' -f1); }
save_to_cache() {
  local dir=$1 name=$2 key=$3 now
  [ -d "$dir" ] || return 0
  now=$(listing "$dir")
  if [ -d "$cache/$name" ] && [ "$(cat "$cache/$name.listing" 2>/dev/null)" = "$now" ] && [ "$(cat "$cache/$name.key" 2>/dev/null)" = "$key" ]; then return 0; fi
  rm -rf "$cache/$name" "$cache/$name.key" "$cache/$name.listing"
  mkdir -p "$(dirname "$cache/$name")"
  cp -a "$dir" "$cache/$name"
  echo "$key" > "$cache/$name.key"
  echo "$now" > "$cache/$name.listing"
}
# Copies the cached `name` to dir when it was saved with the same key; else forgets it.
restore_from_cache() {
  local dir=$1 name=$2 key=$3
  [ -d "$cache/$name" ] || return 1
  if [ "$(cat "$cache/$name.key" 2>/dev/null)" != "$key" ]; then
    rm -rf "$cache/$name" "$cache/$name.key" "$cache/$name.listing"
    return 1
  fi
  rm -rf "$dir" && mkdir -p "$(dirname "$dir")"
  cp -a "$cache/$name" "$dir"
}
