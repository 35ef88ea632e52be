"""Travel matrices prepared ahead of a day's plan (``nemt.jobs.matrices``, issue 18 item 2).

``travel_matrices``: one row per program and day (``key``, ``CO:2026-11-24``) — the points (ZIP code centroids as
latitude and longitude: no member data), the minutes and miles between them, packed as one NumPy archive read back
with ``allow_pickle=False``, and the distance engine that computed them (a digest of its cache key: a matrix of
another engine or map is not used). Written by the prepare-matrix job, read by the plan of the day on any worker.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from nemt.store.models import Base, utcnow


class TravelMatrix(Base):
    __tablename__ = "travel_matrices"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    engine: Mapped[str] = mapped_column(String(64))  # SHA-256 of the engine's cache key (its kind, parameters, map)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of ``data``
    points: Mapped[int] = mapped_column()
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    seconds: Mapped[float] = mapped_column(default=0.0)  # the engine's wall time computing it
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
