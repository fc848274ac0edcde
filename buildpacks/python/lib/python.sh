# Sourced by bin/compile: which Python (of those the stack has), the app's virtual environment in
# .heroku/python, which package manager, and the package managers themselves (pinned, from PyPI,
# each in a virtual environment of its own in the build cache). pip is the stack's.

# Pinned as Heroku pins them, so a build does not change because a new release came out.
declare -A TOOL_VERSIONS=([pipenv]=2026.10.3 [poetry]=2.5.1 [uv]=0.13.9)

# The Pythons of the stack: each /usr/bin/python3.N it has.
stack_pythons() { find /usr/bin -maxdepth 1 -regex '.*/python3\.[0-9]+' -printf '%f\n' | sed 's/^python//' | sort -V | tr '\n' ' ' | sed 's/ $//'; }

# One requested version: runtime.txt's python-X.Y[.Z], else .python-version's first line.
requested_python() {
  if [ -f runtime.txt ]; then
    REQUEST_FROM=runtime.txt
    REQUEST=$(tr -d '[:space:]' < runtime.txt)
    [[ $REQUEST =~ ^python-([0-9]+\.[0-9]+(\.[0-9]+)?)$ ]] || fail "runtime.txt says $(head -c 40 runtime.txt | tr -d '\n'), not python-<version> (such as python-$(stack_pythons | cut -d' ' -f1))"
    REQUEST=${BASH_REMATCH[1]}
  elif [ -f .python-version ]; then
    REQUEST_FROM=.python-version
    REQUEST=$(grep -vE '^[[:space:]]*(#|$)' .python-version | head -n1 | tr -d '[:space:]')
    [[ $REQUEST =~ ^([0-9]+\.[0-9]+(\.[0-9]+)?)$ ]] || fail ".python-version says ${REQUEST:-nothing}, not a version (such as $(stack_pythons | cut -d' ' -f1))"
  else
    REQUEST="" REQUEST_FROM=""
  fi
}

choose_python() {
  local have minor
  have=$(stack_pythons)
  [ -n "$have" ] || fail "This stack has no Python."
  requested_python
  if [ -z "$REQUEST" ]; then
    minor=${have##* }
    step "Using Python $minor: the stack's newest (no .python-version or runtime.txt)"
  else
    minor=$(cut -d. -f1,2 <<<"$REQUEST")
    [[ " $have " == *" $minor "* ]] || fail "Requested Python $REQUEST ($REQUEST_FROM), but this stack has Python $have only: ask for one of those in $REQUEST_FROM"
    step "Using Python $minor ($REQUEST_FROM asks for $REQUEST)"
  fi
  PYTHON=/usr/bin/python$minor
  PYTHON_VERSION=$("$PYTHON" -c 'import platform; print(platform.python_version())')
  if [[ $REQUEST =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] && [ "$REQUEST" != "$PYTHON_VERSION" ]; then
    warn "$REQUEST_FROM asks for Python $REQUEST; the stack's Python $minor is $PYTHON_VERSION, which builds and runs this app. Ask for $minor to say so."
  fi
}

# Heroku's rule: one package manager file, and a Pipfile only with its lock. Sets pm.
package_manager() {
  local found=()
  [ -f Pipfile.lock ] && found+=(pipenv)
  [ -f Pipfile ] && [ ! -f Pipfile.lock ] && fail "There is a Pipfile but no Pipfile.lock: run pipenv lock and commit Pipfile.lock"
  [ -f requirements.txt ] && found+=(pip)
  [ -f poetry.lock ] && found+=(poetry)
  [ -f uv.lock ] && found+=(uv)
  case ${#found[@]} in
    1) pm=${found[0]} ;;
    0) fail "No Python package manager file: add requirements.txt (pip), Pipfile.lock (Pipenv), poetry.lock (Poetry) or uv.lock (uv); an empty requirements.txt if there is nothing to install" ;;
    *) fail "Several Python package manager files ($(IFS=,; echo "${found[*]}" | sed 's/,/, /g')): keep the one of the package manager you use" ;;
  esac
}

make_venv() {
  VENV="$build/.heroku/python"
  local key="$STACK $PYTHON_VERSION $pm ${TOOL_VERSIONS[$pm]:-} $( [ "$pm" != pip ] || sha256sum requirements.txt | cut -d' ' -f1)"
  if restore_from_cache "$VENV" python/venv "$key"; then
    info "Using the virtual environment from the build cache"
  else
    rm -rf "$VENV"
    "$PYTHON" -m venv --without-pip "$VENV"
    # Its record of the command that made it names the build's folder: the slug need not.
    sed -i '/^command = /d' "$VENV/pyvenv.cfg"
  fi
  VENV_KEY=$key
  export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
}

# pipenv, Poetry or uv from PyPI, in a virtual environment of its own in the cache.
install_tool() {
  local tool=$1 version=${TOOL_VERSIONS[$1]} dir="$cache/python/tools/$1"
  if [ "$(cat "$dir/.version" 2>/dev/null)" != "$STACK $PYTHON_VERSION $version" ]; then
    step "Installing $tool $version"
    rm -rf "$dir"
    "$PYTHON" -m venv --without-pip "$dir"
    "$PYTHON" -m pip --python "$dir/bin/python" install --quiet --cache-dir "$cache/pip" "$tool==$version" 2>&1 | indent
    echo "$STACK $PYTHON_VERSION $version" > "$dir/.version"
  else
    step "Using $tool $version"
  fi
  TOOL="$dir/bin"
}
