"""/suggest (and /en/suggest): the search boxes' suggestions as JSON, in the page's
language; the same answer as the action lngov_suggest."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

import ckan.plugins.toolkit as tk

blueprint = Blueprint("lngov_suggest", __name__)


@blueprint.route("/suggest")
def suggest():
    try:
        found = tk.get_action("lngov_suggest")({}, {"q": request.args.get("q", ""),
                                                    "limit": request.args.get("limit")})
    except tk.ValidationError as error:
        return jsonify({"error": error.error_dict}), 400
    # the list's headings and what the live region says, in the page's language
    found["labels"] = {"entries": tk._("Catalog entries"), "departments": tk._("Departments"),
                       "themes": tk._("Themes"), "count": tk._("{n} suggestions"),
                       "none": tk._("No suggestions")}
    return jsonify(found)
