#!/bin/sh
# The PostgreSQL add-on's entrypoint: on first start, makes the cluster in $PGDATA (the superuser
# with its password, the database), then runs the server in the foreground. Extra arguments go
# to postgres (-p 5433, -c name=value).
set -eu
if [ -z "${POSTGRES_PASSWORD:-}" ]; then
  echo "postgresql: POSTGRES_PASSWORD is not set: it is the password of POSTGRES_USER" >&2
  exit 1
fi
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
export PGDATA=${PGDATA:-/var/lib/postgresql/data/pgdata}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  # The password goes through a file, never the command line other processes can read.
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" --auth-host=scram-sha-256 --auth-local=trust \
    --encoding=UTF8 --locale=C
  rm -f "$pwfile"
  printf "listen_addresses = '*'\nunix_socket_directories = '/tmp'\n" >>"$PGDATA/postgresql.conf"
  echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    # A server on the socket only, so nothing connects before the database is there.
    pg_ctl -D "$PGDATA" -w -o "-c listen_addresses=''" start
    createdb -h /tmp -U "$POSTGRES_USER" -- "$POSTGRES_DB"
    pg_ctl -D "$PGDATA" -w -m fast stop
  fi
fi
exec postgres -D "$PGDATA" "$@"
