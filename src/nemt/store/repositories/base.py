"""What every repository has: the unit of work's session."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

Row = TypeVar("Row")


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
