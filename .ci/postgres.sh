#!/usr/bin/env bash
# Start a throwaway PostgreSQL for the store tests (loopback only, trust auth: never use this for anything else).
#
#   bash .ci/postgres.sh            CI mode: new cluster in a fresh temp dir on a free port from 54329 up;
#                                   the caller must stop it:  bash .ci/postgres.sh stop <dir>
#   PAYKIT_PG_KEEP=1 bash .ci/postgres.sh
#                                   dev mode: persistent cluster in /tmp/paykit-pg on port 54329
#                                   (PAYKIT_PG_DIR / PAYKIT_PG_PORT override); rerunning reuses it.
#   bash .ci/postgres.sh stop <dir> stop a cluster made by this script (CI-mode dirs are also deleted).
#
# stdout carries only two lines, for the caller to read (all progress goes to stderr):
#   PAYKIT_PG_DIR=<dir>
#   DATABASE_URL=postgres://postgres@127.0.0.1:<port>/paykit_test
# <dir>/env holds the same as `export` lines, for `source`.
#
# Exit status: 0 = running; 3 = PostgreSQL is not installed and could not be installed (tests will skip
# the PostgreSQL variant); anything else = PostgreSQL is installed but the cluster did not come up.
set -euo pipefail

DB=paykit_test
SUPERUSER=postgres
MARKER=.paykit-pg-cluster   # written into every dir this script creates; `stop` refuses dirs without it

say() { echo "postgres.sh: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# Run a PostgreSQL server-side program as the cluster owner (the server refuses to run as root).
as_owner() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

server_bindir() {
  local p
  p=$(ls -1d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V | tail -n 1) || true
  [ -n "$p" ] && dirname "$p"
}

port_in_use() {
  # Something already accepting on 127.0.0.1:$1. (Our Unix socket dir is private, so no lock-file clash.)
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop_cluster() {
  local dir=${1:?usage: postgres.sh stop <dir>}
  [ -f "$dir/$MARKER" ] || die "$dir was not made by postgres.sh (no $MARKER); not touching it"
  local bindir; bindir=$(cat "$dir/bindir")
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >&2 ||
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >&2 || true
  fi
  if grep -qx ci "$dir/$MARKER"; then
    rm -rf -- "$dir"
    say "stopped and removed $dir"
  else
    say "stopped $dir (kept; start it again with PAYKIT_PG_KEEP=1 bash .ci/postgres.sh)"
  fi
}

if [ "${1:-}" = stop ]; then
  stop_cluster "${2:-}"
  exit 0
fi

# --- server binaries --------------------------------------------------------------------------------
BINDIR=$(server_bindir) || true
if [ -z "$BINDIR" ]; then
  if ! bash "$(dirname "$0")/apt-install.sh" postgresql; then
    say "PostgreSQL is not available: the PostgreSQL store tests will be SKIPPED"
    exit 3
  fi
  BINDIR=$(server_bindir) || die "postgresql was installed but no /usr/lib/postgresql/*/bin/postgres appeared"
fi
say "using $BINDIR ($("$BINDIR/postgres" --version))"
if is_root; then
  id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to own the cluster"
fi

# --- where and on which port -----------------------------------------------------------------------
if [ "${PAYKIT_PG_KEEP:-0}" = 1 ]; then
  MODE=keep
  DIR=${PAYKIT_PG_DIR:-/tmp/paykit-pg}
  PORT=${PAYKIT_PG_PORT:-54329}
else
  MODE=ci
  if is_root; then base=/tmp; else base=${TMPDIR:-/tmp}; fi   # root's TMPDIR may be unreadable by postgres
  DIR=$(mktemp -d "$base/paykit-pg-ci.XXXXXX")
  PORT=""
fi
DATA=$DIR/data
URL_OF() { echo "postgres://$SUPERUSER@127.0.0.1:$1/$DB"; }

cleanup_failed_ci() {
  # CI mode: never leave a half-made cluster behind if we fail before handing it over.
  if [ "$MODE" = ci ] && [ -n "${DIR:-}" ] && [ -z "${HANDED_OVER:-}" ]; then
    [ -f "$DATA/postmaster.pid" ] && as_owner "$BINDIR/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1
    rm -rf -- "$DIR"
  fi
}
trap cleanup_failed_ci EXIT

if [ "$MODE" = keep ] && [ -f "$DIR/$MARKER" ] && [ -f "$DATA/PG_VERSION" ]; then
  PORT=$(cat "$DIR/port")
  if as_owner "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    say "reusing the running cluster in $DIR (port $PORT)"
  else
    port_in_use "$PORT" && die "port $PORT is taken by something else; stop it or use PAYKIT_PG_PORT (and a new PAYKIT_PG_DIR)"
    say "restarting the existing cluster in $DIR (port $PORT)"
    as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 start >&2 ||
      { tail -n 30 "$DIR/server.log" >&2; die "the cluster in $DIR did not start"; }
  fi
else
  if [ "$MODE" = keep ]; then
    [ -e "$DIR" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ] && die "$DIR exists and is not a cluster made by this script; remove it or set PAYKIT_PG_DIR"
    port_in_use "$PORT" && die "port $PORT on 127.0.0.1 is already in use; set PAYKIT_PG_PORT"
    mkdir -p "$DIR"
  else
    for p in $(seq 54329 54399); do
      port_in_use "$p" || { PORT=$p; break; }
    done
    [ -n "$PORT" ] || die "no free port in 54329-54399 on 127.0.0.1"
  fi
  chmod 700 "$DIR"
  is_root && chown postgres: "$DIR"
  echo "$MODE" > "$DIR/$MARKER"
  echo "$BINDIR" > "$DIR/bindir"
  echo "$PORT" > "$DIR/port"

  say "initdb in $DATA"
  as_owner "$BINDIR/initdb" -D "$DATA" -U "$SUPERUSER" --auth=trust --encoding=UTF8 --locale=C \
    --no-sync --no-instructions >"$DIR/initdb.log" 2>&1 ||
    { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  # Loopback TCP only; the Unix socket lives in our own dir, not /var/run/postgresql (root-owned).
  # Durability is irrelevant for a throwaway test database, speed is not.
  as_owner tee -a "$DATA/postgresql.conf" >/dev/null <<EOF

# --- added by .ci/postgres.sh ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
  say "starting on 127.0.0.1:$PORT (log: $DIR/server.log)"
  as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 start >&2 ||
    { tail -n 30 "$DIR/server.log" >&2 || true; die "PostgreSQL was installed but the cluster did not start"; }
fi

# --- wait, create the database ----------------------------------------------------------------------
for _ in $(seq 1 60); do
  "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" && break
  sleep 0.5
done
"$BINDIR/pg_isready" -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" >&2 ||
  { tail -n 30 "$DIR/server.log" >&2 || true; die "the server did not become ready on 127.0.0.1:$PORT"; }

PSQL=("$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" -d postgres)
if [ "$("${PSQL[@]}" -tAc "select 1 from pg_database where datname = '$DB'")" != 1 ]; then
  "${PSQL[@]}" -c "create database $DB" || die "could not create database $DB"
fi

URL=$(URL_OF "$PORT")
printf 'export PAYKIT_PG_DIR=%q\nexport DATABASE_URL=%q\n' "$DIR" "$URL" > "$DIR/env"
HANDED_OVER=1
say "ready: DATABASE_URL=$URL"
echo "PAYKIT_PG_DIR=$DIR"
echo "DATABASE_URL=$URL"
