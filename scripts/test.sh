#!/usr/bin/env bash
# `make test`: the lint step, then the whole suite against real services of its own
# (LNGOV_ENV=test: their own ports, cluster, Solr core and Redis, so the demo's data is never
# touched).
# Extra arguments go to pytest, e.g. scripts/test.sh -k search -x
export LNGOV_ENV=test
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/install.sh" --dev
say "lint (ruff.toml)"
"$VENV/bin/ruff" check --quiet "$ROOT" || die "lint: fix the lines above (ruff check .)"
# The tests' database needs no durability: fsync off makes it several times faster.
LNGOV_PG_FSYNC=off "$ROOT/scripts/services.sh" start
"$ROOT/scripts/identity.sh" start
mkdir -p "$ENV_DIR/storage"
"$ROOT/scripts/ckan-init.sh" "$ROOT/config/test.ini"

say "pytest"
cd "$ROOT"
# The slowest tests are listed at the end: the suite must stay well under 30 minutes.
exec "$VENV/bin/pytest" --ckan-ini=config/test.ini --durations=25 "$@"
