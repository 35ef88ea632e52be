"""What a text column holds, checked before anything is written: at most its length, and no NUL character.

PostgreSQL enforces ``String(n)`` (``varchar(n)``) and refuses the NUL character in any text; SQLite enforces
neither. Without this check a too-long name written through the API is a 500 on PostgreSQL and silently stored on
SQLite. :func:`check_flush` runs before every flush of the store's sessions (registered by
:func:`nemt.store.database.session_factory`) over the new and changed rows, and raises :class:`FieldRefused` naming
``table.column`` before any statement is sent: the same answer on both databases, and nothing half-written. The
interfaces turn it into a 422 "Invalid input" with the rule "field length" (or "text without NUL").

Reads too: a look-up or filter by a text with a NUL character (``/api/v1/claims/%00``, ``?status=%00``) is a 500 on
PostgreSQL, which refuses such a parameter, and "not found" on SQLite. :func:`check_parameters` runs before every
statement is sent (``before_cursor_execute``, registered with the sessions) and refuses it the same way on both,
naming the column compared (the bound parameter's name). So is an integer wider than its column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from itertools import chain, repeat
from typing import Any

from sqlalchemy import BigInteger, Integer, SmallInteger, String, inspect
from sqlalchemy.orm import Mapper, Session

FIELD_LENGTH = "field length"
TEXT_WITHOUT_NUL = "text without NUL"
NUMBER_RANGE = "number range"


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


_SQL_FUNCTIONS = frozenset({"lower", "upper", "trim", "coalesce", "concat", "substr", "param"})


def _bound(parameters: Any, context: Any) -> Iterable[tuple[str, object]]:
    """(name, value) of one statement's parameters: a dict (PostgreSQL) or a sequence named by the compiled
    statement's positions (SQLite)."""
    if isinstance(parameters, dict):
        return parameters.items()
    names = getattr(getattr(context, "compiled", None), "positiontup", None) or ()
    return zip(chain(names, repeat("value")), parameters, strict=False)


def _column_of(name: object) -> str:
    """The column a bound parameter is compared with or written to: ``key`` for ``key_1``."""
    column = re.sub(r"_\d+$", "", str(name))
    if column == "pk":  # session.get(Model, id)
        return "id"
    return "value" if column in _SQL_FUNCTIONS else column  # lower(:lower_1): no column to name


def _integer_bits(context: Any, name: object) -> int:
    """The width of the integer column a parameter is bound to (64 when not known: SQLite's and BIGINT's)."""
    binds = getattr(getattr(context, "compiled", None), "binds", None) or {}
    kind = getattr(binds.get(name), "type", None)
    if isinstance(kind, BigInteger):
        return 64
    return 16 if isinstance(kind, SmallInteger) else 32 if isinstance(kind, Integer) else 64


def check_parameters(_conn: object, _cursor: object, _statement: str, parameters: Any, context: Any,
                     executemany: bool) -> None:
    """``before_cursor_execute``: refuse, before the statement is sent, a text parameter with a NUL character and
    an integer its column cannot hold (``/api/v1/auth/tokens/99999999999999999999``: PostgreSQL's "integer out of
    range", SQLite's OverflowError) — :class:`FieldRefused` naming the column (``key`` for the parameter ``key_1``)."""
    many = (executemany and isinstance(parameters, list | tuple) and len(parameters) > 0
            and isinstance(parameters[0], dict | list | tuple))  # else one row, or one flattened batch
    for row in (parameters if many else [parameters]):
        for name, value in _bound(row or {}, context):
            if isinstance(value, str) and "\x00" in value:
                column = _column_of(name)
                raise FieldRefused("(query)", column, TEXT_WITHOUT_NUL,
                                   f"the {_words(column)} contains a NUL character, which no text may hold")
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2 ** 31:
                most = 2 ** (_integer_bits(context, name) - 1)
                if not -most <= value < most:
                    column = _column_of(name)
                    raise FieldRefused("(query)", column, NUMBER_RANGE,
                                       f"the {_words(column)} is out of range (at most {most - 1})")
