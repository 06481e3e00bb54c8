"""The open catalog as RDF: pages of it, one dataset, the whole of it in chunks.

What dominates ckanext-dcat's stock catalog is building each dataset's rdflib graph with
the profile and serializing the page's graph (docs/performance.md). Here each public
dataset's triples are built once by the profile and cached in Redis, keyed by a digest of
everything they are made of: the dataset as indexed (Solr's validated dict, which holds
no department-only field), its department's public fields, the public entries its related
codes name, the profile's version and the site URL. A changed entry, department or
relation has a new key, so a stale triple can never be served; the after_dataset_* hooks
drop the old key only to free memory. Only public entries are searched (public.PUBLIC_FQ
with +capacity:public +state:active), so a non-public entry is never read, let alone
served. Pages are written by writers.py from the cached triples.
"""
from __future__ import annotations

import functools
import hashlib
import json
import math
import zlib
from types import SimpleNamespace
from typing import Any, Iterator

from dateutil.parser import parse as parse_date
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles import DCAT
from ckanext.dcat.utils import catalog_uri, dataset_uri

from ckanext.lngov.catalog import codes
from ckanext.lngov.dcat import public, writers
from ckanext.lngov.dcat.profile import LngovDCATAP3Profile

PROFILE = "lngov_dcat_ap_3"
# Bump when the mapping changes: every cached dataset is then rebuilt on its next read.
PROFILE_VERSION = "2"
CACHE_PREFIX = "lngov:dcat:v" + PROFILE_VERSION + ":"
PAGE_SIZE = 100


class BadRequest(ValueError):
    """A parameter of the request is wrong (the views answer 400, never 500)."""


def page_size() -> int:
    return int(tk.config.get("ckanext.dcat.datasets_per_page") or PAGE_SIZE)


def _modified_fq(modified_since: str | None) -> str:
    if not modified_since:
        return ""
    try:
        since = parse_date(modified_since)
    except (ValueError, OverflowError, TypeError):
        raise BadRequest("modified_since: use an ISO 8601 date or date and time")
    if since.tzinfo is not None:
        since = since.astimezone(tz=None).replace(tzinfo=None)  # Solr keeps UTC, naive
    return f" +metadata_modified:[{since.isoformat()}Z TO *]"


def _search(fq: str, start: int, rows: int, sort: str, fl: list[str]) -> dict[str, Any]:
    return tk.get_action("package_search")(
        {"ignore_auth": True},
        {"q": "*:*", "fq": public.PUBLIC_FQ + fq, "start": start, "rows": rows,
         "sort": sort, "fl": fl,
         "include_private": False, "include_drafts": False, "include_deleted": False})


def search(start: int, rows: int, fq: str = "", sort: str = "metadata_modified desc"
           ) -> tuple[int, list[dict[str, str]]]:
    """(count, [{"id", "version"}]) of public entries only, in order.

    Solr's `_version_` of a document changes whenever the entry is indexed again, which
    every change to it causes: with the id it names the indexed dict without reading it.
    """
    result = _search(fq, start, rows, sort, ["id", "_version_"])
    return result["count"], [{"id": r["id"], "version": str(r["_version_"])}
                             for r in result["results"]]


def indexed(ids: list[str]) -> dict[str, dict[str, Any]]:
    """The public entries with these ids, as indexed (no department-only field)."""
    if not ids:
        return {}
    result = _search(" +id:(" + " OR ".join(f'"{i}"' for i in ids) + ")", 0, len(ids),
                     "id asc", ["id", "validated_data_dict"])
    found = {}
    for row in result["results"]:
        entry = json.loads(row.get("validated_data_dict") or "{}")
        if entry and codes.is_public(entry):  # the index said so; the dict must agree
            found[row["id"]] = entry
    return found


# --- each dataset's fragments, cached -------------------------------------------------

class DatasetFragments:
    """Each public dataset written in each format, from the cache or built by the profile.

    Building (the profile's rdflib graph) is what costs; when a dataset is built, all four
    formats are written and cached together, and a page reads only its own format's.
    """

    def __init__(self) -> None:
        self.redis = connect_to_redis()
        self._profile: LngovDCATAP3Profile | None = None
        self.built = 0

    def triples(self, entry: dict[str, Any]) -> list:
        """The entry's triples, built by the profile (entry has its public context)."""
        if self._profile is None:
            self._profile = LngovDCATAP3Profile(Graph())
        g = self._profile.g = Graph()
        ref = URIRef(dataset_uri(entry))
        self._profile.graph_from_dataset(entry, ref)
        # The dataset first, then its distributions and the rest: readable documents.
        order = {str(ref): 0}
        for distribution in g.objects(ref, DCAT.distribution):
            order[str(distribution)] = 1
        triples = sorted(g, key=lambda t: (order.get(str(t[0]), 2), str(t[0]),
                                           t[1] != RDF.type, str(t[1]), str(t[2])))
        self.built += 1
        return writers.encode(triples)

    def of(self, rows: list[dict[str, str]], formats: tuple[str, ...]) -> dict[str, list[str]]:
        """{format: [each row's fragment, in order]} for rows of search()."""
        out: dict[str, list[str]] = {fmt: [] for fmt in formats}
        if not rows:
            return out
        contexts = public.context_for_ids([r["id"] for r in rows])
        site = catalog_uri()
        keys = []
        for row in rows:
            digest = hashlib.sha1(f"{site} {row['id']} {row['version']} ".encode())
            digest.update(json.dumps(contexts.get(row["id"]), sort_keys=True).encode())
            keys.append(CACHE_PREFIX + digest.hexdigest())
        cached = self.redis.mget([f"{key}:{fmt}" for key in keys for fmt in formats])
        n = len(formats)
        missing = [row["id"] for i, row in enumerate(rows)
                   if any(blob is None for blob in cached[i * n:(i + 1) * n])]
        entries = indexed(missing)
        fresh: dict[str, Any] = {}
        for i, (key, row) in enumerate(zip(keys, rows)):
            blobs = cached[i * n:(i + 1) * n]
            if row["id"] not in missing:
                for fmt, blob in zip(formats, blobs):
                    out[fmt].append(zlib.decompress(blob).decode("utf-8"))
                continue
            entry = entries.get(row["id"])
            if entry is None or row["id"] not in contexts:
                continue  # no longer public since the page was searched
            triples = self.triples(dict(entry, **{public.CONTEXT_KEY: contexts[row["id"]]}))
            for fmt in writers.EXTENSIONS:
                text = writers.writer(fmt).chunk(triples)
                fresh[f"{key}:{fmt}"] = zlib.compress(text.encode("utf-8"), 1)
                if fmt in out:
                    out[fmt].append(text)
            fresh["lngov:dcat:key:" + row["id"]] = key
        if fresh:
            pipe = self.redis.pipeline(transaction=False)
            for name, value in fresh.items():
                pipe.set(name, value, ex=tk.config.get("ckanext.lngov.dcat.cache_seconds"))
            pipe.execute()
        return out


def forget(package_id: str) -> None:
    """Drops an entry's cached fragments (memory only: keys are content digests)."""
    redis = connect_to_redis()
    pointer = "lngov:dcat:key:" + package_id
    key = redis.get(pointer)
    if key:
        key = key.decode() if isinstance(key, bytes) else key
        redis.delete(pointer, *(f"{key}:{fmt}" for fmt in writers.EXTENSIONS))


# --- the catalog record and Hydra paging ------------------------------------------------

@functools.lru_cache(maxsize=8)
def _catalog_record(site: str, modified: str | None) -> tuple:
    serializer = RDFSerializer(profiles=[PROFILE])
    serializer.graph_from_catalog({"modified": modified} if modified else None)
    return tuple(map(tuple, writers.encode(serializer.g)))


def catalog_triples(modified: str | None, paging: dict[str, Any] | None,
                    dataset_ids: list[str]) -> list:
    """The catalog record, the page's Hydra collection and its dcat:dataset links."""
    site = catalog_uri()
    triples = list(_catalog_record(site, modified))
    extra = Graph()
    if paging:
        # ckanext-dcat's own Hydra writer, on a graph of ours.
        RDFSerializer._add_pagination_triples(SimpleNamespace(g=extra), paging)
    for package_id in dataset_ids:
        extra.add((URIRef(site), DCAT.dataset, URIRef(dataset_uri({"id": package_id}))))
    return triples + writers.encode(extra)


def last_modified() -> str | None:
    """When a public entry last changed: the catalog's dct:modified."""
    result = _search("", 0, 1, "metadata_modified desc", ["metadata_modified"])
    return result["results"][0]["metadata_modified"] if result["results"] else None


def paging_info(count: int, page: int, url: str, params: dict[str, str]) -> dict[str, Any]:
    """Hydra PagedCollection of the page (the keys ckanext-dcat's serializer writes)."""
    if not count:
        return {}
    size = page_size()
    last = max(1, math.ceil(count / size))

    def page_url(n: int) -> str:
        query = "&".join(f"{k}={v}" for k, v in params.items() if v)
        return f"{url}?{query + '&' if query else ''}page={n}"

    info = {"count": count, "items_per_page": size, "current": page_url(page),
            "first": page_url(1), "last": page_url(last)}
    if page > 1:
        info["previous"] = page_url(min(page - 1, last))
    if page < last:
        info["next"] = page_url(page + 1)
    return info


def catalog_page(fmt: str, page: int = 1, modified_since: str | None = None,
                 url: str | None = None) -> str:
    """One page of the catalog, in Hydra paging, in fmt (ttl, rdf, jsonld, nt)."""
    if page < 1:
        raise BadRequest("page: a positive integer")
    size = page_size()
    count, rows = search(size * (page - 1), size, _modified_fq(modified_since))
    url = url or catalog_uri().rstrip("/") + "/catalog." + fmt
    head = catalog_triples(last_modified(), paging_info(
        count, page, url, {"modified_since": modified_since or ""}),
        [row["id"] for row in rows])
    return writers.document(fmt, [writers.writer(fmt).chunk(head),
                                  *DatasetFragments().of(rows, (fmt,))[fmt]])


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def find(id_or_name: str) -> list[dict[str, str]]:
    """The public entry with this id or name (empty if there is none)."""
    quoted = _quoted(id_or_name)
    _, rows = search(0, 1, f" +(id:{quoted} OR name:{quoted})")
    return rows


def dataset_document(id_or_name: str, fmt: str) -> str:
    rows = find(id_or_name)
    if not rows:
        raise tk.ObjectNotFound(id_or_name)
    return writers.document(fmt, DatasetFragments().of(rows, (fmt,))[fmt])


def all_fragments(chunk_size: int = 500) -> Iterator[dict[str, list[str]]]:
    """The whole public catalog, for the dump: {format: fragments}, chunk by chunk; the
    first chunk is the catalog record."""
    site = URIRef(catalog_uri())
    record = list(_catalog_record(str(site), last_modified()))
    yield {fmt: [writers.writer(fmt).chunk(record)] for fmt in writers.EXTENSIONS}
    fragments = DatasetFragments()
    after = ""
    while True:
        # Each chunk starts after the last id of the one before (start=0), not at an offset:
        # Solr collects start + rows documents for an offset, so offsets made the chunks'
        # searches grow with the catalog (quadratic in all).
        _, rows = search(0, chunk_size, f" +id:{{{_quoted(after)} TO *]" if after else "",
                         sort="id asc")
        if not rows:
            break
        links = writers.encode((site, DCAT.dataset, URIRef(dataset_uri({"id": r["id"]})))
                               for r in rows)
        found = fragments.of(rows, writers.EXTENSIONS)
        yield {fmt: ([writers.writer(fmt).chunk(links)] if links else []) + found[fmt]
               for fmt in writers.EXTENSIONS}
        if len(rows) < chunk_size:
            break
        after = rows[-1]["id"]
