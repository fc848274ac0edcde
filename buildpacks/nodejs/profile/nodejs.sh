# Sourced (by a POSIX sh) as every dyno starts: the Node.js and package manager the build
# installed, NODE_ENV=production, and defaults sized to the dyno's memory, as Heroku's Node.js
# buildpack sets them: WEB_CONCURRENCY (one process per 512 MB) and the V8 heap of each process.
export PATH="$HOME/.heroku/node/bin:$HOME/bin:$HOME/node_modules/.bin:$PATH"
export NODE_HOME="$HOME/.heroku/node"
export NODE_ENV="${NODE_ENV:-production}"

# The memory limit of this dyno's container in MB (cgroup v2, else v1); nothing when unlimited.
dyno_memory_mb() {
  limit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null)
  case $limit in '' | max | *[!0-9]*) return 1 ;; esac
  # cgroup v1 says "no limit" with a number of about 2^63.
  [ ${#limit} -le 13 ] || return 1
  echo $((limit / 1048576))
}

if memory_mb=$(dyno_memory_mb); then
  export MEMORY_AVAILABLE="${MEMORY_AVAILABLE:-$memory_mb}"
  export WEB_MEMORY="${WEB_MEMORY:-512}"
  if [ -z "${WEB_CONCURRENCY:-}" ]; then
    concurrency=$((MEMORY_AVAILABLE / WEB_MEMORY))
    [ "$concurrency" -ge 1 ] || concurrency=1
    export WEB_CONCURRENCY="$concurrency" WEB_CONCURRENCY_SET_BY="heroku/nodejs"
  fi
  case "${NODE_OPTIONS:-}" in
    *max-old-space-size* | *max_old_space_size*) ;;
    # Three quarters of each process's share, leaving room for buffers and the rest of the process.
    *) export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--max-old-space-size=$((MEMORY_AVAILABLE * 3 / 4 / WEB_CONCURRENCY))" ;;
  esac
fi
unset limit memory_mb concurrency
