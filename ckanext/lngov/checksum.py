"""Size and SHA-256 of uploaded files, recorded on their resources at upload.

The convention the harvester follows too: a file distribution's resource carries `size`
(bytes), `hash` (hex SHA-256) and `hash_algorithm` (SPDX's sha256 URI), which the DCAT
output publishes as dcat:byteSize and spdx:checksum. Computed in the IResourceController
hooks, so web uploads, the API and the demo loader all get them.
"""
from __future__ import annotations

import hashlib
import os
from typing import Any

from werkzeug.datastructures import FileStorage

SHA256 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
_BLOCK = 1 << 20


def record(resource: dict[str, Any]) -> dict[str, Any]:
    """Adds size, hash and hash_algorithm of the resource's upload, if it has one."""
    upload = resource.get("upload")
    if not isinstance(upload, FileStorage) or upload.stream is None:
        return resource
    stream = upload.stream
    start = stream.tell()
    digest, size = hashlib.sha256(), 0
    while block := stream.read(_BLOCK):
        digest.update(block)
        size += len(block)
    stream.seek(start, os.SEEK_SET)  # CKAN's uploader reads it next
    resource.update(size=size, hash=digest.hexdigest(), hash_algorithm=SHA256)
    return resource
