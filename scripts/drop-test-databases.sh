#!/usr/bin/env bash
# Drops the per-test PostgreSQL databases (mado_t_*) the PostgreSQL pass of make test made.
set -euo pipefail
PGPORT="${PGPORT:-5432}"
for db in $(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "select datname from pg_database where datname like 'mado_t_%'"); do
  psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "drop database if exists \"$db\"" >/dev/null
done
