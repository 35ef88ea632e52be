"""What a text column holds, checked before anything is written: at most its length, and no NUL character.

PostgreSQL enforces ``String(n)`` (``varchar(n)``) and refuses the NUL character in any text; SQLite enforces
neither. Without this check a too-long name written through the API is a 500 on PostgreSQL and silently stored on
SQLite. :func:`check_flush` runs before every flush of the store's sessions (registered by
:func:`nemt.store.database.session_factory`) over the new and changed rows, and raises :class:`FieldRefused` naming
``table.column`` before any statement is sent: the same answer on both databases, and nothing half-written. The
interfaces turn it into a 422 "Invalid input" with the rule "field length" (or "text without NUL").
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import String, inspect
from sqlalchemy.orm import Mapper, Session

FIELD_LENGTH = "field length"
TEXT_WITHOUT_NUL = "text without NUL"


class FieldRefused(Exception):
    """A value a column cannot hold. ``field`` is the column's name, ``where`` is ``table.column``; the message
    is a plain sentence that never shows the value (it may be member data)."""

    def __init__(self, table: str, column: str, rule: str, message: str):
        super().__init__(message)
        self.table, self.column, self.rule, self.message = table, column, rule, message

    @property
    def field(self) -> str:
        return self.column

    @property
    def where(self) -> str:
        return f"{self.table}.{self.column}"


def _words(column: str) -> str:
    return column.replace("_", " ")


def check_value(table: str, column: str, length: int | None, value: object) -> None:
    """Refuse a text value longer than ``length`` characters or containing a NUL character."""
    if not isinstance(value, str):
        return
    if length is not None and len(value) > length:
        raise FieldRefused(table, column, FIELD_LENGTH,
                           f"the {_words(column)} is longer than {length} characters")
    if "\x00" in value:
        raise FieldRefused(table, column, TEXT_WITHOUT_NUL,
                           f"the {_words(column)} contains a NUL character, which no text may hold")


@cache
def _text_columns(mapper: Mapper[Any]) -> list[tuple[str, str, str, int | None]]:
    """(attribute, table, column, length) of each text column the mapper writes."""
    found = []
    for prop in mapper.column_attrs:
        for column in prop.columns:
            table = getattr(column, "table", None)
            if isinstance(column.type, String) and table is not None and hasattr(table, "name"):
                found.append((prop.key, table.name, column.name, column.type.length))
    return found


def check_row(row: object, *, changed_only: bool = False) -> None:
    """Check the row's text columns (``changed_only``: only the attributes changed since it was loaded)."""
    state = inspect(row)
    for key, table, column, length in _text_columns(state.mapper):
        if changed_only:
            values = state.attrs[key].history.added
        else:
            values = [state.dict.get(key)]
        for value in values:
            check_value(table, column, length, value)


def check_flush(session: Session, _context: object, _instances: object) -> None:
    """``before_flush``: the new rows (every text column) and the changed rows (the changed ones)."""
    for row in session.new:
        check_row(row)
    for row in session.dirty:
        check_row(row, changed_only=True)
