#!/bin/sh
# The Redis add-on's entrypoint: the server on every address, behind REDIS_PASSWORD, saving to
# /data (the volume) as an append-only file. Extra arguments go to redis-server (--port 6380).
set -eu
if [ -z "${REDIS_PASSWORD:-}" ]; then
  echo "redis: REDIS_PASSWORD is not set: clients authenticate with it" >&2
  exit 1
fi
exec redis-server --bind 0.0.0.0 --port 6379 --requirepass "$REDIS_PASSWORD" --dir /data --appendonly yes --protected-mode no "$@"
