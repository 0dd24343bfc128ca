#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:$PGPORT with trust auth for user
# postgres, and that the test database exists. Uses a running server where there is one;
# otherwise starts the machine's cluster, or a throwaway one under /tmp.
set -euo pipefail
PGPORT="${PGPORT:-5432}"
DB="${MADO_TEST_PG_DB:-madoguchi_test}"

ready() { pg_isready -q -h 127.0.0.1 -p "$PGPORT" 2>/dev/null; }
as_postgres() { if [[ $(id -u) -eq 0 ]]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }

if ! ready && command -v pg_ctlcluster >/dev/null && [[ "$PGPORT" == 5432 ]]; then
  for v in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true
  done
  for _ in $(seq 1 30); do ready && break; sleep 0.5; done
fi

if ! ready || ! psql -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "select 1" >/dev/null 2>&1; then
  # No usable server: run our own, trust auth, loopback only.
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  dir="/tmp/madoguchi-pg-$PGPORT"
  if [[ ! -f "$dir/PG_VERSION" ]]; then
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
    as_postgres "$bin/initdb -D $dir -A trust -U postgres >/dev/null"
  fi
  as_postgres "$bin/pg_ctl -D $dir -l $dir/server.log -o \"-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1\" -w start >/dev/null"
fi

if ! psql -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "select 1 from pg_database where datname='$DB'" | grep -q 1; then
  psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "create database $DB"
fi
echo "PostgreSQL ready on 127.0.0.1:$PGPORT (database $DB)"
