"""All-or-nothing CSV files: read every row, collect every bad one (line, field, reason), write only if none."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from nemt.domain.dates import DateInputError, parse_date, parse_optional_date
from nemt.services.platform.errors import ImportRejected, RowError

TRUE_WORDS, FALSE_WORDS = {"true", "yes", "y", "1"}, {"false", "no", "n", "0", ""}

T = TypeVar("T")


class RowReader:
    """Field parsers for one row that record errors instead of raising, so a file reports all its bad rows."""

    def __init__(self, line: int, row: dict[str, str]):
        self.line, self.row = line, row
        self.errors: list[RowError] = []

    def bad(self, field: str, reason: str) -> None:
        self.errors.append(RowError(self.line, field, reason))

    def text(self, field: str, required: bool = False) -> str:
        value = (self.row.get(field) or "").strip()
        if required and not value:
            self.bad(field, "is required")
        return value

    def boolean(self, field: str, default: bool | None = False) -> bool | None:
        value = self.text(field).lower()
        if value == "" and default is None:
            return None
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False if value else default
        self.bad(field, "must be true or false")
        return default

    def date(self, field: str, required: bool = True) -> dt.date | None:
        parse = parse_date if required else parse_optional_date
        try:
            return parse(self.row.get(field), field)
        except DateInputError as error:
            self.bad(field, error.reason)
            return None

    def integer(self, field: str, minimum: int = 0) -> int:
        value = self.text(field) or "0"
        try:
            number = int(value)
        except ValueError:
            self.bad(field, "must be a whole number")
            return 0
        if number < minimum:
            self.bad(field, f"must be at least {minimum}")
        return number

    def choice(self, field: str, allowed, required: bool = True) -> str:
        value = self.text(field)
        if (value or required) and value not in allowed:
            self.bad(field, f"must be one of {', '.join(allowed)}")
        return value

    def listing(self, field: str, allowed=None) -> list[str]:
        items = [v.strip() for v in self.text(field).split(";") if v.strip()]
        if allowed is not None:
            for item in items:
                if item not in allowed:
                    self.bad(field, f"unknown value {item!r}; one of {', '.join(allowed)}")
        return items


def check_zip(rr: RowReader, field: str, zip_code: str, state: str) -> None:
    """A ZIP must be well formed, known, and in the row's state."""
    from nemt.geo import GeoError, lookup_zip, normalize_zip

    try:
        normalize_zip(zip_code, field)
        record = lookup_zip(zip_code, field)
    except GeoError:
        # The reason is stated without the value: an address is member data.
        rr.bad(field, "unknown ZIP code" if zip_code.strip()[:5].isdigit() else "must be 5 digits or ZIP+4")
        return
    if record.state != state:
        rr.bad(field, f"is in {record.state}, not in the row's state {state}")


def _rows(filename: str, reader: csv.DictReader[str]) -> Iterator[dict[str, str]]:
    """The reader's rows; a row the csv module cannot read (a field over its limit of 131,072 characters, a NUL
    character) rejects the file, naming the row's line."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            reason = (f"has a field longer than {csv.field_size_limit():,} characters"
                      if "field larger than field limit" in str(error) else "cannot be read as CSV")
            # DictReader.line_num is set after a row is read: the line of the row that failed is its reader's.
            raise ImportRejected(filename, [RowError(reader.reader.line_num, "(row)", reason)]) from None
        yield row


def read_csv(filename: str, content: bytes, required_columns: tuple[str, ...]) -> Iterator[RowReader]:
    """Rows of a UTF-8 CSV with a header; a missing column or an unreadable file rejects the whole file."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(filename, [RowError(1, "(file)", "is not UTF-8 text")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in required_columns if c not in header]
    if missing:
        raise ImportRejected(filename, [RowError(1, c, "column missing from the header") for c in missing])
    any_row = False
    for row in _rows(filename, reader):
        any_row = True
        rr = RowReader(reader.line_num, row)
        if None in row:
            rr.bad("(row)", "has more fields than the header")
        yield rr
    if not any_row:
        raise ImportRejected(filename, [RowError(2, "(file)", "has no data rows")])


def parse_all(filename: str, content: bytes, required_columns: tuple[str, ...],
              parse: Callable[[RowReader], T]) -> list[tuple[int, T]]:
    """Parse every row with ``parse``; if any row is bad, reject the file with all the errors."""
    parsed: list[tuple[int, T]] = []
    errors: list[RowError] = []
    for rr in read_csv(filename, content, required_columns):
        value = parse(rr)
        errors.extend(rr.errors)
        if not rr.errors:
            parsed.append((rr.line, value))
    if errors:
        raise ImportRejected(filename, errors)
    return parsed


# --- the error list of a rejected file, capped ----------------------------------------------------------------------

MAX_LISTED_ERRORS = 50


def capped(rejected: ImportRejected, limit: int = MAX_LISTED_ERRORS) -> ImportRejected:
    """The rejection listing its first ``limit`` bad rows and one last entry saying how many more there are (a file
    with thousands of bad rows must not make an answer larger than the file); the message still counts them all."""
    if len(rejected.errors) <= limit:
        return rejected
    more = len(rejected.errors) - limit
    listed = [*rejected.errors[:limit],
              RowError(rejected.errors[limit].line, "(file)", f"{more} more bad row(s) not listed")]
    short = ImportRejected(rejected.file, listed)
    short.message, short.args = rejected.message, rejected.args
    return short


@contextmanager
def errors_listed_capped(limit: int = MAX_LISTED_ERRORS) -> Iterator[None]:
    """Within the block, a rejected file's error list is capped (see :func:`capped`)."""
    try:
        yield
    except ImportRejected as rejected:
        raise capped(rejected, limit) from None
