# Sourced by bin/compile: the dependencies, installed into the app's virtual environment from its
# lock file by its package manager, and Django's collectstatic. The environment is saved to the
# build cache as the install left it (collectstatic writes only in the app).

# Compiled files are checked against their source's hash, not its time: the slug's files all
# carry one fixed time.
export SOURCE_DATE_EPOCH=315532800 PIP_CACHE_DIR="$cache/pip"

install_dependencies() {
  case $1 in
    pip)
      step "Installing requirements with pip"
      "$PYTHON" -m pip --python "$VENV/bin/python" install --no-warn-script-location -r requirements.txt 2>&1 | indent
      ;;
    pipenv)
      step "Installing dependencies from Pipfile.lock with Pipenv"
      PIPENV_VERBOSITY=-1 PIPENV_NOSPIN=1 PIPENV_YES=1 PIPENV_CACHE_DIR="$cache/pipenv" \
        "$TOOL/python" -m pipenv install --deploy 2>&1 | indent
      ;;
    poetry)
      step "Installing dependencies from poetry.lock with Poetry"
      POETRY_VIRTUALENVS_CREATE=false POETRY_CACHE_DIR="$cache/poetry" \
        "$TOOL/python" -m poetry sync --only main --no-interaction --no-ansi --compile 2>&1 | sed -u '/Skipping virtualenv creation/d' | indent
      ;;
    uv)
      step "Installing dependencies from uv.lock with uv"
      UV_PROJECT_ENVIRONMENT="$VENV" UV_PYTHON="$VENV/bin/python" UV_PYTHON_DOWNLOADS=never UV_NO_MANAGED_PYTHON=1 \
        UV_CACHE_DIR="$cache/uv" UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 \
        "$TOOL/uv" sync --locked --no-default-groups --no-progress --color never 2>&1 | indent
      ;;
  esac
  save_to_cache "$VENV" python/venv "$VENV_KEY"
}

# Django's static files, as Heroku collects them: when Django is installed and there is a
# manage.py, unless DISABLE_COLLECTSTATIC=1.
collectstatic() {
  "$VENV/bin/python" -c 'import django' 2>/dev/null || return 0
  if [ "${DISABLE_COLLECTSTATIC:-0}" != 0 ]; then
    step "Skipping Django's collectstatic: DISABLE_COLLECTSTATIC is set"
    return 0
  fi
  local manage
  manage=$(find . -maxdepth 3 -type f -name manage.py -printf '%d\t%P\n' | sort -n | cut -f2 | head -n1)
  [ -n "$manage" ] || return 0
  step "\$ python $manage collectstatic --noinput"
  if ! PYTHONPATH="${PYTHONPATH:-.}" "$VENV/bin/python" "$manage" collectstatic --noinput 2>&1 | indent; then
    fail "Django's collectstatic failed (its output is above): fix the app's static files settings, or set DISABLE_COLLECTSTATIC=1"
  fi
}
