#!/bin/sh
# Run once by the postgres image when it initialises the primary's volume (mounted into
# /docker-entrypoint-initdb.d by docker-compose.yml): the role a streaming replica connects
# with, and a pg_hba line that lets it in from the compose network. Harmless without a replica.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SQL
echo "host replication replicator all scram-sha-256" >>"$PGDATA/pg_hba.conf"
