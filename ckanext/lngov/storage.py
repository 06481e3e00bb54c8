"""Resource files through CKAN's uploader API, wherever CKAN keeps them.

`uploader.get_resource_uploader` picks what web uploads use: an IUploader plugin (an object
store), a file-keeper storage (`ckan.files.default_storages.resource`, CKAN 2.12) or the
classic `ckan.storage_path`; so the files the portal writes itself (the harvester's copies)
land where uploads do, and reading them back works for every kind. CKAN has no public call
for reading an upload other than its download view; `_storage` and `opened` follow what
that view does (ckan/views/resource.py: download).
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from typing import IO, Iterator

import file_keeper as fk
from werkzeug.datastructures import FileStorage

from ckan.lib import files, uploader


def store(resource_id: str, stream: IO[bytes], filename: str) -> None:
    """Writes `stream` as the upload of `resource_id`, replacing the one it had.

    The classic storage writes aside and renames; a file-keeper storage writes the location
    at once. Either way the caller has checked the bytes before handing them over.
    """
    resource = {"upload": FileStorage(stream=stream, filename=filename), "url": filename}
    uploader.get_resource_uploader(resource).upload(
        resource_id, uploader.get_max_resource_size())


def remove(resource_id: str) -> None:
    """Removes the upload of `resource_id`, if it has one."""
    uploader.get_resource_uploader({"clear_upload": True, "url": ""}).upload(resource_id)


def _storage(resource_id: str) -> tuple[fk.Storage | None, str]:
    """The file-keeper storage holding the upload (None for the classic storage), and where."""
    upload = uploader.get_resource_uploader({})
    storage = getattr(upload, "storage", None)
    return (storage if isinstance(storage, fk.Storage) else None), upload.get_path(resource_id)


def exists(resource_id: str) -> bool:
    storage, where = _storage(resource_id)
    if storage is None:
        return os.path.exists(where)
    return storage.exists(files.FileData(files.Location(where)))


@contextlib.contextmanager
def opened(resource_id: str) -> Iterator[IO[bytes]]:
    """The upload of `resource_id`, open for reading in binary (FileNotFoundError if none)."""
    storage, where = _storage(resource_id)
    if storage is None:
        with open(where, "rb") as f:
            yield f
        return
    data = files.FileData(files.Location(where))
    if not storage.exists(data):
        raise FileNotFoundError(where)
    with tempfile.TemporaryFile() as local:
        for block in storage.stream(data):
            local.write(block)
        local.seek(0)
        yield local
