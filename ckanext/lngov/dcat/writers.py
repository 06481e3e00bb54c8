"""Fast writers of triple lists in the catalog's four RDF formats.

rdflib's serializers sort and analyse the whole graph, which costs more than building it;
the catalog is a stream of independent datasets, so each chunk of triples (a dataset, a
page of them) is written on its own and the chunks are joined between one header and one
footer. Each format is written in its simplest standard form: N-Triples; Turtle grouped
by subject with the catalog's prefixes; RDF/XML as rdf:Description elements; JSON-LD in
expanded form (an array of node objects).

Triples are in a compact, JSON-friendly encoding (what the cache stores):
  IRI "<http://...", blank node "_:id", literal [value, language or "", datatype or ""].
"""
from __future__ import annotations

import json
import re
from typing import Iterable, Sequence

from rdflib import BNode, Literal, URIRef

Term = "str | list"

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = "<" + RDF_NS + "type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

PREFIXES = {
    "rdf": RDF_NS,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatap": "http://data.europa.eu/r5r/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "adms": "http://www.w3.org/ns/adms#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "csvw": "http://www.w3.org/ns/csvw#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "schema": "http://schema.org/",
    "locn": "http://www.w3.org/ns/locn#",
}

CONTENT_TYPES = {
    "ttl": "text/turtle; charset=utf-8",
    "rdf": "application/rdf+xml; charset=utf-8",
    "jsonld": "application/ld+json; charset=utf-8",
    "nt": "application/n-triples; charset=utf-8",
}
# Other names of the same formats (ckanext-dcat's endpoints use xml and n3 too).
ALIASES = {"xml": "rdf", "n3": "ttl", "turtle": "ttl", "json-ld": "jsonld",
           "ntriples": "nt", "ttl": "ttl", "rdf": "rdf", "jsonld": "jsonld", "nt": "nt"}
ACCEPT = {"text/turtle": "ttl", "application/rdf+xml": "rdf", "application/ld+json": "jsonld",
          "application/n-triples": "nt", "text/n3": "ttl", "application/x-turtle": "ttl"}
EXTENSIONS = ("ttl", "rdf", "jsonld", "nt")

_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_BNODE_SAFE = re.compile(r"[^A-Za-z0-9]")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- encoding -------------------------------------------------------------------------

def encode_term(term) -> Term:
    if isinstance(term, URIRef):
        return "<" + str(term)
    if isinstance(term, BNode):
        return "_:" + _BNODE_SAFE.sub("", str(term))
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype else ""
        return [str(term), term.language or "", "" if datatype == XSD_STRING else datatype]
    raise TypeError(f"not an RDF term: {term!r}")


def encode(triples: Iterable[tuple]) -> list[list[Term]]:
    return [[encode_term(s), encode_term(p), encode_term(o)] for s, p, o in triples]


def normal_format(name: str | None) -> str | None:
    return ALIASES.get((name or "").lower())


# --- N-Triples ------------------------------------------------------------------------

def _nt_string(value: str) -> str:
    return ('"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r") + '"')


_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _iri(value: str) -> str:
    if _IRI_UNSAFE.search(value):  # rare: escape what an IRIREF may not hold
        value = _IRI_UNSAFE.sub(lambda m: "\\u%04X" % ord(m.group()), value)
    return "<" + value + ">"


def _nt_term(term: Term) -> str:
    if isinstance(term, str):
        return _iri(term[1:]) if term[0] == "<" else term
    value, lang, datatype = term
    if lang:
        return _nt_string(value) + "@" + lang
    if datatype:
        return _nt_string(value) + "^^" + _iri(datatype)
    return _nt_string(value)


class NTriples:
    def header(self) -> str:
        return ""

    def chunk(self, triples: Sequence) -> str:
        return "".join(f"{_nt_term(s)} {_nt_term(p)} {_nt_term(o)} .\n" for s, p, o in triples)

    def footer(self) -> str:
        return ""


# --- Turtle ---------------------------------------------------------------------------

def _group(triples: Sequence) -> dict:
    """subject -> predicate -> [objects], in first-seen order, duplicates dropped."""
    subjects: dict = {}
    for s, p, o in triples:
        objects = subjects.setdefault(s, {}).setdefault(p, [])
        key = o if isinstance(o, str) else tuple(o)
        if key not in objects:
            objects.append(key)
    return subjects


class Turtle:
    def __init__(self, prefixes: dict[str, str] = PREFIXES):
        self.prefixes = prefixes
        self._qname_cache: dict[str, str] = {}

    def header(self) -> str:
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in self.prefixes.items()) + "\n"

    def _qname(self, iri: str) -> str:
        cached = self._qname_cache.get(iri)
        if cached is None:
            cached = _iri(iri)
            for prefix, ns in self.prefixes.items():
                if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]):
                    cached = f"{prefix}:{iri[len(ns):]}"
                    break
            if len(self._qname_cache) < 10000:
                self._qname_cache[iri] = cached
        return cached

    def _term(self, term) -> str:
        if isinstance(term, str):
            return self._qname(term[1:]) if term[0] == "<" else term
        value, lang, datatype = term
        text = _nt_string(value)
        if lang:
            return text + "@" + lang
        if datatype:
            return text + "^^" + self._qname(datatype)
        return text

    def chunk(self, triples: Sequence) -> str:
        out = []
        for s, predicates in _group(triples).items():
            lines = []
            for p, objects in predicates.items():
                verb = "a" if p == RDF_TYPE else self._term(p)
                lines.append(verb + " " + " , ".join(self._term(o) for o in objects))
            out.append(self._term(s) + " " + " ;\n    ".join(lines) + " .\n")
        return "\n".join(out) + "\n"

    def footer(self) -> str:
        return ""


# --- RDF/XML --------------------------------------------------------------------------

def _xml_text(value: str) -> str:
    value = _XML_INVALID.sub("\ufffd", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_attr(value: str) -> str:
    return _xml_text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")


class RdfXml:
    def __init__(self, prefixes: dict[str, str] = PREFIXES):
        self.prefixes = prefixes
        self._names: dict[str, tuple[str, str]] = {}

    def header(self) -> str:
        namespaces = " ".join(f'xmlns:{p}="{ns}"' for p, ns in self.prefixes.items())
        return f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF {namespaces}>\n'

    def _name(self, iri: str) -> tuple[str, str]:
        """(element name, extra namespace declaration) of a predicate."""
        found = self._names.get(iri)
        if found is None:
            found = None
            for prefix, ns in self.prefixes.items():
                if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]):
                    found = (f"{prefix}:{iri[len(ns):]}", "")
                    break
            if found is None:
                cut = max(iri.rfind("#"), iri.rfind("/")) + 1
                local = iri[cut:]
                if not _LOCAL.match(local):
                    raise ValueError(f"predicate cannot be written in RDF/XML: {iri}")
                found = (f"ns0:{local}", f' xmlns:ns0="{_xml_attr(iri[:cut])}"')
            self._names[iri] = found
        return found

    @staticmethod
    def _node(term: str, about: str) -> str:
        if term[0] == "<":
            return f'{about}="{_xml_attr(term[1:])}"'
        return f'rdf:nodeID="{term[2:]}"'

    def chunk(self, triples: Sequence) -> str:
        out = []
        for s, predicates in _group(triples).items():
            out.append(f"  <rdf:Description {self._node(s, 'rdf:about')}>\n")
            for p, objects in predicates.items():
                name, declaration = self._name(p[1:])
                for o in objects:
                    if isinstance(o, str):
                        out.append(f"    <{name}{declaration} "
                                   f"{self._node(o, 'rdf:resource')}/>\n")
                        continue
                    value, lang, datatype = o
                    attr = (f' xml:lang="{lang}"' if lang else
                            f' rdf:datatype="{_xml_attr(datatype)}"' if datatype else "")
                    out.append(f"    <{name}{declaration}{attr}>{_xml_text(value)}</{name}>\n")
            out.append("  </rdf:Description>\n")
        return "".join(out)

    def footer(self) -> str:
        return "</rdf:RDF>\n"


# --- JSON-LD --------------------------------------------------------------------------

def _jsonld_node_id(term: str) -> str:
    return term[1:] if term[0] == "<" else term


class JsonLd:
    def header(self) -> str:
        return "["

    def chunk(self, triples: Sequence) -> str:
        nodes = []
        dumps = json.dumps
        for s, predicates in _group(triples).items():
            node: dict = {"@id": _jsonld_node_id(s)}
            for p, objects in predicates.items():
                if p == RDF_TYPE and all(isinstance(o, str) and o[0] == "<" for o in objects):
                    node["@type"] = [o[1:] for o in objects]
                    continue
                values = []
                for o in objects:
                    if isinstance(o, str):
                        values.append({"@id": _jsonld_node_id(o)})
                    else:
                        value, lang, datatype = o
                        item = {"@value": value}
                        if lang:
                            item["@language"] = lang
                        elif datatype:
                            item["@type"] = datatype
                        values.append(item)
                node[p[1:]] = values
            nodes.append(dumps(node, ensure_ascii=False))
        return ",\n".join(nodes)

    def footer(self) -> str:
        return "]\n"


WRITERS = {"nt": NTriples, "ttl": Turtle, "rdf": RdfXml, "jsonld": JsonLd}


def writer(fmt: str):
    return WRITERS[fmt]()


def separator(fmt: str) -> str:
    """What goes between two chunks of a document (JSON-LD's array needs commas)."""
    return ",\n" if fmt == "jsonld" else ""


def document(fmt: str, chunks: Iterable[str]) -> str:
    """Header, the non-empty written chunks, footer."""
    w = writer(fmt)
    return w.header() + separator(fmt).join(c for c in chunks if c) + w.footer()


def serialize(fmt: str, triples: Sequence) -> str:
    return document(fmt, [writer(fmt).chunk(triples)])
