# Sourced by scripts/test: installs (if missing) and starts Debian's PostgreSQL,
# then exports the connection string Backstage's TestDatabases reads.
ensure_apt postgresql:/usr/lib/postgresql
PG_VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$PG_VERSION main"; then
  pg_createcluster "$PG_VERSION" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1==v && $2=="main" {print $4}' | grep -q online; then
  log "starting PostgreSQL $PG_VERSION"
  pg_ctlcluster "$PG_VERSION" main start
fi
PG_PORT=$(pg_lsclusters -h | awk -v v="$PG_VERSION" '$1==v && $2=="main" {print $3}')
for _ in $(seq 1 30); do
  (cd / && su postgres -c "psql -p $PG_PORT -qtAc 'select 1'") >/dev/null 2>&1 && break
  sleep 1
done
(cd / && su postgres -c "psql -p $PG_PORT -qc \"ALTER USER postgres PASSWORD 'postgres'\"") >/dev/null
export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="postgresql://postgres:postgres@localhost:$PG_PORT"
export BACKSTAGE_TEST_DISABLE_DOCKER=1
