"""JSON contracts of the command line (``nemt decide``, ``nemt bill``): parse and validate an input document
into domain values, naming a bad field by its path (``member.medicaid_id``, ``legs[2].loaded_miles``)."""

from __future__ import annotations

from collections.abc import Iterable


class ContractError(ValueError):
    """Malformed input: ``path`` names the field, ``message`` says what is wrong and by which rule."""

    def __init__(self, path: str, message: str):
        self.path, self.message = path, message
        super().__init__(f"{path}: {message}" if path else message)


def format_path(loc: Iterable[str | int]) -> str:
    """``("legs", 2, "loaded_miles")`` -> ``"legs[2].loaded_miles"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
