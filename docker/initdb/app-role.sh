#!/bin/sh
# The role the app connects as, made once, when the postgres image creates the database (an empty data
# volume): docker-compose mounts this directory as /docker-entrypoint-initdb.d. It may log in and nothing
# more; the app container's `alembic upgrade head` grants it rows to read and write (src/amazen/dbroles.py).
# Needs POSTGRES_USER, POSTGRES_DB, AMAZEN_APP_USER and AMAZEN_APP_PASSWORD (.db_env).
set -e
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_user="$AMAZEN_APP_USER" -v app_password="$AMAZEN_APP_PASSWORD" <<'SQL'
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
SQL
