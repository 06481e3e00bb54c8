"""The paged DCAT-AP feed (Turtle) of the openable entries: what a public DCAT feed carries.

Only active, non-secret entries whose open attribute is ``open`` or ``conditional``; none of the
department-only sharing fields. Paging as CKAN's ckanext-dcat writes and reads it: a
``hydra:PagedCollection`` with totalItems, itemsPerPage and first/last/next/previous pages
(both the ``…Page`` and the current hydra property names).
"""
from __future__ import annotations

from urllib.parse import quote

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from .catalog import Catalog

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
LICENSES = {"cc-by": "http://creativecommons.org/licenses/by/4.0/"}


def _eu(codes: dict, key: str) -> dict:
    return {str(c["value"]): c["eu"] for c in codes[key] if c.get("eu")}


def feed_entries(catalog: Catalog) -> list[dict]:
    with catalog.lock:
        keys = catalog.sorted_keys()
        return [catalog.entries[c] for _, c in keys
                if catalog.entries[c]["state"] == "active" and catalog.openable(catalog.entries[c])]


def render_page(catalog: Catalog, base: str, page: int, size: int) -> bytes | None:
    entries = feed_entries(catalog)
    last = max(1, -(-len(entries) // size))
    if page > last:
        return None
    codes = catalog.codes
    freq, access, theme = _eu(codes, "update_cycle"), _eu(codes, "open_attribute"), _eu(codes, "domain")
    formats = {str(c["value"]).upper(): c.get("eu") for c in codes["format_types"]}
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("hydra", HYDRA),
                       ("vcard", VCARD)):
        g.bind(prefix, ns)
    feed = f"{base}/dcat/catalog.ttl"
    cat = URIRef(f"{base}/dcat/catalog")
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCTERMS.title, Literal("辽宁省数据共享交换平台目录", lang="zh")))
    g.add((cat, DCTERMS.title, Literal("Liaoning data sharing and exchange platform catalog", lang="en")))
    g.add((cat, DCTERMS.description, Literal("省数据共享交换平台可开放的政务信息资源。", lang="zh")))

    paging = URIRef(f"{feed}?page={page}")
    g.add((paging, RDF.type, HYDRA.PagedCollection))
    g.add((paging, HYDRA.totalItems, Literal(len(entries), datatype=XSD.integer)))
    g.add((paging, HYDRA.itemsPerPage, Literal(size, datatype=XSD.integer)))
    links = {"first": 1, "last": last}
    if page < last:
        links["next"] = page + 1
    if page > 1:
        links["previous"] = page - 1
    for name, number in links.items():
        for prop in (HYDRA[f"{name}Page"], HYDRA[name]):
            g.add((paging, prop, URIRef(f"{feed}?page={number}")))

    for entry in entries[(page - 1) * size: page * size]:
        code = entry["resource_code"]
        ds = URIRef(f"{base}/api/v1/catalog/entries/{quote(code, safe='')}")
        g.add((cat, DCAT.dataset, ds))
        g.add((ds, RDF.type, DCAT.Dataset))
        g.add((ds, DCTERMS.identifier, Literal(code)))
        g.add((ds, DCTERMS.title, Literal(entry["title"], lang="zh")))
        if entry.get("title_en"):
            g.add((ds, DCTERMS.title, Literal(entry["title_en"], lang="en")))
        g.add((ds, DCTERMS.description, Literal(" ".join(entry["notes"].split()), lang="zh")))
        if entry.get("notes_en"):
            g.add((ds, DCTERMS.description, Literal(" ".join(entry["notes_en"].split()), lang="en")))
        dept = catalog.departments[entry["owner_org"]]
        agent = URIRef(f"{base}/dcat/publisher/{dept['credit_code']}")
        g.add((ds, DCTERMS.publisher, agent))
        g.add((agent, RDF.type, FOAF.Agent))
        g.add((agent, FOAF.name, Literal(dept["title"], lang="zh")))
        g.add((agent, FOAF.name, Literal(dept["title_en"], lang="en")))
        g.add((agent, DCTERMS.identifier, Literal(dept["credit_code"])))
        g.add((ds, DCTERMS.issued, Literal(str(entry["release_date"]), datatype=XSD.date)))
        g.add((ds, DCTERMS.modified, Literal(entry["modified"], datatype=XSD.dateTime)))
        if entry["update_cycle"] in freq:
            g.add((ds, DCTERMS.accrualPeriodicity, URIRef(f"{EU}frequency/{freq[entry['update_cycle']]}")))
        g.add((ds, DCTERMS.accessRights, URIRef(f"{EU}access-right/{access[entry['open_attribute']]}")))
        if entry.get("domain") in theme:
            g.add((ds, DCAT.theme, URIRef(f"{EU}data-theme/{theme[entry['domain']]}")))
        if entry.get("license_id") in LICENSES:
            g.add((ds, DCTERMS.license, URIRef(LICENSES[entry["license_id"]])))
        contact = BNode()
        g.add((ds, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, VCARD.Organization))
        g.add((contact, VCARD.fn, Literal(f"{dept['title']}{entry['provider_office']}", lang="zh")))
        if entry.get("contact_email"):
            g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{entry['contact_email']}")))
        if entry.get("contact_phone"):
            g.add((contact, VCARD.hasTelephone, URIRef(f"tel:{entry['contact_phone']}")))
        for plan in entry["distributions"]:
            dist = URIRef(f"{base}/dcat/distribution/{plan['id']}")
            g.add((ds, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCTERMS.title, Literal(plan["title"], lang="zh")))
            g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{plan['media_type']}")))
            if formats.get(plan["format"]):
                g.add((dist, DCTERMS.format, URIRef(f"{EU}file-type/{formats[plan['format']]}")))
            if plan["kind"] == "file":
                url = URIRef(f"{base}/api/v1/files/{plan['id']}")
                g.add((dist, DCAT.downloadURL, url))
                g.add((dist, DCAT.accessURL, url))
            else:
                g.add((dist, DCAT.accessURL, URIRef(plan["endpoint_url"])))
            if entry.get("license_id") in LICENSES:
                g.add((dist, DCTERMS.license, URIRef(LICENSES[entry["license_id"]])))
    return g.serialize(format="turtle").encode("utf-8")


__all__ = ["render_page", "feed_entries"]
