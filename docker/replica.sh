#!/bin/sh
# The db-replica container's entrypoint: on its first start (no data directory yet), clone the primary with
# pg_basebackup -R into its own volume, then start PostgreSQL, which follows the primary as a read-only hot
# standby. The clone is made beside the data directory and renamed into place only when complete, so a
# start that failed half way clones again. Roles and pg_hba.conf come with the copy: the app role signs
# in here with its own password and may only read.
# Runs as the postgres user. Needs PGDATA, AMAZEN_REPLICATION_USER and AMAZEN_REPLICATION_PASSWORD (.db_env);
# AMAZEN_PRIMARY_HOST and AMAZEN_PRIMARY_PORT (default db:5432) and AMAZEN_REPLICATION_SLOT (default
# amazen_replica: one per replica) may be set. Then runs its arguments (the image's docker-entrypoint.sh
# postgres), which start the server on the existing data directory.
set -e
: "${AMAZEN_PRIMARY_HOST:=db}" "${AMAZEN_PRIMARY_PORT:=5432}" "${AMAZEN_REPLICATION_SLOT:=amazen_replica}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  export PGHOST="$AMAZEN_PRIMARY_HOST" PGPORT="$AMAZEN_PRIMARY_PORT" PGUSER="$AMAZEN_REPLICATION_USER" \
    PGPASSWORD="$AMAZEN_REPLICATION_PASSWORD" PGCONNECT_TIMEOUT=5
  # The primary answers on its network address only once its first-start initialisation is done.
  tries=0
  until pg_isready --quiet --dbname=postgres; do
    tries=$((tries + 1))
    if [ "$tries" -ge 120 ]; then
      echo "replica: the primary $PGHOST:$PGPORT did not answer" >&2
      exit 1
    fi
    sleep 1
  done
  # A physical slot: the primary keeps the WAL this replica has not received yet (bounded on the primary
  # by max_slot_wal_keep_size, docker/initdb/replication.sh). Made here, once, so a re-clone reuses it.
  psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --tuples-only --output=/dev/null --dbname=postgres \
    -v slot="$AMAZEN_REPLICATION_SLOT" <<'SQL'
SELECT pg_create_physical_replication_slot(:'slot')
WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = :'slot');
SQL
  mkdir -p "$(dirname "$PGDATA")"
  rm -rf "$PGDATA.clone"
  pg_basebackup --pgdata="$PGDATA.clone" --write-recovery-conf --wal-method=stream \
    --slot="$AMAZEN_REPLICATION_SLOT" --checkpoint=fast --no-password
  rm -rf "$PGDATA"
  mv "$PGDATA.clone" "$PGDATA"
fi
exec "$@"
