"""The extension's Chinese catalog: its own messages, and its corrections of CKAN's and the
other extensions' messages.

CKAN merges each ITranslation plugin's catalog over its own (flask-babel for pages, the .po
files for the scripts' translations), so an entry with CKAN's msgid in this catalog wins:
that is how the portal completes CKAN's half-translated Chinese and corrects its mistakes.
`update` is what scripts/i18n-update.sh runs after extracting the extension's messages: like
`pybabel update --ignore-obsolete`, except that the corrections are not obsolete.

    python -m ckanext.lngov.translations update
"""
from __future__ import annotations

import os
import re
import sys
from functools import lru_cache
from typing import Iterable

from babel.messages import pofile
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

I18N = os.path.join(os.path.dirname(os.path.abspath(__file__)), "i18n")
DOMAIN = "ckanext-lngov"
LOCALE = "zh_Hans_CN"
POT = os.path.join(I18N, f"{DOMAIN}.pot")
PO = os.path.join(I18N, LOCALE, "LC_MESSAGES", f"{DOMAIN}.po")
CORRECTION = "corrects the translation of CKAN or of an extension"


def _package_dir(module: str) -> str:
    return os.path.dirname(os.path.abspath(__import__(module, fromlist=["_"]).__file__))


@lru_cache(maxsize=1)
def upstream_msgids() -> frozenset:
    """Every msgid of CKAN, ckanext-harvest and ckanext-dcat (their .pot files) and of
    ckanext-scheming's templates (it ships no catalog; its strings go through CKAN's)."""
    ids: set = set()
    for module, pot in (("ckan", "i18n/ckan.pot"),
                        ("ckanext.harvest", "i18n/ckanext-harvest.pot"),
                        ("ckanext.dcat", "i18n/ckanext-dcat.pot")):
        with open(os.path.join(_package_dir(module), pot), "rb") as f:
            ids.update(m.id for m in pofile.read_po(f) if m.id)
    ids.update(_extracted(_package_dir("ckanext.scheming")))
    # CKAN renders {% trans %} blocks trimmed (ext.i18n.trimmed), so a page asks for a msgid
    # without the whitespace that the .pot keeps around it.
    ids.update({_trimmed(i) for i in ids if isinstance(i, str)})
    return frozenset(ids)


def _trimmed(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text).strip()


def _extracted(folder: str) -> Iterable:
    for _file, _line, message, _comments, _context in extract_from_dir(
            folder, method_map=[("**/templates/**.html", "ckan"), ("**.py", "python")]):
        yield message if isinstance(message, str) else tuple(message)


def read(path: str = PO) -> Catalog:
    with open(path, "rb") as f:
        return pofile.read_po(f, locale=LOCALE if path.endswith(".po") else None)


def corrections(catalog: Catalog, own: Catalog) -> list:
    """The catalog's entries that are not the extension's own messages."""
    return [m for m in catalog if m.id and m.id not in own]


def update(pot: str = POT, po: str = PO) -> None:
    """Merges the extracted template into the catalog, keeping every correction."""
    template, catalog = read(pot), read(po)
    upstream = upstream_msgids()
    for message in corrections(catalog, template):
        if message.id in upstream:
            template.add(message.id, auto_comments=[CORRECTION], flags=message.flags)
    catalog.update(template, no_fuzzy_matching=True)
    with open(po, "wb") as f:
        pofile.write_po(f, catalog, ignore_obsolete=True, width=100)


if __name__ == "__main__" and sys.argv[1:] == ["update"]:
    update()
