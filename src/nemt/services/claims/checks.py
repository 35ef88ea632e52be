"""pyx12 as the gate for X12 files we read: a file it refuses is refused whole, before anything changes, with the
first segment in error named the way our own readers name one (``segment <n> (<id>)``, counted from the ISA).

pyx12 reports ``Line:<n>``, which is the segment's position in the interchange (not a line of text); its messages
quote element values in parentheses, which may be member data, so those are replaced by "(…)".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nemt.billing.x12_ack import AckError, segments_of
from nemt.billing.x12_validate import validate_x12
from nemt.services.platform.errors import InvalidInput

_LINE = re.compile(r"Line:(\d+)")


def pyx12_message(message: str) -> str:
    """pyx12 quotes element values in parentheses; they could be member data — keep the rest."""
    return re.sub(r"\([^)]*\)", "(…)", message)[:300]


def _segment_named(text: str, message: str) -> str:
    where = _LINE.search(message)
    if not where:
        return "file"
    n = int(where.group(1))
    try:
        segments = segments_of(text)
    except AckError:
        return f"segment {n}"
    return f"segment {n} ({segments[n - 1].id})" if 0 < n <= len(segments) else f"segment {n}"


def refuse_unless_valid(text: str, what: str, rule: str, *, nothing: str = "nothing was changed",
                        validate: Callable[[str], tuple[bool, list[str]]] = validate_x12) -> None:
    """Raise :class:`InvalidInput` naming the first segment pyx12 finds in error; return when it finds none."""
    ok, messages = validate(text)
    if ok:
        return
    first = messages[0] if messages else "pyx12 reported the file invalid"
    raise InvalidInput(f"pyx12 refused the {what}; {nothing}: " + "; ".join(pyx12_message(m) for m in messages[:3]),
                       field=_segment_named(text, first), rule=f"{rule} (pyx12)")
