"""pyx12 as the gate for X12 files we read: a file it refuses is refused whole, before anything changes, with the
first segment in error named the way our own readers name one (``segment <n> (<id>)``, counted from the ISA).

Files we write go through the same gate (:func:`refuse_unless_valid`), and our writers' own refusals
(:class:`~nemt.billing.x12_837p.X12WriteError`) become the same :class:`InvalidInput` (:func:`writer_refusals`):
nothing is kept, because the unit of work rolls back whatever was not committed when the error leaves it.

pyx12 reports ``Line:<n>``, which is the segment's position in the interchange (not a line of text); its messages
quote element values in parentheses, which may be member data, so those are replaced by "(…)".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from nemt.billing.x12_837p import X12WriteError
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


def refuse_unless_own_valid(text: str, what: str) -> str:
    """A file our own writer made, checked by pyx12: a refusal is a bug, not the user's input, so it is a
    RuntimeError (still without the element values pyx12 quotes)."""
    ok, messages = validate_x12(text)
    if not ok:
        raise RuntimeError(f"pyx12 refused our {what}: " + "; ".join(pyx12_message(m) for m in messages[:2]))
    return text


@contextmanager
def writer_refusals(rule: str) -> Iterator[None]:
    """Our X12 writers' own edits (:class:`X12WriteError`) as :class:`InvalidInput` on ``claims``, citing ``rule``."""
    try:
        yield
    except X12WriteError as exc:
        raise InvalidInput(str(exc), field="claims", rule=rule) from None
