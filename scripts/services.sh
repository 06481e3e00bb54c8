#!/usr/bin/env bash
# Starts, stops or reports the services of one environment (LNGOV_ENV=demo|test|bench):
# PostgreSQL 15, Redis and Solr 9.10 (one node, or with LNGOV_SOLR_MODE=cloud a SolrCloud of
# ZooKeeper and two nodes: scripts/cloud.sh), each bound to 127.0.0.1 on the environment's own port,
# with data and logs under .lngov/$LNGOV_ENV. A service already running is left alone; each
# one started is waited for until it answers.
#
#   scripts/services.sh start|stop|status [postgres|redis|solr ...]
source "$(dirname "$0")/lib.sh"

SOLR_HOME="$ENV_DIR/solr"
SOLR_PID="$RUN_DIR/solr.pid"
REDIS_PID="$RUN_DIR/redis.pid"

# initdb and postgres refuse to run as root: run them as the Debian package's postgres user.
# (From /: the current folder may be one that user cannot enter.)
as_pg() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
pg_admin() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres "$@"; }

pg_running() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; }

start_postgres() {
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    say "postgres: initdb $PG_DATA"
    mkdir -p "$PG_DATA"
    [ "$(id -u)" = 0 ] && chown postgres: "$PG_DATA" "$PG_SOCKET_DIR" && chmod 700 "$PG_DATA"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$LOG_DIR/initdb.log"
  fi
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_SOCKET_DIR" "$PG_LOG_DIR" \
    && touch "$PG_LOG_DIR/postgres.log" && chown postgres: "$PG_LOG_DIR/postgres.log"
  if pg_running; then
    say "postgres: already running on 127.0.0.1:$PG_PORT"
  else
    say "postgres: starting on 127.0.0.1:$PG_PORT"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG_DIR/postgres.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_SOCKET_DIR -c fsync=${LNGOV_PG_FSYNC:-on}" >/dev/null
    wait_for postgres 60 pg_running
  fi
  # The CKAN and DataStore databases and roles, as CKAN's install guide makes them.
  pg_admin -d postgres <<SQL
SELECT 'CREATE ROLE $DB_USER LOGIN PASSWORD ''$DB_PASS'''
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') \gexec
SELECT 'CREATE ROLE $DS_READ_USER LOGIN PASSWORD ''$DS_READ_PASS'''
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DS_READ_USER') \gexec
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER ENCODING ''UTF8'''
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME') \gexec
SELECT 'CREATE DATABASE $DS_NAME OWNER $DS_WRITE_USER ENCODING ''UTF8'''
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DS_NAME') \gexec
SQL
}

stop_postgres() {
  if [ -s "$PG_DATA/postmaster.pid" ]; then
    say "postgres: stopping"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null || true
  fi
}

redis_running() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

start_redis() {
  if redis_running; then
    say "redis: already running on 127.0.0.1:$REDIS_PORT"
    return
  fi
  say "redis: starting on 127.0.0.1:$REDIS_PORT"
  mkdir -p "$ENV_DIR/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$ENV_DIR/redis" \
    --daemonize yes --pidfile "$REDIS_PID" --logfile "$LOG_DIR/redis.log" \
    --protected-mode yes --save 60 1000
  wait_for redis 30 redis_running
}

stop_redis() {
  if redis_running; then
    say "redis: stopping"
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  fi
}

solr_running() { curl -fsS "$SOLR_URL/admin/ping" >/dev/null 2>&1; }

start_solr() {
  if [ "$SOLR_MODE" = cloud ]; then "$ROOT/scripts/cloud.sh" start; return; fi
  if solr_running; then
    say "solr: already running on 127.0.0.1:$SOLR_PORT"
    return
  fi
  [ -d "$SOLR_LIB" ] || die "Solr jars missing in $SOLR_LIB: run scripts/install.sh"
  if [ -s "$SOLR_PID" ] && kill -0 "$(cat "$SOLR_PID")" 2>/dev/null; then
    say "solr: process $(cat "$SOLR_PID") is starting, waiting for it"
  else
    say "solr: starting on 127.0.0.1:$SOLR_PORT"
    # SOLR-16463: the JIT miscompiles Caffeine's BoundedLocalCache.put on Java 17 (bin/solr
    # sets the same flag).
    nohup java -Xms256m -Xmx"${LNGOV_SOLR_HEAP:-768m}" \
      -XX:CompileCommand=quiet \
      -XX:CompileCommand=exclude,com.github.benmanes.caffeine.cache.BoundedLocalCache::put \
      -Dsolr.log.dir="$LOG_DIR" \
      -Dlog4j2.configurationFile="$ROOT/config/solr/log4j2.xml" \
      -cp "$SOLR_LIB/*" "$ROOT/scripts/solr/Launcher.java" \
      "$SOLR_HOME" "$SOLR_PORT" "$ROOT/config/solr/configsets" ckan=ckan_zh \
      >"$LOG_DIR/solr.out" 2>&1 </dev/null &
    echo $! >"$SOLR_PID"
  fi
  wait_for solr 120 solr_running
}

stop_solr() {
  if [ -s "$SOLR_PID" ] && kill -0 "$(cat "$SOLR_PID")" 2>/dev/null; then
    say "solr: stopping"
    local pid; pid="$(cat "$SOLR_PID")"
    kill "$pid"
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$SOLR_PID"
  # A SolrCloud of this environment, if one runs.
  if ls "$RUN_DIR"/zk.pid "$RUN_DIR"/solr-node*.pid "$RUN_DIR"/solr-balancer.pid >/dev/null 2>&1; then
    "$ROOT/scripts/cloud.sh" stop
  fi
}

status() {
  pg_running && echo "postgres  up    127.0.0.1:$PG_PORT" || echo "postgres  down"
  redis_running && echo "redis     up    127.0.0.1:$REDIS_PORT" || echo "redis     down"
  if [ "$SOLR_MODE" = cloud ] || [ -s "$RUN_DIR/zk.pid" ]; then
    "$ROOT/scripts/cloud.sh" status
  else
    solr_running && echo "solr      up    $SOLR_URL" || echo "solr      down"
  fi
  if [ -s "$RUN_DIR/front.pid" ]; then "$ROOT/scripts/front.sh" status; fi
}

action="${1:-status}"; shift || true
services=("$@"); [ ${#services[@]} -eq 0 ] && services=(postgres redis solr)
case "$action" in
  start) for s in "${services[@]}"; do "start_$s"; done ;;
  stop) for s in "${services[@]}"; do "stop_$s"; done ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status [postgres|redis|solr ...]" >&2; exit 2 ;;
esac
