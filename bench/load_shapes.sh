#!/usr/bin/env bash
# The issue's load benchmark in one run of bench/load.py, on the environment's catalog (the
# bench portal: LNGOV_ENV=bench LNGOV_EXCHANGE_ENTRIES=10000 bash scripts/run.sh), the three
# shapes side by side, all up at once (an idle one costs memory, not CPU):
#   (a) stock    stock CKAN 2.12 over the same database (bench/stock_ckan.sh, port 5151);
#   (b) portal   the portal's web node of scripts/run.sh (uWSGI, LNGOV_CKAN_PORT), no front;
#   (c) front    the caching front (scripts/front.sh, LNGOV_FRONT_PORT) before two web nodes
#                of their own (LNGOV_CKAN_PORT + 2 and + 3), as `make front` runs them.
# The mix's paths come from (b)'s public catalog; the front is warmed with them first
# (load.py --warm: its cache then holds what visitors ask for, as after the first visitors). Extra arguments go to bench/load.py (default: 20 and 100 visitors, 60 s).
#
#   LNGOV_ENV=bench bash bench/load_shapes.sh [--duration 60 --paths 1000 --json PATH]
#   LNGOV_ENV=bench bash bench/load_shapes.sh stop
[ -n "${LNGOV_ENV:-}" ] || export LNGOV_ENV=bench
source "$(dirname "$0")/../scripts/lib.sh"
INI="$ENV_DIR/ckan.ini"
[ -f "$INI" ] || die "no $INI: run LNGOV_ENV=$LNGOV_ENV bash scripts/run.sh first"
STOCK_PORT="${LNGOV_STOCK_PORT:-5151}"
NODE1=$((CKAN_PORT + 2)) NODE2=$((CKAN_PORT + 3))
FRONT_INI="$ENV_DIR/ckan-front.ini"
up() { curl -fs -o /dev/null "http://127.0.0.1:$1/api/3/action/status_show"; }

stop_node() {
  local pidfile="$RUN_DIR/$1.pid"
  [ -s "$pidfile" ] || return 0
  local pid; pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  rm -f "$pidfile"
}

if [ "${1:-}" = stop ]; then
  "$ROOT/scripts/front.sh" stop
  stop_node ckan-front1; stop_node ckan-front2
  bash "$ROOT/bench/stock_ckan.sh" stop
  exit 0
fi

up "$CKAN_PORT" || die "the portal's web node does not answer on $CKAN_PORT (scripts/run.sh)"
bash "$ROOT/bench/stock_ckan.sh" start
front_node_ini "$FRONT_INI"
for n in 1 2; do
  port=$([ $n = 1 ] && echo $NODE1 || echo $NODE2)
  if ! up "$port"; then
    say "web node ckan-front$n: starting on $port"
    CKAN_INI="$FRONT_INI" nohup "$VENV/bin/uwsgi" --ini "$ROOT/config/uwsgi.ini" \
      --http-socket "127.0.0.1:$port" >>"$LOG_DIR/ckan-front$n.log" 2>&1 </dev/null &
    echo $! >"$RUN_DIR/ckan-front$n.pid"
  fi
done
wait_for "web node $NODE1" 120 up "$NODE1"
wait_for "web node $NODE2" 120 up "$NODE2"
LNGOV_FRONT_UPSTREAMS="127.0.0.1:$NODE1 127.0.0.1:$NODE2" "$ROOT/scripts/front.sh" start
wait_for "the front" 30 up "$FRONT_PORT"

say "load: uptime $(uptime)"
"$VENV/bin/python" "$ROOT/bench/load.py" --warm --warm-only front \
  --target "portal=http://127.0.0.1:$CKAN_PORT" \
  --target "stock=http://127.0.0.1:$STOCK_PORT" \
  --target "front=http://127.0.0.1:$FRONT_PORT" "$@"
say "load: uptime $(uptime)"
