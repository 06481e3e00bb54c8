#!/usr/bin/env bash
# Brings the CKAN database of one environment to the current schema (CKAN core and every
# enabled plugin's migrations) and gives the DataStore its read-only permissions, as CKAN's
# install guide does. Idempotent.
#
#   LNGOV_ENV=demo|test scripts/ckan-init.sh CKAN_INI
source "$(dirname "$0")/lib.sh"
INI="$1"
CKAN=("$VENV/bin/ckan" -c "$INI")

say "ckan: database schema ($LNGOV_ENV)"
"${CKAN[@]}" db init >>"$LOG_DIR/ckan-init.log" 2>&1 || die "ckan db init failed: $LOG_DIR/ckan-init.log"
"${CKAN[@]}" db upgrade >>"$LOG_DIR/ckan-init.log" 2>&1 || die "ckan db upgrade failed: $LOG_DIR/ckan-init.log"
say "ckan: datastore permissions ($LNGOV_ENV)"
"${CKAN[@]}" datastore set-permissions 2>>"$LOG_DIR/ckan-init.log" \
  | psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d "$DS_NAME" \
    >>"$LOG_DIR/ckan-init.log" 2>&1 || die "datastore set-permissions failed: $LOG_DIR/ckan-init.log"
# CKAN's scripts read their translations from files built out of the .po catalogs (CKAN's
# and the ITranslation plugins'); `ckan run` builds them, a WSGI server does not.
say "ckan: JavaScript translations ($LNGOV_ENV)"
"${CKAN[@]}" translation js >>"$LOG_DIR/ckan-init.log" 2>&1 || die "ckan translation js failed: $LOG_DIR/ckan-init.log"
