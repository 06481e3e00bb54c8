"""Files the caching front sends itself, once CKAN has authorised them: downloads of resource
files and the catalog dump.

CKAN's views send files with Flask's ``send_file``; the plugin turns on Flask's
``USE_X_SENDFILE``, so such an answer carries the file's path in ``X-Sendfile`` and no body.
After the view (and every check before it: visibility, conditional access, counting of the
download) this hook decides who sends the bytes:

* behind the front, which announces its internal location for the storage in
  ``X-Lngov-Accel`` (config/nginx/front.conf), a file of the storage becomes
  ``X-Accel-Redirect: <location>/<path in the storage>``: nginx sends it (sendfile, ranges);
* otherwise (a web node reached directly, a file outside the storage) CKAN streams the file
  itself, as it would have without X-Sendfile (ranges included).
"""
from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from flask import Blueprint, request
from werkzeug.wsgi import wrap_file

import ckan.plugins.toolkit as tk

blueprint = Blueprint("lngov_accel", __name__)
FRONT_HEADER = "X-Lngov-Accel"


def install(app: Any) -> Any:
    app.config["USE_X_SENDFILE"] = True
    return app


def _storage() -> str | None:
    storage = tk.config.get("ckan.storage_path")
    return os.path.realpath(storage) if storage else None


class _Range:
    """LENGTH bytes of FILE from its current position, in 1 MiB blocks."""

    def __init__(self, file, length: int):
        self.file, self.left = file, length

    def __iter__(self):
        while self.left > 0:
            block = self.file.read(min(self.left, 1 << 20))
            if not block:
                break
            self.left -= len(block)
            yield block

    def close(self):
        self.file.close()


@blueprint.after_app_request
def send(response):
    path = response.headers.get("X-Sendfile")
    if not path:
        return response
    del response.headers["X-Sendfile"]
    real = os.path.realpath(path)
    storage = _storage()
    location = request.headers.get(FRONT_HEADER, "")
    if location.startswith("/") and location.endswith("/") and storage \
            and real.startswith(storage + os.sep):
        response.headers["X-Accel-Redirect"] = location + quote(
            os.path.relpath(real, storage))
        return response
    if response.status_code not in (200, 206):
        return response
    file = open(real, "rb")
    start, length = 0, os.path.getsize(real)
    if response.status_code == 206:
        # Content-Range: bytes START-END/SIZE, as werkzeug computed it for the request
        first, last = response.headers["Content-Range"].split()[1].split("/")[0].split("-")
        start, length = int(first), int(last) - int(first) + 1
    file.seek(start)
    # (the server's own file wrapper when it has one: uWSGI's sends with sendfile)
    response.response = _Range(file, length) if response.status_code == 206 else wrap_file(
        request.environ, file, 1 << 20)
    response.direct_passthrough = True
    response.headers["Content-Length"] = str(length)
    return response
