#!/usr/bin/env bash
# A PostgreSQL streaming replica of the local cluster, on loopback, for the DATABASE_READ_URL
# tests: `bash .ci/replica.sh start|stop|status`, as root, after the primary (Debian cluster
# 15/main on 5432, role kopij) is up. Idempotent: `start` reuses a replica that still follows
# this primary and rebuilds it (pg_basebackup -R) otherwise; `stop` is a fast shutdown.
#
# The replica is a plain data directory run with pg_ctl, not a Debian cluster, so pg_lsclusters
# and the primary's configuration are untouched. Debian keeps postgresql.conf and pg_hba.conf in
# /etc, not in the data directory, so the copy gets small ones of its own. Debian's default
# pg_hba already admits replication connections from 127.0.0.1 with a password.
#
# The test role may pause and resume replay on the replica (the read-your-writes test holds the
# replica back to prove which database served a read); those grants are made in the primary's
# `kopij` database and reach the replica by replication.
#
# On success prints the replica's URL for the tests (KOPIJ_TEST_REPLICA_URL) as the last line.
set -euo pipefail

PRIMARY_PORT="${KOPIJ_PRIMARY_PORT:-5432}"
REPLICA_PORT="${KOPIJ_REPLICA_PORT:-5433}"
REPLICA_DIR="${KOPIJ_REPLICA_DIR:-/var/lib/postgresql/kopij-replica}"
REPL_ROLE=kopij_replication
REPL_PASSWORD=kopij_replication
# shellcheck disable=SC2012  # version directory names are plain numbers
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
LOG="$REPLICA_DIR.log"
URL="postgres://kopij:kopij@127.0.0.1:$REPLICA_PORT/kopij"

as_postgres() { (cd / && runuser -u postgres -- "$@"); }
primary_sql() { as_postgres psql -X -q -tA -v ON_ERROR_STOP=1 -p "$PRIMARY_PORT" -d "${2:-postgres}" -c "$1"; }
replica_sql() { as_postgres psql -X -q -tA -v ON_ERROR_STOP=1 -h /var/run/postgresql -p "$REPLICA_PORT" -d postgres -c "$1"; }
running() { as_postgres "$BIN/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1; }

stop_replica() {
  if [[ -d "$REPLICA_DIR" ]] && running; then
    as_postgres "$BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w -t 60 stop
  fi
}

# Caught up once the replica has replayed everything the primary had written when we asked.
wait_caught_up() {
  local target
  target=$(primary_sql 'select pg_current_wal_lsn()')
  for _ in $(seq 1 "${1:-60}"); do
    if [[ "$(replica_sql "select coalesce(pg_last_wal_replay_lsn() >= '$target', false)" 2>/dev/null)" == t ]]; then
      return 0
    fi
    sleep 1
  done
  return 1
}

build_replica() {
  echo "+ pg_basebackup -R of 127.0.0.1:$PRIMARY_PORT into $REPLICA_DIR"
  stop_replica || true
  rm -rf "$REPLICA_DIR" "$LOG"
  install -d -o postgres -g postgres -m 700 "$REPLICA_DIR"
  as_postgres env PGPASSWORD="$REPL_PASSWORD" "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" \
    -U "$REPL_ROLE" -D "$REPLICA_DIR" -R -X stream --checkpoint=fast --no-password
  as_postgres tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<CONF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/var/run/postgresql'
hot_standby = on
shared_buffers = 32MB
# A throw-away copy: rebuilt rather than repaired after a crash, so no fsync (which would also
# make its first start sync the whole copied directory, ~10 s on a busy disk).
fsync = off
CONF
  as_postgres tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<HBA
local all all peer
host all all 127.0.0.1/32 scram-sha-256
HBA
  as_postgres touch "$REPLICA_DIR/pg_ident.conf"
}

start_replica() {
  # The role that streams WAL, and what the test role may do on the replica.
  primary_sql "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$REPL_ROLE') THEN
      CREATE ROLE $REPL_ROLE REPLICATION LOGIN PASSWORD '$REPL_PASSWORD';
    END IF; END \$\$;"
  primary_sql "GRANT EXECUTE ON FUNCTION pg_wal_replay_pause(), pg_wal_replay_resume() TO kopij" kopij

  # A copy of another primary (a rebuilt cluster) can never catch up: start over.
  if [[ -f "$REPLICA_DIR/PG_VERSION" ]]; then
    local mine theirs
    mine=$("$BIN/pg_controldata" "$REPLICA_DIR" | awk -F': *' '/system identifier/ { print $2 }')
    theirs=$(primary_sql 'select system_identifier from pg_control_system()')
    if [[ "$mine" != "$theirs" ]] || [[ ! -f "$REPLICA_DIR/standby.signal" ]]; then
      build_replica
    fi
  else
    build_replica
  fi

  local attempt
  for attempt in 1 2; do
    if running || as_postgres "$BIN/pg_ctl" -D "$REPLICA_DIR" -l "$LOG" -w -t 60 start >/dev/null; then
      # A replica left paused by an interrupted test run would never catch up.
      replica_sql 'select pg_wal_replay_resume()' >/dev/null 2>&1 || true
    fi
    if running && wait_caught_up 60; then
      echo "replica on 127.0.0.1:$REPLICA_PORT is streaming and caught up"
      echo "$URL"
      return 0
    fi
    # Too far behind (the WAL it needs is gone) or broken: one fresh copy.
    ((attempt == 1)) || break
    echo "replica did not start or catch up; rebuilding it"
    tail -n 20 "$LOG" >&2 || true
    build_replica
  done
  echo "ERROR: the replica on port $REPLICA_PORT did not catch up with the primary" >&2
  tail -n 30 "$LOG" >&2 || true
  return 1
}

case "${1:-start}" in
  start) start_replica ;;
  stop) stop_replica ;;
  status)
    if running; then echo "running on $REPLICA_PORT, in recovery: $(replica_sql 'select pg_is_in_recovery()')"; else echo stopped; fi
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
