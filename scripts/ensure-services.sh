#!/usr/bin/env bash
# Make sure the local PostgreSQL and Redis that the test suite (and a scale-out run) need are up.
#
#   scripts/ensure-services.sh              # both
#   scripts/ensure-services.sh postgres     # only PostgreSQL (or: redis)
#
# Idempotent: a service that already answers is left alone. One that does not is started the
# way this machine runs it (no systemd): pg_ctlcluster for the Debian cluster, redis-server as a
# daemon without persistence. Exits non-zero with a message naming the service and what to do
# when a service cannot be started or reached. Settings (defaults in brackets):
#   PGHOST [127.0.0.1]  PGPORT [5432]  PGUSER [postgres]  PG_CLUSTER [main]
#   REDIS_HOST [127.0.0.1]  REDIS_PORT [6379]  REDIS_DIR [/var/lib/redis]
#   REDIS_LOG [/var/log/redis/ci.log]  SERVICES_WAIT_S [30]
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
PG_CLUSTER=${PG_CLUSTER:-main}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
REDIS_DIR=${REDIS_DIR:-/var/lib/redis}
REDIS_LOG=${REDIS_LOG:-/var/log/redis/ci.log}
WAIT_S=${SERVICES_WAIT_S:-30}

say() { echo "ensure-services: $*"; }
fail() { echo "ensure-services: $*" >&2; exit 1; }

need() {  # need COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 \
        || fail "'$1' is not installed; install the $2 package (apt-get install -y $2)."
}

wait_for() {  # wait_for DESCRIPTION COMMAND...: poll every 0.5 s for up to WAIT_S seconds
    local description=$1 tries=$((WAIT_S * 2))
    shift
    while ((tries-- > 0)); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.5
    done
    fail "$description did not come up within ${WAIT_S}s."
}

postgres_ready() { pg_isready -q -h "$PGHOST" -p "$PGPORT"; }

redis_ready() { [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

ensure_postgres() {
    need pg_isready postgresql-client
    if ! postgres_ready; then
        need pg_ctlcluster postgresql-common
        local version
        version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)
        [ -n "$version" ] \
            || fail "PostgreSQL is not running on $PGHOST:$PGPORT and no cluster exists under" \
                    "/etc/postgresql; install the postgresql package."
        say "PostgreSQL $version/$PG_CLUSTER is down; starting it..."
        if ! pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER" start; then
            say "pg_ctlcluster could not start $version/$PG_CLUSTER (are you root or its owner?)."
            say "last lines of its log:"
            tail -n 5 "/var/log/postgresql/postgresql-$version-$PG_CLUSTER.log" >&2 2>/dev/null || true
        fi
        wait_for "PostgreSQL on $PGHOST:$PGPORT" postgres_ready
    fi
    # Accepting connections is not enough: the tests log in as $PGUSER without a password.
    if command -v psql >/dev/null 2>&1; then
        PGCONNECT_TIMEOUT=5 psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -w -tAc \
            "SELECT 1" >/dev/null 2>&1 \
            || fail "PostgreSQL on $PGHOST:$PGPORT is up but refuses user '$PGUSER' without a" \
                    "password; allow it (trust for 127.0.0.1 in pg_hba.conf) or set" \
                    "MODBOT_TEST_POSTGRES_URL for the tests."
    fi
    say "PostgreSQL is ready on $PGHOST:$PGPORT."
}

ensure_redis() {
    need redis-cli redis-tools
    if ! redis_ready; then
        need redis-server redis-server
        mkdir -p "$REDIS_DIR" "$(dirname "$REDIS_LOG")"
        say "Redis is down on $REDIS_HOST:$REDIS_PORT; starting it..."
        redis-server --daemonize yes --bind "$REDIS_HOST" -::1 --port "$REDIS_PORT" \
            --save "" --appendonly no --dir "$REDIS_DIR" --logfile "$REDIS_LOG" \
            || fail "redis-server could not start; see $REDIS_LOG."
        wait_for "Redis on $REDIS_HOST:$REDIS_PORT (log: $REDIS_LOG)" redis_ready
    fi
    say "Redis is ready on $REDIS_HOST:$REDIS_PORT."
}

services=("$@")
if [ ${#services[@]} -eq 0 ]; then
    services=(postgres redis)
fi
for service in "${services[@]}"; do
    case "$service" in
        postgres | postgresql) ensure_postgres ;;
        redis) ensure_redis ;;
        *) fail "unknown service '$service' (expected: postgres, redis)." ;;
    esac
done
