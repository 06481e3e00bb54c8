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
  demo) _pg=55432 _redis=56379 _solr=58983 ;;
  test) _pg=55433 _redis=56380 _solr=58984 ;;
  bench) _pg=55434 _redis=56381 _solr=58985 ;;
  *) echo "unknown LNGOV_ENV=$LNGOV_ENV (demo, test or bench)" >&2; exit 2 ;;
esac
PG_PORT="${LNGOV_PG_PORT:-$_pg}"
REDIS_PORT="${LNGOV_REDIS_PORT:-$_redis}"
SOLR_PORT="${LNGOV_SOLR_PORT:-$_solr}"
CKAN_PORT="${LNGOV_CKAN_PORT:-5000}"
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

mkdir -p "$LOG_DIR" "$RUN_DIR"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

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
