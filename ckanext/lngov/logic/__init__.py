"""The portal's actions (action.py) and their auth functions (auth.py)."""
from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

from ckan.authz import get_local_functions

PREFIX = "lngov_"


def own_functions(module: ModuleType) -> dict[str, Callable[..., Any]]:
    """The portal's own actions or auth functions of a module: its lngov_* functions, found
    as CKAN finds its own (get_local_functions), so a new one cannot be left unregistered."""
    return {name: fn for name, fn in get_local_functions(module) if name.startswith(PREFIX)}
