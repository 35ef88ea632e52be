"""Travel matrices prepared ahead of a day's plan (``nemt.jobs.matrices``): one per program and day, replaced
whole."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from nemt.store.matrix_models import TravelMatrix
from nemt.store.repositories.base import Repository


class TravelMatrixRepository(Repository):
    def get(self, key: str, *, with_data: bool = False) -> TravelMatrix | None:
        query = select(TravelMatrix).where(TravelMatrix.key == key)
        if with_data:
            query = query.options(undefer(TravelMatrix.data))
        return self.session.scalar(query)

    def keep(self, key: str, engine: str, digest: str, points: int, data: bytes, seconds: float) -> bool:
        """Keep the matrix of ``key`` (replacing another one kept there); False when this very one is kept."""
        row = self.get(key)
        if row is not None and row.digest == digest and row.engine == engine:
            return False
        if row is None:
            row = TravelMatrix(key=key, engine=engine, digest=digest, points=points, data=data, seconds=seconds)
            try:
                with self.session.begin_nested():
                    self.session.add(row)
                return True
            except IntegrityError:  # kept at the same moment by another run: replace it
                row = self.get(key)
                if row is None:
                    raise
        row.engine, row.digest, row.points, row.data, row.seconds = engine, digest, points, data, seconds
        return True
