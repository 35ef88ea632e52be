"""What every repository has: the unit of work's session."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from sqlalchemy.orm import Session

Row = TypeVar("Row")
T = TypeVar("T")

# How many values one ``IN (...)`` binds at most. PostgreSQL's protocol carries at most 65,535 parameters per
# statement (an 835 of 100,000 claims is over it); a few thousand per statement is well under it and still few
# round trips.
IN_CHUNK = 5000


def chunked(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """``values`` in lists of at most ``size`` (none for no values), for ``IN (...)`` look-ups and updates."""
    if size < 1:
        raise ValueError("a chunk holds at least one value")
    chunk: list[T] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Repository:
    def __init__(self, session: Session):
        self.session = session

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``: row locks (SELECT … FOR UPDATE) are taken on PostgreSQL only."""
        return self.session.get_bind().dialect.name

    def _added(self, row: Row) -> Row:
        """Add a row and flush, so that it has its id (and the database has checked its constraints)."""
        self.session.add(row)
        self.session.flush()
        return row
