#!/bin/sh
# The app container's entrypoint: wait until PostgreSQL answers, bring its schema up to date, then run the
# command (pserve, amazen-import, ...). Every app container does this as it starts; `alembic upgrade head`
# takes a lock, so with several containers one migrates and the others wait for it. Both run as the schema's
# owner (AMAZEN_OWNER_DATABASE_URL), and the migration grants the app's role (AMAZEN_DATABASE_URL's user)
# its rows (src/amazen/dbroles.py); pserve then connects as that role, jobs as the owner.
# Needs those URLs and the working directory holding alembic.ini (/app in the image).
set -e
python -m amazen.scripts.wait_for_db
alembic upgrade head
exec "$@"
