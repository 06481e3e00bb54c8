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

import hashlib
import json
import math
import zlib
from typing import Any, Iterator

from dateutil.parser import parse as parse_date
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles import DCAT
from ckanext.dcat.utils import catalog_uri, dataset_uri

from ckanext.lngov.dcat import public, writers
from ckanext.lngov.dcat.profile import LngovDCATAP3Profile

PROFILE = "lngov_dcat_ap_3"
# Bump when the mapping changes: every cached dataset is then rebuilt on its next read.
PROFILE_VERSION = "1"
CACHE_PREFIX = "lngov:dcat:v" + PROFILE_VERSION + ":"
CACHE_SECONDS = 30 * 24 * 3600
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


def search(start: int, rows: int, fq: str = "", sort: str = "metadata_modified desc"
           ) -> tuple[int, list[tuple[str, dict[str, Any]]]]:
    """(count, [(indexed json, entry)]) of public entries only."""
    result = tk.get_action("package_search")(
        {"ignore_auth": True},
        {"q": "*:*", "fq": public.PUBLIC_FQ + fq, "start": start, "rows": rows,
         "sort": sort, "fl": ["id", "validated_data_dict"],
         "include_private": False, "include_drafts": False, "include_deleted": False})
    found = []
    for row in result["results"]:
        raw = row.get("validated_data_dict")
        if raw:
            entry = json.loads(raw)
            if public.is_public(entry):  # the index said so; the dict must agree
                found.append((raw, entry))
    return result["count"], found


# --- each dataset's triples, cached ---------------------------------------------------

class DatasetTriples:
    """Encoded triples of public entries, from the cache or built by the profile."""

    def __init__(self) -> None:
        self.redis = connect_to_redis()
        self._profile: LngovDCATAP3Profile | None = None
        self.built = 0

    def _build(self, entry: dict[str, Any]) -> list:
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

    def of(self, rows: list[tuple[str, dict[str, Any]]]) -> list[list]:
        if not rows:
            return []
        contexts = public.context_for([entry for _, entry in rows])
        site = catalog_uri()
        keys = []
        for (raw, entry), found in zip(rows, contexts):
            digest = hashlib.sha1(raw.encode("utf-8"))
            digest.update(json.dumps([site, found], sort_keys=True).encode("utf-8"))
            keys.append(CACHE_PREFIX + digest.hexdigest())
        cached = self.redis.mget(keys)
        out, fresh = [], {}
        for key, blob, (raw, entry), found in zip(keys, cached, rows, contexts):
            if blob is not None:
                out.append(json.loads(zlib.decompress(blob)))
                continue
            triples = self._build(dict(entry, **{public.CONTEXT_KEY: found}))
            fresh[key] = zlib.compress(json.dumps(triples, ensure_ascii=False).encode("utf-8"), 1)
            fresh["lngov:dcat:key:" + entry["id"]] = key
            out.append(triples)
        if fresh:
            pipe = self.redis.pipeline(transaction=False)
            for key, value in fresh.items():
                pipe.set(key, value, ex=CACHE_SECONDS)
            pipe.execute()
        return out


def forget(package_id: str) -> None:
    """Drops an entry's cached triples (memory only: keys are content digests)."""
    redis = connect_to_redis()
    pointer = "lngov:dcat:key:" + package_id
    key = redis.get(pointer)
    if key:
        redis.delete(key.decode() if isinstance(key, bytes) else key, pointer)


# --- the catalog record and Hydra paging ------------------------------------------------

def catalog_triples(modified: str | None, paging: dict[str, Any] | None,
                    dataset_ids: list[str]) -> list:
    serializer = RDFSerializer(profiles=[PROFILE])
    ref = serializer.graph_from_catalog({"modified": modified} if modified else None)
    if paging:
        serializer._add_pagination_triples(paging)
    for package_id in dataset_ids:
        serializer.g.add((ref, DCAT.dataset, URIRef(dataset_uri({"id": package_id}))))
    return writers.encode(serializer.g)


def last_modified() -> str | None:
    _, rows = search(0, 1)
    return rows[0][1].get("metadata_modified") if rows else None


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
    modified = rows[0][1].get("metadata_modified") if page == 1 and not modified_since \
        and rows else last_modified()
    url = url or catalog_uri().rstrip("/") + "/catalog." + fmt
    head = catalog_triples(modified, paging_info(
        count, page, url, {"modified_since": modified_since or ""}),
        [entry["id"] for _, entry in rows])
    return "".join(writers.write(fmt, [head, *DatasetTriples().of(rows)]))


def find(id_or_name: str) -> list[tuple[str, dict[str, Any]]]:
    """The public entry with this id or name (empty if there is none)."""
    quoted = '"' + id_or_name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    _, rows = search(0, 1, f" +(id:{quoted} OR name:{quoted})")
    return rows


def dataset_document(id_or_name: str, fmt: str) -> str:
    rows = find(id_or_name)
    if not rows:
        raise tk.ObjectNotFound(id_or_name)
    return writers.serialize(fmt, DatasetTriples().of(rows)[0])


def all_chunks(chunk_size: int = 500) -> Iterator[list]:
    """The whole public catalog: the catalog record, then chunks of datasets' triples."""
    yield catalog_triples(last_modified(), None, [])
    cache = DatasetTriples()
    start = 0
    site = URIRef(catalog_uri())
    while True:
        count, rows = search(start, chunk_size, sort="id asc")
        links = writers.encode((site, DCAT.dataset, URIRef(dataset_uri({"id": e["id"]})))
                               for _, e in rows)
        triples = [t for dataset in cache.of(rows) for t in dataset]
        yield links + triples
        start += chunk_size
        if start >= count:
            break
