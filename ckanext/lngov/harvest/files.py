"""The portal's own copies of the platform's files, in CKAN's resource storage.

A copy is downloaded to a local temporary file and handed to the storage
(`ckanext.lngov.storage`, CKAN's uploader API) only once its size and SHA-256 matched the
platform's, so a resource never points at partial or wrong bytes; the resource ids are known
before the dataset is written (see mapping.resource_id), so a job that dies between the copy
and the dataset leaves at most a file that no resource serves, overwritten by the next run.
"""
from __future__ import annotations

import os
import tempfile

from .. import storage
from .platform import Platform

exists = storage.exists
remove = storage.remove


def copy(platform: Platform, distribution: dict, resource_id: str) -> tuple[int, str]:
    """Copies a file distribution into storage as the resource's upload: (size, sha256)."""
    with tempfile.TemporaryFile(prefix="lngov-copy-") as partial:
        size, sha256 = platform.download(distribution, partial)  # raises unless it matched
        partial.seek(0)
        storage.store(resource_id, partial, os.path.basename(distribution["download_path"]))
    return size, sha256
