"""What one page asks more than once, answered once per request: a page's templates ask the
same helpers with the same arguments several times (a department page's follower and member
counts in its sidebar and header, a resource page's permission checks and table record), and
each asks the database or Solr.

Only on a GET or HEAD (a request that changes nothing: what it asks twice has one answer),
kept on Flask's `g`, which ends with the request; outside a request, computed each time.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import g, has_request_context, request

_SLOT = "_lngov_once"


def per_request(key: Any, compute: Callable[[], Any]) -> Any:
    """compute()'s answer, computed once in this request for KEY (the caller must not
    change it: later callers in the request get the same object)."""
    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return compute()
    memo = g.get(_SLOT)
    if memo is None:
        memo = {}
        setattr(g, _SLOT, memo)
    try:
        return memo[key]
    except KeyError:
        found = memo[key] = compute()
        return found
    except TypeError:   # a key that cannot be hashed: not remembered
        return compute()
