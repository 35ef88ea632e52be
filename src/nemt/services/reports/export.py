"""CSV for download, safe to open in a spreadsheet: every CSV the platform produces goes through :func:`safe_cell`.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run as a formula by a
spreadsheet (OWASP, "CSV Injection"): such a cell gets a leading single quote, so it is shown as the text it is.
Numbers (also negative ones, also written as text such as ``-12.5``) stay numbers: a number is no formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """The value as written to a CSV cell: numbers as they are, dates as ISO text, ``None`` empty, and text that a
    spreadsheet would take for a formula prefixed with a single quote."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_text(columns: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (header, then rows; CRLF line ends) with every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def escape_csv(text: str) -> str:
    """A CSV document with its cells made safe (idempotent: an escaped cell begins with a quote)."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return csv_text(rows[0], rows[1:]) if rows else ""
