"""The vocabularies of the open catalog, built from the code lists (catalog/codes.yaml).

The portal's own concept schemes (分类, 基础库/主题库, 数据领域, 格式分类, 格式类型) are SKOS
schemes at stable URIs under the site URL (`/vocab/<scheme>` and `/vocab/<scheme>/<code>`),
so every `dcat:theme` the catalog uses resolves. The EU authority tables (frequency,
access right, file type, data theme, language) are referred to by their URIs only: the
codes come from the `eu` keys of codes.yaml, never invented here.
"""
from __future__ import annotations

from typing import Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS as DCT, RDF, SKOS

from ckanext.dcat.utils import catalog_uri

from ckanext.lngov.catalog import codes

EU = "http://publications.europa.eu/resource/authority/"
EU_TABLES = ("frequency", "access-right", "file-type", "data-theme", "language")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
# The metadata's languages (CKAN locale prefix -> EU language code).
LANGUAGES = {"zh": "ZHO", "en": "ENG"}

# URI segment of a portal scheme -> (code list, zh title, en title)
SCHEMES: dict[str, tuple[str, str, str]] = {
    "classification": ("classification", "信息资源分类", "Information resource classification"),
    "database": ("base_theme_db", "基础库、主题库", "Base and theme databases"),
    "domain": ("domain", "数据领域", "Data domains"),
    "format-category": ("format_category", "信息资源格式分类", "Resource format categories"),
    "format": ("format_types", "信息资源格式类型", "Resource format types"),
}
SCHEME_OF_LIST = {list_name: scheme for scheme, (list_name, _, _) in SCHEMES.items()}


def base() -> str:
    return catalog_uri().rstrip("/")


def scheme_uri(scheme: str) -> str:
    return f"{base()}/vocab/{scheme}"


def concept_uri(list_name: str, code: str) -> str:
    return f"{scheme_uri(SCHEME_OF_LIST[list_name])}/{code}"


def code_of_concept(list_name: str, uri: str) -> str | None:
    """The code a portal concept URI stands for, if it is one of the list's."""
    prefix = scheme_uri(SCHEME_OF_LIST[list_name]) + "/"
    if uri.startswith(prefix) and uri[len(prefix):] in codes.values(list_name):
        return uri[len(prefix):]
    return None


def eu_uri(table: str, code: str) -> str:
    return f"{EU}{table}/{code}"


def eu_code(list_name: str, value: str) -> str | None:
    """The EU authority code of a catalog code (codes.yaml `eu`), if it has one."""
    found = codes.entry(list_name, value)
    return found.get("eu") if found else None


def code_of_eu(list_name: str, table: str, uri: str) -> str | None:
    """The catalog code whose EU code the URI names (first in list order)."""
    prefix = f"{EU}{table}/"
    if not uri.startswith(prefix):
        return None
    return next((e["value"] for e in codes.entries(list_name)
                 if e.get("eu") == uri[len(prefix):]), None)


def media_type_uri(media_type: str) -> str:
    return IANA_MEDIA_TYPES + media_type


def labels(list_name: str, code: str) -> Iterator[Literal]:
    found = codes.entry(list_name, code) or {}
    for lang in ("zh", "en"):
        if found.get(lang):
            yield Literal(found[lang], lang=lang)


def concept_triples(list_name: str, code: str, full: bool = False) -> Iterator[tuple]:
    """A portal concept: typed, in its scheme, labelled; `full` adds notation and matches."""
    concept = URIRef(concept_uri(list_name, code))
    scheme = URIRef(scheme_uri(SCHEME_OF_LIST[list_name]))
    yield concept, RDF.type, SKOS.Concept
    yield concept, SKOS.inScheme, scheme
    for label in labels(list_name, code):
        yield concept, SKOS.prefLabel, label
    if not full:
        return
    entry = codes.entry(list_name, code) or {}
    yield concept, SKOS.notation, Literal(code)
    yield concept, SKOS.topConceptOf, scheme
    if list_name == "domain" and entry.get("eu"):
        # Several domains share one EU data theme: the EU theme is the broader one.
        yield concept, SKOS.broadMatch, URIRef(eu_uri("data-theme", entry["eu"]))
    elif list_name == "format_types" and entry.get("eu"):
        yield concept, SKOS.exactMatch, URIRef(eu_uri("file-type", entry["eu"]))
    elif list_name == "base_theme_db":
        yield concept, SKOS.broadMatch, URIRef(
            concept_uri("classification", entry["classification"]))


def scheme_triples(scheme: str) -> Iterator[tuple]:
    """A whole portal concept scheme, as SKOS."""
    list_name, zh, en = SCHEMES[scheme]
    ref = URIRef(scheme_uri(scheme))
    yield ref, RDF.type, SKOS.ConceptScheme
    yield ref, DCT.title, Literal(zh, lang="zh")
    yield ref, DCT.title, Literal(en, lang="en")
    yield ref, SKOS.prefLabel, Literal(zh, lang="zh")
    yield ref, SKOS.prefLabel, Literal(en, lang="en")
    for code in codes.values(list_name):
        yield ref, SKOS.hasTopConcept, URIRef(concept_uri(list_name, code))
        yield from concept_triples(list_name, code, full=True)


def single_concept_triples(scheme: str, code: str) -> list[tuple] | None:
    """One concept with its scheme's title, or None if the scheme has no such code."""
    if scheme not in SCHEMES or code not in codes.values(SCHEMES[scheme][0]):
        return None
    list_name, zh, en = SCHEMES[scheme]
    ref = URIRef(scheme_uri(scheme))
    return [(ref, RDF.type, SKOS.ConceptScheme), (ref, DCT.title, Literal(zh, lang="zh")),
            (ref, DCT.title, Literal(en, lang="en")),
            *concept_triples(list_name, code, full=True)]


def eu_theme_triples(uri: str) -> Iterator[tuple]:
    """An EU data theme the catalog uses, typed and labelled (codes.yaml eu_data_theme)."""
    code = uri.rsplit("/", 1)[-1]
    ref = URIRef(uri)
    yield ref, RDF.type, SKOS.Concept
    yield ref, SKOS.inScheme, URIRef(f"{EU}data-theme")
    yield from ((ref, SKOS.prefLabel, label) for label in labels("eu_data_theme", code))


def theme_taxonomies() -> dict[str, dict[str, str]]:
    """The schemes a dcat:Catalog lists as theme taxonomies, with their titles."""
    found = {scheme_uri(s): {"zh": SCHEMES[s][1], "en": SCHEMES[s][2]}
             for s in ("classification", "database", "domain")}
    found[f"{EU}data-theme"] = {"zh": "欧盟数据主题", "en": "Data theme"}
    return found
