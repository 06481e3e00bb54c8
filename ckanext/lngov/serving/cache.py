"""The caching front (nginx, scripts/front.sh): what it may keep, and when all it keeps is out
of date.

**What it keeps.** CKAN decides, answer by answer: a GET or HEAD of an anonymous visitor (no
user, no API token) to a public page, a safe read of the Action API, a DCAT page or a static
asset, answered 200 (or 404, for a shorter time), gets ``X-Accel-Expires`` (nginx keeps it
that many seconds and hides the header) and loses any ``Set-Cookie`` (an anonymous page must
not hand one visitor's session to the next). Every other answer has no ``X-Accel-Expires``
and CKAN's own ``Cache-Control: private`` / ``max-age=0``, so nginx does not keep it. nginx
itself never answers from its cache a request that carries CKAN's session or remember-me
cookie or an API token: signed-in visitors always reach CKAN.

**When it is out of date.** The front's cache key starts with the *generation*: the content
of a small file (``ckanext.lngov.cache.generation_file``, in the storage that the web nodes and
the front share), which nginx reads on every request. Every change that can alter a cached
answer gives it a new value after the change is committed, so the next request of any page
misses and gets the new state: the whole cache is out of date at once, nothing is deleted
(old entries age out). A request that read the old state while the change was committed is
kept under the old generation, which no later request asks for. The changes: datasets,
resources, departments and their memberships (CKAN's IPackageController, IResourceController
and IOrganizationController hooks, and any flush or bulk statement touching their tables,
whatever the action, the harvester or a command did), and the DataStore's tables (its
create, upsert and delete actions).
"""
from __future__ import annotations

import logging
import os
import tempfile
import threading
import uuid
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from flask import Blueprint, request

import ckan.plugins.toolkit as tk
from ckan import model

log = logging.getLogger(__name__)
blueprint = Blueprint("lngov_cache", __name__)

HEADER = "X-Accel-Expires"
_DIRTY = "lngov_cache_dirty"
_SOON = "lngov_cache_soon"

# Anonymous pages the front may keep (Flask endpoints; an endpoint not listed is never kept).
PAGE_ENDPOINTS = frozenset({
    "home.index", "home.about", "home.robots_txt",
    "dataset.search", "dataset.read", "dataset.resources", "dataset_resource.read",
    "resource.read", "activity.package_activity", "activity.organization_activity",
    "organization.index", "organization.read", "organization.about",
    "group.index", "group.read", "group.about",
    "lngov_dcat.home", "lngov_dcat.dataset", "lngov_dcat.read_catalog",
    "lngov_dcat.read_dataset", "lngov_dcat.table_schema", "lngov_dcat.scheme",
    "lngov_dcat.concept", "dcat.read_catalog", "dcat.read_dataset",
    "lngov_pages.developer", "lngov_pages.statistics", "lngov_pages.statistics_json",
    "lngov_pages.sitemap", "lngov_pages.privacy", "feeds.general", "feeds.organization",
    "feeds.group", "feeds.tag",
    "lngov_i18n.i18n_js_translations", "api.i18n_js_translations",
})
# Pages that answer HTML or RDF by the request's Accept header (content negotiation): their
# answers vary by Accept, which nginx then keeps apart (one variant per Accept value).
NEGOTIATED_ENDPOINTS = frozenset({"lngov_dcat.home", "lngov_dcat.dataset"})
# Static assets: versioned by webassets, or the extensions' public files.
STATIC_ENDPOINTS = frozenset({"webassets.index", "static"})
# Reads of the Action API that answer the same to every anonymous caller.
API_ACTIONS = frozenset({
    "package_search", "package_show", "package_list", "resource_show",
    "organization_list", "organization_show", "group_list", "group_show",
    "tag_list", "tag_show", "license_list", "status_show", "format_autocomplete",
    "datastore_search", "datastore_info",
    "dcat_catalog_show", "dcat_dataset_show", "dcat_catalog_search",
})
# What a change of these tables can alter in a cached answer (task_status: a file's table
# record, tables/status.py: screened, quarantined or released changes its page, its download
# button and its DCAT distribution; user_following_group: a department's follower count).
WATCHED_TABLES = frozenset({"package", "resource", "group", "member", "package_extra",
                            "package_tag", "tag", "package_member", "group_extra",
                            "package_relationship", "resource_view", "task_status",
                            "user_following_group"})


# --- what the front may keep ---------------------------------------------------------------

def _anonymous() -> bool:
    if request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key"):
        return False
    user = tk.current_user
    return user is None or bool(getattr(user, "is_anonymous", True))


def _seconds(endpoint: str, status: int) -> int | None:
    ttl = tk.config.get("ckanext.lngov.cache.ttl")
    if endpoint in STATIC_ENDPOINTS:
        return tk.config.get("ckanext.lngov.cache.static_ttl") if status == 200 else None
    if endpoint in PAGE_ENDPOINTS:
        pass
    elif endpoint == "api.action":
        if (request.view_args or {}).get("logic_function") not in API_ACTIONS:
            return None
    else:
        return None
    if status == 200:
        return ttl
    if status == 404:
        return min(ttl, 60)
    return None


@blueprint.after_app_request
def mark(response):
    """The answer's X-Accel-Expires, when the front may keep it."""
    if request.method in ("GET", "HEAD") and request.endpoint and _anonymous():
        seconds = _seconds(request.endpoint, response.status_code)
        if seconds:
            response.headers[HEADER] = str(seconds)
            if request.endpoint in NEGOTIATED_ENDPOINTS:
                response.vary.add("Accept")
    return response


def install(app: Any) -> Any:
    """Wraps the Flask app's WSGI callable: an answer the front may keep goes out without any
    Set-Cookie (the session is saved after the after-request hooks, so this is the last
    place to drop it)."""
    inner = app.wsgi_app

    def wsgi_app(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            if any(name == HEADER for name, _ in headers):
                headers = [(n, v) for n, v in headers if n.lower() != "set-cookie"]
            return start_response(status, headers, exc_info)
        return inner(environ, start)

    app.wsgi_app = wsgi_app
    return app


# --- when it is out of date ---------------------------------------------------------------

def generation_file() -> str | None:
    path = tk.config.get("ckanext.lngov.cache.generation_file")
    if path:
        return path
    storage = tk.config.get("ckan.storage_path")
    return os.path.join(storage, "lngov", "cache-generation") if storage else None


def generation() -> str | None:
    """The current generation ("" before the first change), or None without a file to keep it:
    what the portal's own in-process caches are keyed on, as the front's cache is."""
    path = generation_file()
    if not path:
        return None
    try:
        with open(path) as current:
            return current.read()
    except FileNotFoundError:
        return ""


def bump() -> None:
    """A new generation: every answer the front keeps is out of date from now on."""
    path = generation_file()
    if not path:
        return
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".generation-")
        with os.fdopen(fd, "w") as out:
            out.write(uuid.uuid4().hex)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError:
        # The front would go on serving what changed: this must not pass silently.
        log.exception("cache: could not write the generation file %s", path)
        raise


def changed(session: Any = None) -> None:
    """A change that affects cached answers is under way in SESSION (the ORM session): the
    generation is renewed when it is committed."""
    (session or model.Session()).info[_DIRTY] = True


def soon(session: Any = None) -> None:
    """The changes SESSION commits from now on (until the session is removed, as CKAN's worker
    does after each job) may stay in the cache a moment: the generation is renewed
    `index_delay` seconds after each commit (once for all commits meanwhile) rather than at
    once. For a run of background table loads: one renewal every few seconds,
    not one per table, so the front keeps its answers while a harvest's tables load; the
    window is the one a deferred Solr commit already has."""
    (session or model.Session()).info[_SOON] = True


def _watched(obj: Any) -> bool:
    table = getattr(getattr(obj, "__table__", None), "name", None)
    return table in WATCHED_TABLES


def _before_flush(session, flush_context, instances) -> None:
    if any(_watched(o) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info[_DIRTY] = True


def _orm_execute(state) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    mapper = state.bind_mapper
    if table in WATCHED_TABLES or (mapper is not None and _watched(mapper.class_)):
        state.session.info[_DIRTY] = True


_later = threading.Lock()
_pending: list[threading.Timer] = []


def bump_when_searchable() -> None:
    """Once more when Solr has made the change searchable: a write that defers Solr's commit
    (the harvester: ckan.search.solr_commit off, Solr's autoSoftCommit shows it within
    seconds) is committed in PostgreSQL before it is searchable, and a search answered in
    between must not stay kept."""
    with _later:
        if _pending and _pending[0].is_alive():
            return
        timer = threading.Timer(tk.config.get("ckanext.lngov.cache.index_delay"), bump)
        timer.daemon = True
        _pending[:] = [timer]
        timer.start()


def _after_commit(session) -> None:
    if session.info.pop(_DIRTY, False):
        _renew(session)
        if not tk.asbool(tk.config.get("ckan.search.solr_commit", True)):
            bump_when_searchable()


def _renew(session: Any) -> None:
    """A new generation now, or a moment later for a session that said so (soon)."""
    if session.info.get(_SOON):
        bump_when_searchable()
    else:
        bump()


def _after_rollback(session) -> None:
    session.info.pop(_DIRTY, None)


def listen() -> None:
    """Watches CKAN's ORM session (once per process)."""
    target = model.Session
    if sa.event.contains(target, "after_commit", _after_commit):
        return
    sa.event.listen(target, "before_flush", _before_flush)
    sa.event.listen(target, "do_orm_execute", _orm_execute)
    sa.event.listen(target, "after_commit", _after_commit)
    sa.event.listen(target, "after_rollback", _after_rollback)


def _bumping(name: str):
    @tk.chained_action
    def action(up_func, context, data_dict):
        result = up_func(context, data_dict)
        _renew(model.Session())   # the DataStore commits its own database before answering
        return result
    action.__name__ = name
    return action


def get_actions() -> dict[str, Any]:
    """The DataStore's writes, which do not go through CKAN's ORM session."""
    return {name: _bumping(name)
            for name in ("datastore_create", "datastore_upsert", "datastore_delete")}
