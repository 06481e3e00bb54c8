"""The portal's own copies of the platform's files, in CKAN's resource storage.

A copy is written under a temporary name and moved into place only once its checksum
matched, so a resource never points at partial or wrong bytes; the resource ids are known
before the dataset is written (see mapping.resource_id), so a job that dies between the copy
and the dataset leaves at most a file that no resource serves, overwritten by the next run.
"""
from __future__ import annotations

import os
import tempfile

from ckan.lib import uploader

from .platform import Platform


def path(resource_id: str) -> str:
    return uploader.ResourceUpload({}).get_path(resource_id)


def copy(platform: Platform, distribution: dict, resource_id: str) -> tuple[int, str]:
    """Copies a file distribution into storage as the resource's upload: (size, sha256)."""
    target = path(resource_id)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".partial-")
    try:
        with os.fdopen(fd, "wb") as out:
            size, sha256 = platform.download(distribution, out)
        os.replace(partial, target)
    except BaseException:
        os.unlink(partial)
        raise
    return size, sha256


def remove(resource_id: str) -> None:
    try:
        os.unlink(path(resource_id))
    except FileNotFoundError:
        pass
