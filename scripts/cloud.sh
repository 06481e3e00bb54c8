#!/usr/bin/env bash
# A real SolrCloud for one environment (LNGOV_ENV=demo|test|bench), from the same Maven-built
# jars as the single node (.lngov/solr/lib): ZooKeeper (its own server class,
# org.apache.zookeeper.server.ZooKeeperServerMain, from the zookeeper jar Solr depends on), two
# Solr 9.10 nodes in cloud mode (scripts/solr/Launcher.java with -DzkHost), each a process of
# its own, the project's configset uploaded to ZooKeeper (ConfigSets API) and the collection
# `ckan` with one shard and two replicas, one on each node (Collections API). A balancer
# (nginx) on SOLR_PORT spreads requests over the two nodes and skips a dead one, so that
# CKAN's solr_url (http://127.0.0.1:SOLR_PORT/solr/ckan) is the same as with one node.
#
#   scripts/cloud.sh start|stop|status
#   scripts/cloud.sh kill NODE      # 1 or 2: SIGKILL, as a crash (the tests use it)
#   scripts/cloud.sh start-node NODE
#
# Ports: LNGOV_ZK_PORT, LNGOV_SOLR_NODE1_PORT, LNGOV_SOLR_NODE2_PORT, LNGOV_SOLR_PORT (the
# balancer); data under .lngov/$LNGOV_ENV/cloud, or all of it (data, logs, process ids) under
# LNGOV_CLOUD_DIR. `LNGOV_SOLR_MODE=cloud scripts/services.sh start` (and `make cloud`) start
# it in place of the single node.
source "$(dirname "$0")/lib.sh"

CLOUD_DIR="${LNGOV_CLOUD_DIR:-$ENV_DIR/cloud}"
if [ -n "${LNGOV_CLOUD_DIR:-}" ]; then
  # A cloud of its own (the tests'): its process ids and logs in its directory too.
  ENV_DIR="$CLOUD_DIR" RUN_DIR="$CLOUD_DIR/run" LOG_DIR="$CLOUD_DIR/log"
  mkdir -p "$RUN_DIR" "$LOG_DIR"
fi
CONFIGSET=ckan_zh
COLLECTION=ckan
NODE_PORTS=("" "$SOLR_NODE1_PORT" "$SOLR_NODE2_PORT")
ZK_HOST="127.0.0.1:$ZK_PORT"
mkdir -p "$CLOUD_DIR"

# --- ZooKeeper ------------------------------------------------------------------------------
zk_running() {
  local answer
  answer="$(exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$ZK_PORT" && printf ruok >&3 && timeout 2 cat <&3)"
  [ "$answer" = imok ]
}

start_zk() {
  if zk_running; then say "zookeeper: already running on $ZK_HOST"; return; fi
  mkdir -p "$CLOUD_DIR/zk/data" "$LOG_DIR/zk"
  # One-second ticks: sessions can be as short as 2 s, so a dead Solr node leaves
  # live_nodes after its zkClientTimeout (config/solr/solr-cloud.xml: 5 s).
  cat >"$CLOUD_DIR/zk/zoo.cfg" <<CFG
tickTime=1000
initLimit=10
syncLimit=5
dataDir=$CLOUD_DIR/zk/data
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
maxClientCnxns=200
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,mntr
autopurge.snapRetainCount=3
autopurge.purgeInterval=1
CFG
  say "zookeeper: starting on $ZK_HOST"
  nohup java -Xms64m -Xmx256m -Dzookeeper.4lw.commands.whitelist=ruok,srvr,mntr \
    -Dsolr.log.dir="$LOG_DIR/zk" -Dlog4j2.configurationFile="$ROOT/config/solr/log4j2.xml" \
    -cp "$SOLR_LIB/*" org.apache.zookeeper.server.ZooKeeperServerMain "$CLOUD_DIR/zk/zoo.cfg" \
    >"$LOG_DIR/zk.out" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/zk.pid"
  wait_for zookeeper 60 zk_running
}

# --- Solr nodes -----------------------------------------------------------------------------
node_url() { echo "http://127.0.0.1:${NODE_PORTS[$1]}/solr"; }
node_running() { curl -fsS "$(node_url "$1")/admin/info/system?wt=json" >/dev/null 2>&1; }

start_node() {
  local n="$1" port="${NODE_PORTS[$1]}" pidfile="$RUN_DIR/solr-node$1.pid"
  if node_running "$n"; then say "solr node $n: already running on 127.0.0.1:$port"; return; fi
  [ -d "$SOLR_LIB" ] || die "Solr jars missing in $SOLR_LIB: run scripts/install.sh"
  if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    say "solr node $n: process $(cat "$pidfile") is starting, waiting for it"
  else
    say "solr node $n: starting on 127.0.0.1:$port (SolrCloud $ZK_HOST)"
    mkdir -p "$LOG_DIR/solr-node$n"
    # The same JVM flags as the single node (scripts/services.sh).
    nohup java -Xms256m -Xmx"${LNGOV_SOLR_HEAP:-512m}" \
      -XX:CompileCommand=quiet \
      -XX:CompileCommand=exclude,com.github.benmanes.caffeine.cache.BoundedLocalCache::put \
      -DzkHost="$ZK_HOST" \
      -Dsolr.log.dir="$LOG_DIR/solr-node$n" \
      -Dlog4j2.configurationFile="$ROOT/config/solr/log4j2.xml" \
      -cp "$SOLR_LIB/*" "$ROOT/scripts/solr/Launcher.java" \
      "$CLOUD_DIR/solr$n" "$port" "$ROOT/config/solr/configsets" \
      >"$LOG_DIR/solr-node$n.out" 2>&1 </dev/null &
    echo $! >"$pidfile"
  fi
  wait_for "solr node $n" 180 node_running "$n"
}

stop_node() {
  local pidfile="$RUN_DIR/solr-node$1.pid" signal="${2:-TERM}"
  if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    local pid; pid="$(cat "$pidfile")"
    say "solr node $1: stopping (SIG$signal)"
    kill "-$signal" "$pid"
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# --- the collection ---------------------------------------------------------------------------
api() { curl -fsS "$(node_url 1)/admin/$1"; }
live_nodes() {
  api "collections?action=CLUSTERSTATUS&wt=json" 2>/dev/null \
    | "$VENV/bin/python" -c 'import json,sys; print(len(json.load(sys.stdin)["cluster"]["live_nodes"]))'
}
two_live() { [ "$(live_nodes)" = 2 ]; }
collection_ready() {
  # Both replicas active.
  api "collections?action=CLUSTERSTATUS&collection=$COLLECTION&wt=json" 2>/dev/null \
    | "$VENV/bin/python" -c '
import json, sys
shards = json.load(sys.stdin)["cluster"]["collections"]["'"$COLLECTION"'"]["shards"]
states = [r["state"] for s in shards.values() for r in s["replicas"].values()]
sys.exit(not (len(states) == 2 and all(s == "active" for s in states)))'
}

make_collection() {
  wait_for "two live Solr nodes" 60 two_live
  # The configset, as a zip of config/solr/configsets/ckan_zh/conf (uploaded every start:
  # overwrite=true, then a RELOAD if the collection exists, so ZooKeeper holds what git has).
  local zip="$CLOUD_DIR/$CONFIGSET.zip"
  rm -f "$zip"
  (cd "$ROOT/config/solr/configsets/$CONFIGSET/conf" && "$VENV/bin/python" -c '
import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name in sorted(os.listdir(".")):
        z.write(name)' "$zip")
  say "solrcloud: uploading the configset $CONFIGSET to ZooKeeper"
  curl -fsS -X POST -H 'Content-Type: application/octet-stream' --data-binary "@$zip" \
    "$(node_url 1)/admin/configs?action=UPLOAD&name=$CONFIGSET&overwrite=true&cleanup=true&wt=json" \
    >"$LOG_DIR/cloud-configset.json" || die "configset upload failed (see $LOG_DIR/solr-node1/solr.log)"
  if api "collections?action=LIST&wt=json" | grep -q "\"$COLLECTION\""; then
    say "solrcloud: collection $COLLECTION exists, reloading it"
    api "collections?action=RELOAD&name=$COLLECTION&wt=json" >/dev/null
  else
    say "solrcloud: creating the collection $COLLECTION (1 shard, 2 replicas)"
    api "collections?action=CREATE&name=$COLLECTION&collection.configName=$CONFIGSET&numShards=1&replicationFactor=2&createNodeSet=127.0.0.1:${SOLR_NODE1_PORT}_solr,127.0.0.1:${SOLR_NODE2_PORT}_solr&waitForFinalState=true&wt=json" \
      >"$LOG_DIR/cloud-create.json" || die "collection create failed: $LOG_DIR/cloud-create.json"
  fi
  wait_for "the collection's two replicas" 120 collection_ready
}

# --- the balancer -----------------------------------------------------------------------------
balancer_running() { curl -fsS "$SOLR_URL/admin/ping?wt=json" >/dev/null 2>&1; }

start_balancer() {
  local conf="$CLOUD_DIR/balancer.conf"
  cat >"$conf" <<CONF
# Generated by scripts/cloud.sh: the Solr balancer in front of the two SolrCloud nodes.
$(nginx_user)
worker_processes 1;
pid $RUN_DIR/solr-balancer.pid;
error_log $LOG_DIR/solr-balancer.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $ENV_DIR/solr-balancer/tmp/body;
  proxy_temp_path $ENV_DIR/solr-balancer/tmp/proxy;
  client_max_body_size 256m;
  upstream solrcloud {
    # A refused or broken connection tries the other node at once and leaves this one out
    # for fail_timeout; a node that hangs is given up after the timeouts below.
    server 127.0.0.1:$SOLR_NODE1_PORT max_fails=1 fail_timeout=3s;
    server 127.0.0.1:$SOLR_NODE2_PORT max_fails=1 fail_timeout=3s;
    keepalive 16;
  }
  server {
    listen 127.0.0.1:$SOLR_PORT;
    location / {
      proxy_pass http://solrcloud;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_connect_timeout 1s;
      proxy_read_timeout 120s;
      # Searches are safe to repeat on the other node; updates too (Solr's are idempotent by
      # id), so non-idempotent requests are retried as well.
      proxy_next_upstream error timeout http_502 http_503 http_504 non_idempotent;
      proxy_next_upstream_tries 2;
    }
  }
}
CONF
  nginx_start solr-balancer "$conf"
  wait_for "the Solr balancer on $SOLR_PORT" 30 balancer_running
}

start() {
  start_zk
  start_node 1
  start_node 2
  make_collection
  start_balancer
  say "solrcloud: $SOLR_URL (nodes $(node_url 1), $(node_url 2); ZooKeeper $ZK_HOST)"
}

stop() {
  nginx_stop solr-balancer
  stop_node 2
  stop_node 1
  if [ -s "$RUN_DIR/zk.pid" ] && kill -0 "$(cat "$RUN_DIR/zk.pid")" 2>/dev/null; then
    say "zookeeper: stopping"
    local pid; pid="$(cat "$RUN_DIR/zk.pid")"
    kill "$pid"
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN_DIR/zk.pid"
}

status() {
  zk_running && echo "zookeeper up    $ZK_HOST" || echo "zookeeper down"
  for n in 1 2; do
    node_running "$n" && echo "solr node $n up   $(node_url "$n")" || echo "solr node $n down"
  done
  balancer_running && echo "solrcloud up    $SOLR_URL" || echo "solrcloud down"
}

case "${1:-status}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  kill) stop_node "${2:?node 1 or 2}" KILL ;;
  start-node) start_node "${2:?node 1 or 2}"; wait_for "the collection's two replicas" 120 collection_ready ;;
  *) echo "usage: $0 start|stop|status|kill NODE|start-node NODE" >&2; exit 2 ;;
esac
