"""Uploaded files, bounded: a file larger than the settings' ``max_upload_bytes`` (``NEMT_MAX_UPLOAD_MB``, 5 MB by
default) is refused with a 413 before any of it is parsed."""

from __future__ import annotations

from typing import BinaryIO, Protocol

from nemt.services.platform.errors import ServiceError
from nemt.settings import MEGABYTE, get_settings


class UploadTooLarge(ServiceError):
    status = 413
    title = "Upload too large"


class Upload(Protocol):
    file: BinaryIO


def read_upload(upload: Upload, field: str = "file") -> bytes:
    """The upload's bytes; reads at most one byte past the limit, so a huge file is refused without holding it."""
    limit = get_settings().max_upload_bytes
    content = upload.file.read(limit + 1)
    if len(content) > limit:
        size = f"{limit // MEGABYTE} MB" if limit % MEGABYTE == 0 else f"{limit} bytes"
        raise UploadTooLarge(f"{field} is larger than the maximum upload size of {size}; nothing was read from it",
                             field=field, rule="maximum upload size")
    return content
