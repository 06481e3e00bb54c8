"""What the features' pages share (applications/views.py, data_requests/views.py): the
visitor as the actions' context, the way to the login page, and a form posted to an action,
which decides who may do what."""
from __future__ import annotations

from typing import Any, Callable

from flask import request

import ckan.plugins.toolkit as tk
from ckan.common import current_user


def context() -> dict[str, Any]:
    """The visitor, as the actions know them."""
    return {"user": current_user.name if current_user.is_authenticated else ""}


def login_first(came_from: str | None = None) -> Any:
    """To the login page, and back here (or to `came_from`) once signed in."""
    return tk.redirect_to(tk.h.url_for("user.login", came_from=came_from or request.full_path))


def errors(error: tk.ValidationError) -> dict[str, list[str]]:
    """An action's refusal as messages by field, for the form shown again."""
    return {k: v if isinstance(v, list) else [str(v)]
            for k, v in (error.error_dict or {}).items()}


def submit(action: str, data: dict[str, Any], done: Callable[[Any], str], *,
           success: Callable[[Any], str] | None = None, refused: str | None = None) -> Any:
    """Posts a form to `action` as the visitor. Done: flashes `success(result)` and redirects
    to `done(result)`. Refused as invalid: the errors by field (a dict), to show with the
    form. Not allowed: a 403 saying `refused` (without it, CKAN's own answer)."""
    try:
        result = tk.get_action(action)(context(), dict(data))
    except tk.ValidationError as error:
        return errors(error)
    except tk.NotAuthorized:
        if refused is None:
            raise
        return tk.abort(403, refused)
    if success is not None:
        tk.h.flash_success(success(result))
    return tk.redirect_to(done(result))
