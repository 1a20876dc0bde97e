#!/bin/sh
# The role a streaming replica (the db-replica service, docker/replica.sh) clones and follows the primary
# as, made once, when the postgres image creates the database; docker-compose mounts this directory as
# /docker-entrypoint-initdb.d. It may log in for replication and nothing more: no table of ours is granted
# to it. pg_hba.conf lets it make replication connections with its password (the image's own last line,
# `host all all all scram-sha-256`, does not cover them); the server restarts after these scripts, so the
# line counts from the first real start. max_slot_wal_keep_size bounds the WAL a replica's slot keeps, so
# a replica removed without dropping its slot cannot fill the primary's disk.
# Needs POSTGRES_USER, POSTGRES_DB, PGDATA, AMAZEN_REPLICATION_USER and AMAZEN_REPLICATION_PASSWORD (.db_env).
set -e
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v replication_user="$AMAZEN_REPLICATION_USER" -v replication_password="$AMAZEN_REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE :"replication_user" LOGIN REPLICATION PASSWORD :'replication_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
ALTER SYSTEM SET max_slot_wal_keep_size = '20GB';
SQL
printf 'host replication "%s" all scram-sha-256\n' "$AMAZEN_REPLICATION_USER" >> "$PGDATA/pg_hba.conf"
