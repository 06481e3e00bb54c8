#!/usr/bin/env bash
# Installs what the portal needs and is missing, and nothing twice:
#   * Debian packages (PostgreSQL 15, Redis, Java 17 JDK, Maven, Python 3.11 venv and build
#     tools), with apt-get, as root or through sudo;
#   * the virtualenv .venv with the pinned Python packages (requirements.txt, and with --dev
#     dev-requirements.txt) and this extension in editable mode;
#   * the Solr 9.10 jars, resolved by Maven from scripts/solr/pom.xml into .lngov/solr/lib;
#   * the front-end libraries from npm (package.json, package-lock.json) into node_modules,
#     ECharts copied into the extension's assets (ckanext/lngov/assets/vendor, ignored);
#   * the identity provider of the demo and the tests (identity_provider/, npm's oidc-provider).
# Each step records what it installed (a hash of its inputs) and is skipped when unchanged.
#
#   scripts/install.sh [--dev]
source "$(dirname "$0")/lib.sh"

DEV=0; [ "${1:-}" = "--dev" ] && DEV=1

stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }
hash_of() { cat "$@" | sha256sum | cut -c1-32; }

# --- Debian packages -----------------------------------------------------------------------
apt_install() {
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  say "apt: installing $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in postgresql-$PG_VERSION postgresql-client-$PG_VERSION redis-server redis-tools \
           openjdk-17-jdk-headless maven curl ca-certificates build-essential libpq-dev \
           libmagic1 git nginx libnginx-mod-http-js; do
  have_pkg "$pkg" || missing+=("$pkg")
done
# Node.js with npm for the front-end libraries: Debian's packages, or a node already on PATH.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
# Python 3.11 with venv: Debian 12's own python3, or one already on PATH (pyenv and the like).
if ! command -v python3.11 >/dev/null 2>&1 || ! python3.11 -c 'import venv, ensurepip' 2>/dev/null; then
  missing+=(python3.11 python3.11-venv python3.11-dev)
fi
# uWSGI and psycopg2 compile against Python's headers.
if command -v python3.11 >/dev/null 2>&1 && ! python3.11 -c \
    'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
  missing+=(python3.11-dev)
fi
# The browser tests drive Debian's chromium (Playwright's own browser download is not used),
# with CJK fonts so that Chinese pages render as people see them.
if [ "$DEV" = 1 ]; then
  for pkg in chromium fonts-noto-cjk; do have_pkg "$pkg" || missing+=("$pkg"); done
fi
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi
# The Debian package starts its own cluster on 5432; ours use their own ports, so that one
# is left as it is.

# --- Python --------------------------------------------------------------------------------
reqs=("$ROOT/requirements.txt"); [ "$DEV" = 1 ] && reqs+=("$ROOT/dev-requirements.txt")
py_stamp="$VENV/.lngov-installed"; [ "$DEV" = 1 ] && py_stamp+="-dev"
py_hash="$(hash_of "${reqs[@]}" "$ROOT/pyproject.toml" "$ROOT/setup.cfg")"
if [ ! -x "$VENV/bin/python" ]; then
  say "python: creating $VENV"
  python3.11 -m venv "$VENV"
fi
if ! stamp_ok "$py_stamp" "$py_hash"; then
  say "python: installing pinned packages ($(basename -a "${reqs[@]}" | tr '\n' ' '))"
  "$VENV/bin/pip" install -q --disable-pip-version-check --upgrade "pip==26.3" "setuptools==84.2.1" "wheel==0.48.0"
  args=(); for r in "${reqs[@]}"; do args+=(-r "$r"); done
  "$VENV/bin/pip" install -q --disable-pip-version-check "${args[@]}"
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps -e "$ROOT" >"$LOG_DIR/pip-editable.log" 2>&1 \
    || die "pip install -e failed: $LOG_DIR/pip-editable.log"
  echo "$py_hash" >"$py_stamp"
fi
# The extension's translations need no step: the compiled .mo is committed beside its .po
# (scripts/i18n-update.sh compiles it; tests/test_portal.py checks the two agree), so a
# plain `pip install` of the package is Chinese too.

# --- front-end libraries (npm) -------------------------------------------------------------
npm_stamp="$ROOT/node_modules/.lngov-installed"
npm_hash="$(hash_of "$ROOT/package.json" "$ROOT/package-lock.json")"
if ! stamp_ok "$npm_stamp" "$npm_hash"; then
  say "npm: installing the front-end libraries (package-lock.json)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error) >"$LOG_DIR/npm.log" 2>&1 \
    || die "npm ci failed: $LOG_DIR/npm.log"
  echo "$npm_hash" >"$npm_stamp"
fi
# The unified identity provider of the demo and the tests (identity_provider/: node-oidc-provider).
idp_stamp="$ROOT/identity_provider/node_modules/.lngov-installed"
idp_hash="$(hash_of "$ROOT/identity_provider/package.json" "$ROOT/identity_provider/package-lock.json")"
if ! stamp_ok "$idp_stamp" "$idp_hash"; then
  say "npm: installing the identity provider (identity_provider/package-lock.json)"
  (cd "$ROOT/identity_provider" && npm ci --no-audit --no-fund --loglevel=error) >"$LOG_DIR/npm-identity.log" 2>&1 \
    || die "npm ci failed: $LOG_DIR/npm-identity.log"
  echo "$idp_hash" >"$idp_stamp"
fi
mkdir -p "$ROOT/ckanext/lngov/assets/vendor"
cp -u "$ROOT/node_modules/echarts/dist/echarts.min.js" "$ROOT/ckanext/lngov/assets/vendor/"

# --- Solr jars -----------------------------------------------------------------------------
solr_stamp="$SOLR_LIB/.lngov-installed"
solr_hash="$(hash_of "$ROOT/scripts/solr/pom.xml")"
if ! stamp_ok "$solr_stamp" "$solr_hash"; then
  say "solr: resolving Solr 9.10 jars from Maven Central (scripts/solr/pom.xml)"
  rm -rf "$SOLR_LIB"
  mvn -B -f "$ROOT/scripts/solr/pom.xml" package -Dsolr.lib.dir="$SOLR_LIB" >"$LOG_DIR/maven.log" 2>&1 \
    || die "maven could not resolve the Solr jars: $LOG_DIR/maven.log"
  echo "$solr_hash" >"$solr_stamp"
fi
