# Shared settings of the project's scripts. Source it; it sets, for the environment named by
# LNGOV_ENV (demo: the portal `make run` serves; test: what `make test` uses), where its
# data lives and which ports its services listen on. Every port can be overridden.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LNGOV_ENV="${LNGOV_ENV:-demo}"
STATE="$ROOT/.lngov"                 # everything generated: ignored by git
VENV="${LNGOV_VENV:-$ROOT/.venv}"
ENV_DIR="$STATE/$LNGOV_ENV"
LOG_DIR="$ENV_DIR/log"
RUN_DIR="$ENV_DIR/run"
SOLR_LIB="$STATE/solr/lib"

case "$LNGOV_ENV" in
  demo) _pg=55432 _redis=56379 _solr=58983 _zk=52181 _front=8080 _identity=58980 ;;
  test) _pg=55433 _redis=56380 _solr=58984 _zk=52182 _front=8081 _identity=58981 ;;
  bench) _pg=55434 _redis=56381 _solr=58985 _zk=52183 _front=8082 _identity=58982 ;;
  *) echo "unknown LNGOV_ENV=$LNGOV_ENV (demo, test or bench)" >&2; exit 2 ;;
esac
PG_PORT="${LNGOV_PG_PORT:-$_pg}"
REDIS_PORT="${LNGOV_REDIS_PORT:-$_redis}"
SOLR_PORT="${LNGOV_SOLR_PORT:-$_solr}"
CKAN_PORT="${LNGOV_CKAN_PORT:-5000}"
# Search: one Solr node (the default), or LNGOV_SOLR_MODE=cloud: a SolrCloud (scripts/cloud.sh)
# of ZooKeeper and two Solr nodes holding the collection `ckan` with two replicas, behind a
# balancer on SOLR_PORT, so that CKAN's solr_url is the same in both modes.
SOLR_MODE="${LNGOV_SOLR_MODE:-single}"
ZK_PORT="${LNGOV_ZK_PORT:-$_zk}"
SOLR_NODE1_PORT="${LNGOV_SOLR_NODE1_PORT:-$((SOLR_PORT + 100))}"
SOLR_NODE2_PORT="${LNGOV_SOLR_NODE2_PORT:-$((SOLR_PORT + 200))}"
# The caching front (scripts/front.sh, nginx) and the second CKAN web node behind it.
FRONT_PORT="${LNGOV_FRONT_PORT:-$_front}"
CKAN2_PORT="${LNGOV_CKAN2_PORT:-$((CKAN_PORT + 1))}"
PG_VERSION="${LNGOV_PG_VERSION:-15}"   # Debian 12's; another major works too (e.g. 16 on Ubuntu 24.04)
PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
SOLR_URL="http://127.0.0.1:$SOLR_PORT/solr/ckan"

# Database names and roles, the same in every environment (each has its own cluster).
DB_NAME=ckan_default DB_USER=ckan_default DB_PASS=pass
DS_NAME=datastore_default DS_WRITE_USER=ckan_default DS_READ_USER=datastore_default DS_READ_PASS=pass

CKAN_SQLALCHEMY_URL="postgresql://$DB_USER:$DB_PASS@127.0.0.1:$PG_PORT/$DB_NAME"
CKAN_DATASTORE_WRITE_URL="postgresql://$DS_WRITE_USER:$DB_PASS@127.0.0.1:$PG_PORT/$DS_NAME"
CKAN_DATASTORE_READ_URL="postgresql://$DS_READ_USER:$DS_READ_PASS@127.0.0.1:$PG_PORT/$DS_NAME"
CKAN_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
CKAN_SOLR_URL="$SOLR_URL"
# CKAN reads these from the environment over the ini file, so ports can change without
# editing any ini.
export CKAN_SQLALCHEMY_URL CKAN_DATASTORE_WRITE_URL CKAN_DATASTORE_READ_URL CKAN_REDIS_URL CKAN_SOLR_URL

# PostgreSQL's cluster, socket and log. As root the scripts run PostgreSQL as the postgres
# user (initdb refuses root); a checkout that user cannot enter (a clone in a mode-700
# folder, a private home) keeps them under /var/lib/postgresql/lngov/<hash of the checkout's
# path>/<env> instead, and .lngov/<env>/postgres-home links there (for people, and `make
# stop`/`make status` compute the same path).
PG_HOME="$ENV_DIR"
if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$ROOT"; then
  PG_HOME="/var/lib/postgresql/lngov/$(printf %s "$ROOT" | sha256sum | cut -c1-16)/$LNGOV_ENV"
fi
PG_DATA="$PG_HOME/postgres"
PG_SOCKET_DIR="$PG_HOME/run"
PG_LOG_DIR="$PG_HOME/log"

mkdir -p "$LOG_DIR" "$RUN_DIR"
if [ "$PG_HOME" != "$ENV_DIR" ]; then
  mkdir -p "$PG_SOCKET_DIR" "$PG_LOG_DIR"
  ln -sfn "$PG_HOME" "$ENV_DIR/postgres-home"
fi

# The unified identity provider (scripts/identity.sh: node-oidc-provider, identity_provider/)
# and the portal's client secret there, made once per environment. CKAN reads both from the
# environment over the ini (ckanext/lngov/identity/settings.py), so a port change needs no edit.
IDENTITY_PORT="${LNGOV_IDENTITY_PORT:-$_identity}"
IDENTITY_DIR="$ENV_DIR/identity"
mkdir -p "$IDENTITY_DIR"
if [ ! -s "$IDENTITY_DIR/client-secret" ]; then
  (umask 077; head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$IDENTITY_DIR/client-secret")
fi
export LNGOV_IDENTITY_ISSUER="${LNGOV_IDENTITY_ISSUER:-http://127.0.0.1:$IDENTITY_PORT}"
export LNGOV_IDENTITY_CLIENT_SECRET="${LNGOV_IDENTITY_CLIENT_SECRET:-$(cat "$IDENTITY_DIR/client-secret")}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# nginx_start NAME CONF / nginx_stop NAME: an nginx of the scripts' own (never the system's),
# its prefix, pid and logs under $ENV_DIR/NAME. As root its workers run as root too, so that
# they can write the cache and read the storage the scripts made.
nginx_start() {
  local name="$1" conf="$2" dir="$ENV_DIR/$1"
  mkdir -p "$dir/logs" "$dir/tmp"
  if [ -s "$RUN_DIR/$name.pid" ] && kill -0 "$(cat "$RUN_DIR/$name.pid")" 2>/dev/null; then
    nginx -q -p "$dir" -c "$conf" -t 2>&1 || die "$name: bad configuration $conf"
    say "$name: reloading (pid $(cat "$RUN_DIR/$name.pid"))"
    nginx -p "$dir" -c "$conf" -s reload
  else
    say "$name: starting"
    nginx -p "$dir" -c "$conf" || die "$name: nginx did not start (log: $dir/logs/error.log)"
  fi
}
nginx_stop() {
  local name="$1" pidfile="$RUN_DIR/$1.pid"
  if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    say "$name: stopping"
    local pid; pid="$(cat "$pidfile")"
    kill -QUIT "$pid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}
# The `user` line of a generated nginx.conf.
nginx_user() { if [ "$(id -u)" = 0 ]; then echo "user root root;"; fi; }

# wait_for DESCRIPTION SECONDS COMMAND...: poll COMMAND until it succeeds.
wait_for() {
  local what="$1" limit="$2"; shift 2
  local t=0
  until "$@" >/dev/null 2>&1; do
    t=$((t + 1))
    [ "$t" -ge "$limit" ] && die "$what did not become healthy in ${limit}s (logs: $LOG_DIR)"
    sleep 1
  done
}

# front_node_ini PATH: the ini of the web nodes behind the caching front (scripts/front.sh),
# beside the environment's ckan.ini: behind the front the visitor's address comes from its
# X-Forwarded-For.
# uwsgi_node LABEL NAME INI PORT VENV SRC: a uWSGI web node (VENV's uwsgi, SRC's
# config/uwsgi.ini) serving INI on 127.0.0.1:PORT, its pid in $RUN_DIR/NAME.pid and its log in
# $LOG_DIR/NAME.log; uwsgi_node_stop NAME. For the benchmarks' nodes beside the portal's.
uwsgi_node() {
  local label="$1" name="$2" ini="$3" port="$4" venv="$5" src="$6" pidfile="$RUN_DIR/$2.pid"
  if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    say "$label: already running (pid $(cat "$pidfile"))"
  else
    say "$label: starting on 127.0.0.1:$port"
    CKAN_INI="$ini" nohup "$venv/bin/uwsgi" --ini "$src/config/uwsgi.ini" \
      --http-socket "127.0.0.1:$port" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
    echo $! >"$pidfile"
  fi
  wait_for "$label (log: $LOG_DIR/$name.log)" 120 curl -fsS "http://127.0.0.1:$port/api/3/action/status_show"
  say "$label: http://127.0.0.1:$port/"
}
uwsgi_node_stop() {
  local pidfile="$RUN_DIR/$1.pid" pid
  [ -s "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  rm -f "$pidfile"
}

front_node_ini() {
  cat >"$1" <<NODEINI
# Generated by scripts/lib.sh (front_node_ini): the web nodes behind the caching front.
[DEFAULT]
debug = false

[app:main]
use = config:ckan.ini
ckanext.lngov.proxy_count = 1
NODEINI
}
