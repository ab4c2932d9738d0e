#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432, database "test") and Redis (127.0.0.1:6379) answer.
# Uses the machine's running servers when they are up; otherwise installs the Debian packages
# if needed and starts throwaway instances that keep their data under /tmp.
set -euo pipefail

PG_PORT=${CLOUDPILOT_TEST_PG_PORT:-5432}
REDIS_PORT=${CLOUDPILOT_TEST_REDIS_PORT:-6379}
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

apt_install() {
  if ! command -v apt-get >/dev/null; then echo "services: need $* but apt-get is missing" >&2; return 1; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

redis_up() { command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

if ! redis_up; then
  command -v redis-server >/dev/null || apt_install redis-server redis-tools
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /tmp --logfile /tmp/cloudpilot-redis.log
  for _ in $(seq 50); do redis_up && break; sleep 0.1; done
  redis_up || { echo "services: redis did not start (see /tmp/cloudpilot-redis.log)" >&2; exit 1; }
fi

pg_up() { command -v psql >/dev/null && psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d test -tAc 'select 1' >/dev/null 2>&1; }

if ! pg_up; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql postgresql-client
  # First try the packaged cluster, then a throwaway one.
  if ls /etc/postgresql/*/main >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start 2>/dev/null || true
  fi
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.2; done
  if ! pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    dir=/tmp/cloudpilot-pg
    rm -rf "$dir"; mkdir -p "$dir"; chown postgres "$dir" 2>/dev/null || true
    run_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
    run_pg "$bin/initdb -D $dir/data -U postgres --auth=trust >/dev/null"
    run_pg "$bin/pg_ctl -D $dir/data -o '-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1' -l $dir/log -w start >/dev/null"
  fi
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "select 1 from pg_database where datname='test'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -c 'create database test' >/dev/null
  pg_up || { echo "services: postgres did not start" >&2; exit 1; }
fi
echo "services: postgres 127.0.0.1:$PG_PORT and redis 127.0.0.1:$REDIS_PORT are up"
