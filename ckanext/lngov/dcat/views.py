"""The open catalog's endpoints (docs/dcat.md).

  /catalog.{ttl,rdf,jsonld,nt}          a page of the catalog (Hydra), ?page= &modified_since=
  /catalog/dump.{ttl,rdf,jsonld,nt}     the whole catalog, a static file (Last-Modified)
  /dataset/<id>.{ttl,rdf,jsonld,nt}     one dataset
  /dataset/<id>, /                      the same, by content negotiation (Accept)
  /dataset/<id>/tableschema.json        the data items as a CSVW table schema (JSON-LD)
  /vocab/<scheme>[/<code>][.<fmt>]      the portal's SKOS concept schemes

ckanext-dcat's `/catalog.<fmt>` and `/dataset/<id>.<fmt>` rules are the same; these are
registered first (lngov precedes dcat in ckan.plugins), so they answer: with N-Triples
as well, only public entries, and errors as 400/404, never a 500.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, make_response, request, send_file
from werkzeug.wsgi import FileWrapper

import ckan.plugins.toolkit as tk
from ckan.views.dataset import read as dataset_read
from ckanext.dcat.utils import parse_accept_header

from ckanext.lngov.dcat import catalog, dump, public, vocab, writers
from ckanext.lngov.dcat.profile import table_schema_triples

blueprint = Blueprint("lngov_dcat", __name__)


def accepted_format() -> str | None:
    """The RDF format the Accept header asks for, if it prefers one over HTML."""
    accept = request.headers.get("Accept", "")
    best = request.accept_mimetypes.best_match(["text/html", *writers.ACCEPT])
    if best in writers.ACCEPT and request.accept_mimetypes[best] > \
            request.accept_mimetypes["text/html"]:
        return writers.ACCEPT[best]
    found = parse_accept_header(accept)
    return writers.normal_format(found) if found else None


def _rdf(body: str, fmt: str) -> Response:
    response = make_response(body)
    response.headers["Content-Type"] = writers.CONTENT_TYPES[fmt]
    response.headers["Vary"] = "Accept"
    return response


def _format_or_404(_format: str) -> str:
    fmt = writers.normal_format(_format)
    if not fmt:
        tk.abort(404, tk._("Unknown format: use ttl, rdf, jsonld or nt"))
    return fmt


def _page() -> int:
    try:
        return int(request.args.get("page") or 1)
    except ValueError:
        raise catalog.BadRequest("page: a positive integer")


def _catalog(fmt: str) -> Response:
    try:
        body = catalog.catalog_page(fmt, _page(), request.args.get("modified_since"),
                                    url=request.base_url)
    except catalog.BadRequest as e:
        return tk.abort(400, str(e))
    return _rdf(body, fmt)


def read_catalog(_format: str):
    return _catalog(_format_or_404(_format))


def home_page() -> str:
    """The home page (templates/home/index.html, its figures from pages/stats.py). CKAN's own
    view would first run a faceted package_search (sorted by views, with every facet of the
    search page, the freshness count included) whose results and facets the portal's home
    page never shows; of that view only the reminder to signed-in users without an e-mail
    address is kept."""
    from ckan.common import current_user

    if current_user.is_authenticated and not current_user.email:
        url = tk.h.url_for("user.edit")
        msg = tk._('Please <a href="%s">update your profile</a>'
                   " and add your email address. ") % url + \
            tk._("%s uses your email address"
                 " if you need to reset your password.") % tk.config.get("ckan.site_title")
        tk.h.flash_notice(msg, allow_html=True)
    return tk.render("home/index.html", extra_vars={})


def home():
    fmt = accepted_format()
    return _catalog(fmt) if fmt else home_page()


def _dataset(_id: str, fmt: str) -> Response:
    try:
        return _rdf(catalog.dataset_document(_id, fmt), fmt)
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))


def read_dataset(_id: str, _format: str):
    return _dataset(_id, _format_or_404(_format))


def dataset(_id: str):
    fmt = accepted_format()
    return _dataset(_id, fmt) if fmt else dataset_read("dataset", _id)


def table_schema(_id: str):
    rows = catalog.find(_id)
    entry = catalog.indexed([rows[0]["id"]]).get(rows[0]["id"]) if rows else None
    if not entry or not entry.get("data_items"):
        return tk.abort(404, tk._("Dataset not found"))
    triples = writers.encode(table_schema_triples(public.public_fields(entry)))
    response = _rdf(writers.serialize("jsonld", triples), "jsonld")
    return response


def read_dump(_format: str):
    fmt = _format_or_404(_format)
    target = dump.path(fmt)
    if not target.exists():
        dump.schedule(urgent=True, now=True)
        return tk.abort(503, tk._("The catalog dump is being prepared; try again shortly"))
    if request.environ.get("wsgi.file_wrapper") in (None, FileWrapper):
        # Without a server's own file wrapper (uWSGI's sends the file with sendfile),
        # read the file in 1 MiB blocks rather than werkzeug's 8 KiB.
        request.environ["wsgi.file_wrapper"] = _large_blocks
    return send_file(target, mimetype=writers.CONTENT_TYPES[fmt].split(";")[0],
                     conditional=True, etag=True, max_age=60,
                     download_name=f"catalog.{fmt}")


def _large_blocks(file: Any, buffer_size: int = 8192) -> FileWrapper:
    return FileWrapper(file, max(buffer_size, 1 << 20))


def _vocab(triples: list[tuple] | None, fmt: str | None) -> Any:
    if triples is None or not fmt:
        return tk.abort(404, tk._("Not found"))
    return _rdf(writers.serialize(fmt, writers.encode(triples)), fmt)


def _split(segment: str) -> tuple[str, str | None]:
    """("base-01", "ttl") of "base-01.ttl"; the format from Accept (Turtle by default)."""
    name, dot, ext = segment.rpartition(".")
    if dot:
        return name, writers.normal_format(ext)
    return segment, accepted_format() or "ttl"


def scheme(scheme: str):
    name, fmt = _split(scheme)
    return _vocab(list(vocab.scheme_triples(name)) if name in vocab.SCHEMES else None, fmt)


def concept(scheme: str, code: str):
    name, fmt = _split(code)
    return _vocab(vocab.single_concept_triples(scheme, name), fmt)


blueprint.add_url_rule("/catalog.<_format>", view_func=read_catalog)
blueprint.add_url_rule("/catalog/dump.<_format>", view_func=read_dump)
blueprint.add_url_rule("/dataset/<_id>.<_format>", view_func=read_dataset)
blueprint.add_url_rule("/dataset/<_id>/tableschema.json", view_func=table_schema)
blueprint.add_url_rule("/vocab/<scheme>", view_func=scheme)
blueprint.add_url_rule("/vocab/<scheme>/<code>", view_func=concept)
# Content negotiation on the catalog's and the datasets' own URLs.
blueprint.add_url_rule("/", view_func=home)
blueprint.add_url_rule("/dataset/<_id>", view_func=dataset)


def get_blueprints() -> list[Blueprint]:
    return [blueprint]
