# Sourced (by a POSIX sh) as every dyno starts: the app's virtual environment, unbuffered output
# (log lines appear as they are written), and gunicorn's defaults as Heroku sets them:
# WEB_CONCURRENCY from the dyno's memory and CPUs, access logs, the router's forwarded headers.
export VIRTUAL_ENV="$HOME/.heroku/python"
export PATH="$HOME/.heroku/python/bin:$PATH"
export PYTHONUNBUFFERED=1
export LANG="${LANG:-C.UTF-8}"
export FORWARDED_ALLOW_IPS='*'
export GUNICORN_CMD_ARGS="${GUNICORN_CMD_ARGS:---access-logfile -}"

# The memory limit of this dyno's container in MB (cgroup v2, else v1); nothing when unlimited.
dyno_memory_mb() {
  limit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null)
  case $limit in '' | max | *[!0-9]*) return 1 ;; esac
  # cgroup v1 says "no limit" with a number of about 2^63.
  [ ${#limit} -le 13 ] || return 1
  echo $((limit / 1048576))
}

# The CPUs this dyno may use: its CPU limit, rounded up, else the machine's.
dyno_cpus() {
  quota=$(cut -d' ' -f1 /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null)
  period=$(cut -d' ' -f2 /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null)
  case "$quota$period" in *[!0-9]* | '') grep -c '^processor' /proc/cpuinfo ;; *) echo $(((quota + period - 1) / period)) ;; esac
}

if memory_mb=$(dyno_memory_mb); then
  export DYNO_RAM="$memory_mb"
  if [ -z "${WEB_CONCURRENCY:-}" ]; then
    # At least 256 MB per process, and no more than 2 per CPU, plus one.
    by_memory=$((memory_mb / 256))
    [ "$by_memory" -ge 1 ] || by_memory=1
    by_cpu=$(($(dyno_cpus) * 2 + 1))
    export WEB_CONCURRENCY=$((by_memory < by_cpu ? by_memory : by_cpu)) WEB_CONCURRENCY_SET_BY="heroku/python"
  fi
fi
unset limit memory_mb quota period by_memory by_cpu
