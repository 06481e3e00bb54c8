#!/usr/bin/env bash
# Extracts the extension's messages into ckanext/lngov/i18n/ckanext-lngov.pot (the one
# extraction config: ckanext/lngov/i18n/babel.cfg), merges them into the Chinese catalog
# (which also completes and corrects CKAN's and the other extensions' translations: entries
# with their msgids) and compiles the .mo, which is committed with the .po; it lists the
# messages still without a translation: translate them in the .po and run it again.
source "$(dirname "$0")/lib.sh"
I18N="$ROOT/ckanext/lngov/i18n"
"$VENV/bin/pybabel" extract -o "$I18N/ckanext-lngov.pot" --project=ckanext-lngov \
  --no-location -k _ -F "$I18N/babel.cfg" "$ROOT/ckanext/lngov" >/dev/null
# pybabel update --ignore-obsolete, keeping the catalog's corrections of CKAN's and the other
# extensions' messages (ckanext/lngov/translations.py).
"$VENV/bin/python" -m ckanext.lngov.translations update
grep -B1 '^msgstr ""$' "$I18N"/zh_Hans_CN/LC_MESSAGES/ckanext-lngov.po | grep '^msgid' | grep -v '^msgid ""$' || true
"$VENV/bin/pybabel" -q compile -d "$I18N" -D ckanext-lngov
