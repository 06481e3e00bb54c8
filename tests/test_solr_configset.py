"""The project's Solr configset: CKAN's own schema, made Chinese-aware, portable to stock Solr."""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import ckan

CONF = Path(__file__).parent.parent / "config" / "solr" / "configsets" / "ckan_zh" / "conf"
CKAN_SCHEMA = Path(os.path.dirname(ckan.__file__)) / "config" / "solr" / "schema.xml"


def _schema(path: Path):
    root = ET.parse(path).getroot()
    fields = {f.get("name"): dict(f.attrib) for f in root.iter("field")}
    dynamic = {f.get("name"): dict(f.attrib) for f in root.iter("dynamicField")}
    copies = {(c.get("source"), c.get("dest")) for c in root.iter("copyField")}
    types = {t.get("name"): t for t in list(root.iter("fieldType")) + list(root.iter("fieldtype"))}
    return root, fields, dynamic, copies, types


def test_schema_keeps_ckans_fields_copyfields_and_name():
    ours, fields, dynamic, copies, types = _schema(CONF / "schema.xml")
    stock, s_fields, s_dynamic, s_copies, s_types = _schema(CKAN_SCHEMA)
    assert ours.get("name") == stock.get("name") == "ckan-2.12"
    # CKAN's own, unchanged; beside them only the portal's, named lngov_* (suggest/index.py)
    own = {name for name in fields if name.startswith("lngov_")}
    assert {n: f for n, f in fields.items() if n not in own} == s_fields
    assert own
    assert dynamic == s_dynamic
    assert {c for c in copies if not c[0].startswith("lngov_")} == s_copies
    assert {c for c in copies if c[0].startswith("lngov_")} <= {(n, "text") for n in own}
    assert ours.find("uniqueKey").text == stock.find("uniqueKey").text
    assert {t for t in types if not t.startswith("lngov_")} == set(s_types)


def test_every_text_type_is_cjk_aware():
    _, _, _, _, types = _schema(CONF / "schema.xml")
    for name, ftype in types.items():
        if ftype.get("class") != "solr.TextField":
            continue
        for analyzer in ftype.iter("analyzer"):
            classes = [e.get("class") for e in analyzer]
            assert "solr.CJKWidthCharFilterFactory" in classes, (name, analyzer.get("type"))
            # n-grams of characters already split Chinese; the pinyin type holds no Chinese
            if name not in ("text_ngram", "lngov_prefix"):
                assert "solr.CJKBigramFilterFactory" in classes, (name, analyzer.get("type"))


def test_configset_runs_on_stock_solr_without_modules_or_lib():
    config = ET.parse(CONF / "solrconfig.xml").getroot()
    assert config.find("lib") is None
    # Only analysis classes of Lucene's analysis-common (in every Solr), no module's.
    schema = (CONF / "schema.xml").read_text(encoding="utf-8")
    for module_class in ("HMMChineseTokenizer", "ICUTokenizer", "ICUFolding", "SmartChinese"):
        assert module_class not in schema
    for name in ("synonyms.txt", "protwords.txt"):
        assert (CONF / name).is_file()
