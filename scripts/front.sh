#!/usr/bin/env bash
# The caching front (nginx from Debian, with its njs module) before the CKAN web node(s) of one
# environment: config/nginx/front.conf filled in with this environment's ports and paths.
#
#   scripts/front.sh start|stop|status
#
# LNGOV_FRONT_PORT: where it listens (demo 8080); LNGOV_FRONT_UPSTREAMS: the web nodes, as
# "host:port ..." (default: 127.0.0.1:$LNGOV_CKAN_PORT, and 127.0.0.1:$LNGOV_CKAN2_PORT with
# LNGOV_WEB_NODES=2); LNGOV_CACHE_GENERATION_FILE: the generation file the web nodes rewrite
# (default: .lngov/$LNGOV_ENV/storage/lngov/cache-generation, which is CKAN's default
# ckanext.lngov.cache.generation_file for the storage_path of config/ckan.ini and test.ini);
# LNGOV_STORAGE_PATH: CKAN's ckan.storage_path, whose files the front sends once CKAN has
# authorised them (default .lngov/$LNGOV_ENV/storage, as in config/ckan.ini and test.ini);
# LNGOV_FRONT_DIR: a directory of its own for its cache, logs and process id (the tests').
source "$(dirname "$0")/lib.sh"

FRONT_DIR="${LNGOV_FRONT_DIR:-$ENV_DIR/front}"
if [ -n "${LNGOV_FRONT_DIR:-}" ]; then
  ENV_DIR="$(dirname "$FRONT_DIR")" RUN_DIR="$FRONT_DIR/run" LOG_DIR="$FRONT_DIR/log"
fi
mkdir -p "$RUN_DIR" "$LOG_DIR"
STORAGE="${LNGOV_STORAGE_PATH:-$STATE/$LNGOV_ENV/storage}"   # CKAN's ckan.storage_path
GENERATION_FILE="${LNGOV_CACHE_GENERATION_FILE:-$STORAGE/lngov/cache-generation}"
UPSTREAMS="${LNGOV_FRONT_UPSTREAMS:-127.0.0.1:$CKAN_PORT}"
if [ -z "${LNGOV_FRONT_UPSTREAMS:-}" ] && [ "${LNGOV_WEB_NODES:-1}" = 2 ]; then
  UPSTREAMS="$UPSTREAMS 127.0.0.1:$CKAN2_PORT"
fi
FRONT_URL="http://127.0.0.1:$FRONT_PORT"
NAME="$(basename "$FRONT_DIR")"

front_running() { curl -fsS -o /dev/null "$FRONT_URL/api/3/action/status_show"; }

start() {
  mkdir -p "$FRONT_DIR"/{tmp,cache}
  # The generation file exists from the start (an unreadable one turns the cache off).
  if [ ! -s "$GENERATION_FILE" ]; then
    mkdir -p "$(dirname "$GENERATION_FILE")"
    head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$GENERATION_FILE"
  fi
  local servers=""
  for u in $UPSTREAMS; do
    servers+="    server $u max_fails=1 fail_timeout=5s;"$'\n'
  done
  local conf="$FRONT_DIR/nginx.conf"
  sed -e "s|@USER@|$(nginx_user)|" -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@LOG_DIR@|$LOG_DIR|g" \
      -e "s|@DIR@|$FRONT_DIR|g" -e "s|@NAME@|$NAME|g" -e "s|@ROOT@|$ROOT|g" -e "s|@FRONT_PORT@|$FRONT_PORT|g" \
      -e "s|@GENERATION_FILE@|$GENERATION_FILE|g" -e "s|@STORAGE@|$(realpath -m "$STORAGE")|g" \
      -e "s|@CACHE_SIZE@|${LNGOV_FRONT_CACHE_SIZE:-2g}|g" \
      "$ROOT/config/nginx/front.conf" | awk -v servers="$servers" \
        '/@UPSTREAMS@/ { printf "%s", servers; next } { print }' >"$conf"
  nginx_start "$NAME" "$conf"
  say "front: $FRONT_URL -> $UPSTREAMS (generation file $GENERATION_FILE)"
}

case "${1:-status}" in
  start) start ;;
  stop) nginx_stop "$NAME" ;;
  status)
    if front_running; then
      echo "front     up    $FRONT_URL -> $(awk '/^ *server [0-9]/ { printf "%s ", $2 }' "$FRONT_DIR/nginx.conf")"
    else
      echo "front     down"
    fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
