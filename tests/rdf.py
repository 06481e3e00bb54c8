"""Helpers of the DCAT tests: fetch and parse the portal's RDF, validate it with pySHACL
against the official DCAT-AP 3.0.1 shapes, run the catalog dump's background jobs.

The shapes and the EU tables are read from ../shared/standards (never copied here).
"""
from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import pyshacl
from rdflib import BNode, Graph
from rdflib.namespace import RDF, SH

from ckan.lib import jobs

STANDARDS = Path(__file__).resolve().parents[2] / "shared" / "standards"
SHAPES = STANDARDS / "dcat-ap-3.0.1"
EU_TABLES = STANDARDS / "eu-vocabularies"
HYDRA = "http://www.w3.org/ns/hydra/core#"
FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld", "nt": "nt"}
MEDIA = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "jsonld": "application/ld+json",
         "nt": "application/n-triples"}
# mdr-vocabularies.shape.ttl is the DCAT-AP 2.1.1 file of vocabulary shapes. Its
# Checksum_ShapeCV wants the checksum algorithm to match "^https://spdx.org/rdf/terms",
# while SPDX's namespace, and DCAT-AP 3.0.1's own shapes (sh:class spdx:ChecksumAlgorithm),
# are http://spdx.org/rdf/terms#: it is not an EU table, and it is left out (docs/dcat.md).
MDR_LEFT_OUT = ("http://data.europa.eu/r5r#Checksum_ShapeCV",)


def parse(body: bytes | str, fmt: str) -> Graph:
    return Graph().parse(data=body, format=FORMATS[fmt])


def get_graph(app, path: str, fmt: str, **kwargs) -> Graph:
    response = app.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    assert response.headers["Content-Type"].startswith(MEDIA[fmt]), response.headers
    return parse(response.data, fmt)


def shape_of(graph: Graph) -> tuple:
    """What two serializations of one graph share: the triples without blank nodes, and
    how many triples each predicate has (blank nodes are renamed by parsers). Hydra's
    paging nodes, which name the page's own URL, are left out."""
    plain, counts = set(), Counter()
    for s, p, o in graph:
        if str(p).startswith(HYDRA) or str(s).split("?")[0].endswith(tuple(FORMATS)):
            continue
        counts[p] += 1
        if not isinstance(s, BNode) and not isinstance(o, BNode):
            plain.add((s, p, o))
    return plain, counts


@functools.lru_cache(maxsize=None)
def _main_shapes() -> Graph:
    shapes = Graph().parse(SHAPES / "dcat-ap-SHACL.ttl").parse(SHAPES / "ranges.ttl")
    # ranges.ttl (3.0.1) lists 5 property shapes that no file of the release defines;
    # pySHACL refuses a dangling sh:property, so those references are dropped.
    for shape, prop in list(shapes.subject_objects(SH.property)):
        if (prop, None, None) not in shapes:
            shapes.remove((shape, SH.property, prop))
    return shapes


@functools.lru_cache(maxsize=None)
def _shapes(name: str) -> Graph:
    shapes = Graph().parse(SHAPES / name)
    for left_out in MDR_LEFT_OUT:
        for s, p, o in list(shapes.triples((None, None, None))):
            if str(s) == left_out:
                shapes.remove((s, p, o))
    return shapes


@functools.lru_cache(maxsize=None)
def eu_tables() -> Graph:
    g = Graph()
    for name in ("frequency", "access-right", "file-type", "data-theme", "language"):
        g.parse(EU_TABLES / f"{name}.rdf", format="xml")
    return g


def _results(data: Graph, shapes: Graph) -> Counter:
    """(severity, path, source constraint) -> count of the report's top-level results."""
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, allow_warnings=True)
    found: Counter = Counter()
    top = next(report.subjects(RDF.type, SH.ValidationReport))
    for result in report.objects(top, SH.result):
        found[(report.value(result, SH.resultSeverity).split("#")[-1],
               str(report.value(result, SH.resultPath)),
               str(report.value(result, SH.resultMessage))[:120])] += 1
    return found


def validate_dcat_ap(data: Graph) -> Counter:
    """dcat-ap-SHACL.ttl with ranges.ttl."""
    return _results(data, _main_shapes())


def validate_recommended(data: Graph) -> Counter:
    return _results(data, _shapes("shapes_recommended.ttl"))


def validate_vocabularies(data: Graph) -> Counter:
    """mdr-vocabularies.shape.ttl, with the EU tables merged into the data (their README)."""
    merged = Graph()
    for triple in data:
        merged.add(triple)
    for triple in eu_tables():
        merged.add(triple)
    return _results(merged, _shapes("mdr-vocabularies.shape.ttl"))


def severities(results: Counter, severity: str) -> Counter:
    return Counter({k: v for k, v in results.items() if k[0] == severity})


def dump_jobs() -> list:
    """The catalog dump jobs waiting, on every queue of the portal's worker."""
    from ckanext.lngov import worker

    return [job for name in worker.QUEUES for job in jobs.get_queue(name).jobs
            if job.func_name.endswith("dump.run_job")]


def clear_jobs() -> None:
    """Nothing queued on the worker's queues, no dump flagged as waiting."""
    from ckan.lib.redis import connect_to_redis

    from ckanext.lngov import worker
    from ckanext.lngov.dcat import dump

    for name in worker.QUEUES:
        jobs.get_queue(name).empty()
    connect_to_redis().delete(dump.PENDING, f"{dump.PENDING}:{worker.LATER}")


def run_jobs() -> int:
    """Runs the queued catalog dump jobs in this process, as the RQ worker would."""
    done = 0
    for job in dump_jobs():
        jobs.get_queue(jobs.remove_queue_name_prefix(job.origin)).remove(job)
        job.perform()
        done += 1
    return done
