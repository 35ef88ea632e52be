"""What every repository has: the unit of work's session."""

from __future__ import annotations

from sqlalchemy.orm import Session


class Repository:
    def __init__(self, session: Session):
        self.session = session

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``: row locks (SELECT … FOR UPDATE) are taken on PostgreSQL only."""
        return self.session.get_bind().dialect.name
