#!/usr/bin/env bash
# Extracts the extension's messages into ckanext/lngov/i18n/ckanext-lngov.pot and merges
# them into the Chinese catalog (which also completes and corrects CKAN's and the other
# extensions' translations: entries with their msgids); then translate the new (empty) msgstr and run install.sh
# (or pybabel compile) to build the .mo.
source "$(dirname "$0")/lib.sh"
I18N="$ROOT/ckanext/lngov/i18n"
"$VENV/bin/pybabel" extract -o "$I18N/ckanext-lngov.pot" --project=ckanext-lngov \
  --no-location -k _ -F "$I18N/babel.cfg" "$ROOT/ckanext/lngov" >/dev/null
# pybabel update --ignore-obsolete, keeping the catalog's corrections of CKAN's and the other
# extensions' messages (ckanext/lngov/translations.py).
"$VENV/bin/python" -m ckanext.lngov.translations update
grep -B1 '^msgstr ""$' "$I18N"/zh_Hans_CN/LC_MESSAGES/ckanext-lngov.po | grep '^msgid' | grep -v '^msgid ""$' || true
