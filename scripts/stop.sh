#!/usr/bin/env bash
# `make stop`: stops the demo portal (CKAN, worker) and the services of every environment
# that has any running.
source "$(dirname "$0")/lib.sh"

stop_pid() {
  local pidfile="$1"
  [ -s "$pidfile" ] || return 0
  local pid; pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping $(basename "$pidfile" .pid) (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

for env in demo test bench; do
  [ -d "$STATE/$env" ] || continue
  LNGOV_ENV=$env "$ROOT/scripts/front.sh" stop
  for name in ckan ckan2 worker harvest-consumers application-mails search-usage harvest-run gather-consumer fetch-consumer exchange; do stop_pid "$STATE/$env/run/$name.pid"; done
  LNGOV_ENV=$env "$ROOT/scripts/identity.sh" stop
  LNGOV_ENV=$env "$ROOT/scripts/services.sh" stop
done
