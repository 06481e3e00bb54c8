#!/usr/bin/env bash
# The same search on the demo portal and on a stock CKAN over the same database: CKAN's own
# Solr schema (whitespace tokenizer) and query parameters, without the lngov plugin.
# Needs `make run` first. Starts a core `ckan_stock` on the demo Solr and a stock CKAN on
# 127.0.0.1:5001 (both removed at the end), and prints package_search for each query.
#
#   bench/compare_stock_ckan.sh [QUERY ...]      (default: 人口)
export LNGOV_ENV=demo
source "$(dirname "$0")/../scripts/lib.sh"
[ $# -gt 0 ] || set -- 人口
INI="$ENV_DIR/ckan.ini"
[ -f "$INI" ] || die "run 'make run' first"

SOLR_BASE="http://127.0.0.1:$SOLR_PORT/solr"
CORE_DIR="$ENV_DIR/solr/ckan_stock"
STOCK_INI="$ENV_DIR/ckan-stock.ini"
STOCK_PORT=5001

cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
  curl -fsS "$SOLR_BASE/admin/cores?action=UNLOAD&core=ckan_stock&deleteInstanceDir=true" >/dev/null 2>&1 || true
  rm -f "$STOCK_INI"
}
trap cleanup EXIT

say "solr: core ckan_stock with CKAN's stock schema.xml"
curl -fsS "$SOLR_BASE/admin/cores?action=UNLOAD&core=ckan_stock&deleteInstanceDir=true" >/dev/null 2>&1 || true
rm -rf "$CORE_DIR"; mkdir -p "$CORE_DIR/conf"
cp "$ROOT"/config/solr/configsets/ckan_zh/conf/{solrconfig.xml,synonyms.txt,protwords.txt} "$CORE_DIR/conf/"
"$VENV/bin/python" -c 'import ckan, os, shutil, sys; shutil.copy(os.path.join(os.path.dirname(ckan.__file__), "config/solr/schema.xml"), sys.argv[1])' "$CORE_DIR/conf/schema.xml"
curl -fsS "$SOLR_BASE/admin/cores?action=CREATE&name=ckan_stock&instanceDir=ckan_stock" >/dev/null

plugins="$(grep '^ckan.plugins' "$ROOT/config/ckan.ini" | sed 's/^ckan.plugins *= *//; s/\blngov\b//')"
cat >"$STOCK_INI" <<INI
[app:main]
use = config:ckan.ini
ckan.plugins = $plugins
ckan.site_url = http://127.0.0.1:$STOCK_PORT
INI
say "stock CKAN: indexing the demo database into ckan_stock"
CKAN_SOLR_URL="$SOLR_BASE/ckan_stock" "$VENV/bin/ckan" -c "$STOCK_INI" search-index rebuild >/dev/null 2>&1
CKAN_SOLR_URL="$SOLR_BASE/ckan_stock" nohup "$VENV/bin/ckan" -c "$STOCK_INI" run -H 127.0.0.1 -p $STOCK_PORT \
  --disable-reloader >"$LOG_DIR/ckan-stock.log" 2>&1 </dev/null &
pid=$!
wait_for "stock CKAN" 60 curl -fsS "http://127.0.0.1:$STOCK_PORT/api/3/action/status_show"

show() {
  "$VENV/bin/python" - "$@" <<'PY'
import json, sys, urllib.parse, urllib.request
label, base, q = sys.argv[1:4]
url = base + "/api/3/action/package_search?" + urllib.parse.urlencode({"q": q, "rows": 5})
result = json.load(urllib.request.urlopen(url))["result"]
titles = [d["title"] for d in result["results"]]
print(f"  {label:<28} count={result['count']:<4} {titles}")
PY
}
for q in "$@"; do
  echo "q=$q"
  show "lngov (http://127.0.0.1:$CKAN_PORT)" "http://127.0.0.1:$CKAN_PORT" "$q"
  show "stock (http://127.0.0.1:$STOCK_PORT)" "http://127.0.0.1:$STOCK_PORT" "$q"
done
