"""Uploaded documents kept in the database (receipts of meals and lodging, a member's certifications, verification
forms and prior authorizations): a PDF, PNG or JPEG, told by its first bytes, never by the name or the type the
browser claims. The size limit is the upload's (``nemt.http.uploads.read_upload``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from nemt.services.platform.errors import InvalidInput

__all__ = ["FILE_TYPES", "StoredFile", "media_type_of", "stored_file"]

# The signatures of the accepted types (their first bytes) and the media type each is served as.
FILE_TYPES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def media_type_of(content: bytes, *, field: str, rule: str, what: str = "the document") -> str:
    """The media type of ``content`` by its first bytes; InvalidInput naming ``field`` (never quoting the content)
    when it is no PDF, PNG or JPEG file."""
    for magic, media_type in FILE_TYPES.items():
        if content.startswith(magic):
            return media_type
    raise InvalidInput(f"must be {what} as a PDF, PNG or JPEG file", field=field, rule=rule)


@dataclass(frozen=True)
class StoredFile:
    """An accepted upload as it is kept: the bytes, their media type, size and SHA-256."""

    content: bytes
    media_type: str
    size: int
    sha256: str


def stored_file(content: bytes, *, field: str, rule: str, what: str = "the document") -> StoredFile:
    """The upload checked (:func:`media_type_of`) with its size and SHA-256."""
    media_type = media_type_of(content, field=field, rule=rule, what=what)
    return StoredFile(content, media_type, len(content), hashlib.sha256(content).hexdigest())
