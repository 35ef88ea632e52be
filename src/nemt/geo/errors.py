"""The one error type of the geography layer."""

from __future__ import annotations


class GeoError(ValueError):
    """A location, ZIP code or map that cannot be used.

    ``field`` names the input that is wrong (``"zip"``, ``"point"``, ``"to"``, ``"map"`` ...) and ``reason``
    says why in words a dispatcher can act on. ``str(error)`` is ``"field: reason"``.
    """

    def __init__(self, field: str, reason: str):
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")
