"""How the portal serves what it did not write: no file ever runs as the portal.

The pages' policy (security.py) trusts scripts of the portal's own origin, and files come
from that same origin. So only the portal's own pages (HTML answers rendered from its
templates) keep that policy; every other answer carries `ckanext.lngov.files.csp`
(``sandbox; default-src 'none'``...): whatever a browser makes of it, it runs no script,
loads nothing, submits no form and has no origin of the portal's (a sandbox without
allow-same-origin). API answers, RDF, feeds, assets and HTML not made from a template (a
view's raw output, a redirect's body) lose nothing by it: a policy binds only a document
shown from that answer.

A *file* (bytes someone else made: a resource's upload or harvested copy, a department's or
user's uploaded image, the catalog dump, the DataStore's dumps, the harvest's copy of a
platform document) is served by its type, one declared rule for all:

* a type of `ckanext.lngov.files.inline_types` (text, CSV, JSON, Turtle, raster images,
  audio and video: what a browser shows inertly) keeps its type and may be shown;
* a type of `ckanext.lngov.files.attachment_types` (PDF, office documents, archives: what a
  browser hands to another program) keeps its type and is sent as an attachment;
* any other type (HTML, SVG, XML, JavaScript, and whatever is not listed) is sent as
  ``application/octet-stream``, ``Content-Disposition: attachment``; a view that shows such
  content for reading (PREVIEWS) shows it as ``text/plain``.

With ``X-Content-Type-Options: nosniff`` (security.py) no browser guesses otherwise: a
``<script src>`` of the portal's pages runs only what is served as JavaScript, which no file
ever is. Behind the caching front nginx sends the file itself (accel.py) and passes these
headers on (config/nginx/front.conf, the storage location).

This hook runs after Flask-Talisman's, which sets the pages' policy on every answer (it is
installed after the blueprints), and before accel.py's, which takes X-Sendfile away: its
blueprint is registered after accel's (plugin.py).
"""
from __future__ import annotations

import codecs
from typing import Any

from flask import Blueprint, g, request, template_rendered
from werkzeug.http import parse_options_header

import ckan.plugins.toolkit as tk

blueprint = Blueprint("lngov_file_policy", __name__)

SAFE_TYPE = "application/octet-stream"
TEXT_TYPE = "text/plain; charset=utf-8"
# Views that show foreign content for reading (ckanext-harvest's harvest object: the
# platform's document as it came).
PREVIEWS = frozenset({"harvester.object_show"})
# The portal's own code, styles and images (versioned assets; the public folders of CKAN and
# the extensions, except the uploads that CKAN serves from there too).
ASSET_ENDPOINTS = frozenset({"webassets.index", "static"})
UPLOADS_PREFIX = "/uploads/"


def policy() -> str:
    return tk.config.get("ckanext.lngov.files.csp")


def _types(option: str) -> frozenset[str]:
    return frozenset(t.lower() for t in tk.aslist(tk.config.get(option)))


def inline_types() -> frozenset[str]:
    return _types("ckanext.lngov.files.inline_types")


def passive_types() -> frozenset[str]:
    """Types a file keeps: those shown inline and those sent as attachments."""
    return inline_types() | _types("ckanext.lngov.files.attachment_types")


def served_as(media_type: str, preview: bool = False) -> tuple[str | None, bool]:
    """(the type to send instead, or None to keep it; whether it must be an attachment)."""
    media_type = (media_type or "").split(";")[0].strip().lower()
    if media_type in inline_types():
        return None, False
    if media_type in passive_types():
        return None, True
    return (TEXT_TYPE, False) if preview else (SAFE_TYPE, True)


def is_file(response: Any, endpoint: str | None = None, path: str | None = None) -> bool:
    """Whether the answer holds bytes that someone else made rather than a page of the
    portal: anything sent as a file (X-Sendfile, X-Accel-Redirect, a streamed body), named as
    a download (Content-Disposition), or shown by a preview view."""
    endpoint = request.endpoint if endpoint is None else endpoint
    path = request.path if path is None else path
    if endpoint in PREVIEWS:
        return True
    if endpoint in ASSET_ENDPOINTS and not path.startswith(UPLOADS_PREFIX):
        return False
    headers = response.headers
    return bool(headers.get("X-Sendfile") or headers.get("X-Accel-Redirect")
                or headers.get("Content-Disposition") or response.direct_passthrough)


def _filename(response: Any) -> str | None:
    _, options = parse_options_header(response.headers.get("Content-Disposition", ""))
    return options.get("filename") or (request.view_args or {}).get("filename")


def _charset(path: str | None) -> str | None:
    """UTF-8 or GB18030 (what Chinese Windows writes) for a text file that names none, judged
    by its first 64 KiB: a browser would read it as Latin-1 otherwise."""
    if not path:
        return None
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16)
    except OSError:
        return None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)   # a cut last character is fine
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def as_file(response: Any, preview: bool = False) -> Any:
    """The file's policy, type and disposition (served_as)."""
    response.headers["Content-Security-Policy"] = policy()
    replacement, attachment = served_as(response.mimetype, preview)
    if replacement:
        response.headers["Content-Type"] = replacement
    elif response.mimetype.startswith("text/") and "charset" not in response.mimetype_params:
        charset = _charset(response.headers.get("X-Sendfile"))
        if charset:
            response.headers["Content-Type"] = f"{response.mimetype}; charset={charset}"
    disposition = response.headers.get("Content-Disposition", "")
    if attachment and not disposition.lower().startswith("attachment"):
        filename = _filename(response)
        if filename:
            response.headers.set("Content-Disposition", "attachment", filename=filename)
        else:
            response.headers["Content-Disposition"] = "attachment"
    elif preview and not attachment:
        response.headers.pop("Content-Disposition", None)
    return response


def _rendered(sender: Any, template: Any, context: Any, **extra: Any) -> None:
    g.lngov_page = True


template_rendered.connect(_rendered)


def is_page(response: Any) -> bool:
    """An HTML answer made from one of the portal's templates."""
    return response.mimetype == "text/html" and bool(g.get("lngov_page"))


@blueprint.after_app_request
def confine(response):
    if is_file(response):
        return as_file(response, preview=request.endpoint in PREVIEWS)
    if not is_page(response):
        response.headers["Content-Security-Policy"] = policy()
    return response


def problems(config: Any) -> list[str]:
    """What in the configuration would let a file run (contracts.py)."""
    found = []
    csp = [d.strip().split() for d in str(config.get("ckanext.lngov.files.csp") or "").split(";")]
    directives = {d[0].lower(): d[1:] for d in csp if d}
    if "sandbox" not in directives or any(
            v in ("allow-scripts", "allow-same-origin") for v in directives["sandbox"]):
        found.append("ckanext.lngov.files.csp must sandbox files (sandbox, without "
                     "allow-scripts or allow-same-origin)")
    if directives.get("default-src") != ["'none'"]:
        found.append("ckanext.lngov.files.csp must say default-src 'none': a file loads nothing")
    active = [t for t in tk.aslist(config.get("ckanext.lngov.files.inline_types"))
              + tk.aslist(config.get("ckanext.lngov.files.attachment_types"))
              if _active(t.lower())]
    if active:
        found.append("ckanext.lngov.files.inline_types and attachment_types must list only "
                     f"passive types; these can run in a browser: {' '.join(active)}")
    return found


def _active(media_type: str) -> bool:
    """Types a browser may render as a document with scripts, or run as a script."""
    return (media_type in ("text/html", "application/xhtml+xml", "image/svg+xml")
            or media_type.endswith(("/xml", "+xml")) or "javascript" in media_type
            or "ecmascript" in media_type or media_type.startswith("multipart/")
            or media_type in ("text/xsl", "application/x-shockwave-flash"))
