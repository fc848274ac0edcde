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

# The app's config vars, exported for the build as Heroku does (npm and Yarn settings, NODE_ENV,
# the registry...), less those that would break the build itself. Values are never printed.
export_env_dir() {
  local dir=$1 name
  [ -d "$dir" ] || return 0
  for f in "$dir"/*; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    [[ $name =~ ^(PATH|GIT_DIR|CPATH|CPPATH|LD_PRELOAD|LIBRARY_PATH|LANG|BUILD_DIR|HOME|STACK|SOURCE_VERSION)$ ]] && continue
    export "$name=$(cat "$f")"
  done
}

# The app's package.json, read by the stack's Node.js: one field by dotted path, or "".
package_json_field() {
  "${STACK_NODE:-node}" -e 'const v = process.argv[1].split(".").reduce((o, k) => (o == null ? o : o[k]), JSON.parse(require("fs").readFileSync("package.json", "utf8"))); process.stdout.write(typeof v === "string" ? v : "")' "$1"
}
has_script() { [ -n "$(package_json_field "scripts.$1")" ]; }
