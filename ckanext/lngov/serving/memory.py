"""What a web node keeps in its own memory between requests: answers that only the public
catalog decides, kept until the next cache generation (cache.py: a new one after every
committed change of entries, files, departments, their views or their tables, whichever web
node, job or command made it, and once more when Solr has made the change searchable).

Nothing kept here depends on who asks: whoever may read it (the callers check that on every
request, against the database), reads the same. Views and downloads change without a new
generation: they are never kept. Without a generation file (no storage path), nothing is.
"""
from __future__ import annotations

import collections
import json
import threading
from typing import Any, Callable

from ckanext.lngov.serving import cache

_lock = threading.Lock()
_generation: str | None = None
_figures: dict[Any, Any] = {}
# Answers kept as JSON (every caller gets its own copy to change), on shelves of a given
# size, the least recently used dropped first: by entry (package_show's for an anonymous
# visitor, an entry page's schema.org data: a few KB each), and searches (an anonymous
# visitor's package_search: up to a few hundred KB each), and whole anonymous pages
# (serving/whole_pages.py: as they went out, compressed, about 10 KB each).
SHELVES = {"entries": 4000, "searches": 200, "pages": 2000}
_shelves: dict[str, collections.OrderedDict[Any, str]] = {
    name: collections.OrderedDict() for name in SHELVES}


def _current() -> str | None:
    """The generation, with what was kept for an older one dropped."""
    global _generation
    generation = cache.generation()
    if generation is not None and generation != _generation:
        with _lock:
            if generation != _generation:
                _figures.clear()
                for shelf in _shelves.values():
                    shelf.clear()
                _generation = generation
    return generation


def per_generation(key: Any, compute: Callable[[], Any]) -> Any:
    """compute()'s answer, computed once per generation in this process (the caller must not
    change it: it is shared by every request)."""
    generation = _current()
    if generation is None:
        return compute()
    try:
        return _figures[key]
    except KeyError:
        pass
    found = compute()
    with _lock:
        # Not kept if a newer generation came while it was computed: it may be older.
        if _generation == generation:
            _figures[key] = found
    return found


def recent(key: Any, compute: Callable[[], Any], shelf: str = "entries") -> Any:
    """compute()'s answer, a JSON value (a fresh copy each time), computed once per
    generation and KEY in this process while it is among the last used of its shelf."""
    generation = _current()
    if generation is None:
        return compute()
    kept = _shelves[shelf]
    with _lock:
        text = kept.get(key)
        if text is not None:
            kept.move_to_end(key)
    if text is not None:
        return json.loads(text)
    found = compute()
    try:
        text = json.dumps(found)
    except (TypeError, ValueError):
        return found
    with _lock:
        if _generation == generation:
            kept[key] = text
            while len(kept) > SHELVES[shelf]:
                kept.popitem(last=False)
    return found


def looked_up(key: Any, shelf: str) -> tuple[str | None, Any]:
    """The generation, and what is kept under KEY on SHELF for it (None if nothing is): a
    value kept with keep(), which the caller must not change."""
    generation = _current()
    if generation is None:
        return None, None
    kept = _shelves[shelf]
    with _lock:
        found = kept.get(key)
        if found is not None:
            kept.move_to_end(key)
    return generation, found


def keep(key: Any, value: Any, shelf: str, generation: str) -> None:
    """VALUE kept under KEY on SHELF, if GENERATION (the one looked_up() gave before it was
    computed) is still the current one: what was computed while a change was committed may
    show the catalog before it."""
    if _current() != generation:
        return
    kept = _shelves[shelf]
    with _lock:
        if _generation == generation:
            kept[key] = value
            while len(kept) > SHELVES[shelf]:
                kept.popitem(last=False)
