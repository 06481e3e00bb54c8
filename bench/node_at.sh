#!/usr/bin/env bash
# A web node of the portal as it was at another commit, over the environment's database and
# Solr core, beside the portal's own node: the same uWSGI settings (that commit's
# config/uwsgi.ini), so only the code differs. For bench/search_page.py (the search page
# before and after issue 28: REV=0381987^).
#
#   LNGOV_ENV=bench bash bench/node_at.sh start REV [PORT]   (PORT: LNGOV_CKAN_PORT + 10)
#   LNGOV_ENV=bench bash bench/node_at.sh stop
#
# REV's tree is checked out under .lngov/<env>/node-at (a detached git worktree) with a venv
# of its own (its requirements, its package installed in place). Needs the environment's ini
# (bench/search_page.py fill, or scripts/run.sh).
[ -n "${LNGOV_ENV:-}" ] || export LNGOV_ENV=bench
source "$(dirname "$0")/../scripts/lib.sh"
INI="$ENV_DIR/ckan.ini"
SRC="$ENV_DIR/node-at"
NODE_INI="$ENV_DIR/ckan-node-at.ini"
PORT="${3:-$((CKAN_PORT + 10))}"

case "${1:-}" in
start)
  REV="${2:?usage: $0 start REV [PORT]}"
  [ -f "$INI" ] || die "no $INI: fill the environment first (bench/search_page.py fill)"
  want="$(git -C "$ROOT" rev-parse "$REV^{commit}")"
  if [ "$(git -C "$SRC" rev-parse HEAD 2>/dev/null)" != "$want" ]; then
    say "node at $REV: checking out $want into $SRC"
    git -C "$ROOT" worktree remove --force "$SRC" 2>/dev/null || rm -rf "$SRC"
    git -C "$ROOT" worktree prune
    git -C "$ROOT" worktree add --detach "$SRC" "$want" >/dev/null
    rm -rf "$SRC/.venv"
  fi
  if [ ! -x "$SRC/.venv/bin/uwsgi" ]; then
    say "node at $REV: its venv (its requirements.txt)"
    python3 -m venv "$SRC/.venv"
    "$SRC/.venv/bin/pip" install -q -r "$SRC/requirements.txt"
    "$SRC/.venv/bin/pip" install -q --no-deps -e "$SRC"
  fi
  # The environment's ini (secrets, storage, site id) over that commit's config/ckan.ini.
  sed -e "s#^use = config:.*#use = config:$SRC/config/ckan.ini#" \
      -e "s#^ckan.site_url = .*#ckan.site_url = http://127.0.0.1:$PORT#" \
      -e "s#%(here)s/storage#$ENV_DIR/storage#" "$INI" >"$NODE_INI"
  # its own compiled assets (the storage's webassets are the portal's)
  echo "ckan.webassets.path = $SRC/.webassets" >>"$NODE_INI"
  uwsgi_node "node at $REV" ckan-node-at "$NODE_INI" "$PORT" "$SRC/.venv" "$SRC"
  ;;
stop)
  uwsgi_node_stop ckan-node-at
  rm -f "$NODE_INI"
  ;;
*) die "usage: $0 start REV [PORT] | stop" ;;
esac
