#!/usr/bin/env bash
# Starts, stops or reports the unified identity provider (统一身份认证) of one environment
# (LNGOV_ENV=demo|test|bench): node-oidc-provider (identity_provider/server.js, installed by
# scripts/install.sh) on 127.0.0.1:LNGOV_IDENTITY_PORT (demo 58980, test 58981), its issuer
# http://127.0.0.1:PORT, which the portal finds through its discovery document only.
# The portal is registered as the client `lngov-portal` (secret made once by scripts/lib.sh);
# the tests' environment also registers `lngov-other`, another relying party, whose tokens
# the portal must refuse. Demo staff: identity_provider/users.json (the tests' environment
# uses a copy, $IDENTITY_DIR/users.json, that the tests change; read again when it changes).
#
#   scripts/identity.sh start|stop|status
source "$(dirname "$0")/lib.sh"

PIDFILE="$RUN_DIR/identity.pid"
ISSUER="http://127.0.0.1:$IDENTITY_PORT"

identity_up() { curl -fsS "$ISSUER/.well-known/openid-configuration" >/dev/null 2>&1; }

# The portal's addresses the provider may send a visitor back to.
origins() {
  if [ "$LNGOV_ENV" = test ]; then
    echo "http://test.ckan.net"   # config/test.ini's ckan.site_url
  else
    echo "http://127.0.0.1:$CKAN_PORT http://127.0.0.1:$CKAN2_PORT http://127.0.0.1:$FRONT_PORT ${CKAN_SITE_URL:-}"
  fi
}

write_clients() {
  local redirects="" logouts="" o
  for o in $(origins | tr ' ' '\n' | sort -u); do
    redirects+="\"$o/user/identity/callback\","
    logouts+="\"$o/user/logged_out_redirect\",\"$o/en/user/logged_out_redirect\","
  done
  local portal="{\"client_id\": \"lngov-portal\", \"client_secret\": \"$LNGOV_IDENTITY_CLIENT_SECRET\",
    \"client_name\": \"辽宁省公共数据开放平台\", \"redirect_uris\": [${redirects%,}],
    \"post_logout_redirect_uris\": [${logouts%,}], \"grant_types\": [\"authorization_code\"],
    \"response_types\": [\"code\"], \"token_endpoint_auth_method\": \"client_secret_basic\"}"
  local other=""
  if [ "$LNGOV_ENV" = test ]; then
    other=", {\"client_id\": \"lngov-other\", \"client_secret\": \"lngov-other-test-secret\",
      \"redirect_uris\": [\"http://other.test/callback\"], \"grant_types\": [\"authorization_code\"],
      \"response_types\": [\"code\"], \"token_endpoint_auth_method\": \"client_secret_basic\"}"
  fi
  (umask 077; echo "{\"clients\": [$portal$other]}" >"$IDENTITY_DIR/clients.json")
}

start() {
  if identity_up; then
    say "identity: already running on $ISSUER"
    return
  fi
  [ -d "$ROOT/identity_provider/node_modules/oidc-provider" ] \
    || die "identity: node-oidc-provider missing: run scripts/install.sh"
  local users="$ROOT/identity_provider/users.json"
  if [ "$LNGOV_ENV" = test ]; then
    cp "$users" "$IDENTITY_DIR/users.json"
    users="$IDENTITY_DIR/users.json"
  fi
  write_clients
  say "identity: starting on $ISSUER"
  nohup node "$ROOT/identity_provider/server.js" --port "$IDENTITY_PORT" --users "$users" \
    --clients "$IDENTITY_DIR/clients.json" --state "$IDENTITY_DIR/state" \
    >>"$LOG_DIR/identity.log" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  wait_for "identity (log: $LOG_DIR/identity.log)" 30 identity_up
}

stop() {
  if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    say "identity: stopping"
    local pid; pid="$(cat "$PIDFILE")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
}

case "${1:-status}" in
  start) start ;;
  stop) stop ;;
  status) identity_up && echo "identity  up    $ISSUER" || echo "identity  down" ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
