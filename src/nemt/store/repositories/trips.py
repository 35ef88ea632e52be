"""The Standard Trip Log: legs as drivers see them and their append-only events."""

from __future__ import annotations

from nemt.store.repositories.base import Repository


class TripLogRepository(Repository):
    """The Standard Trip Log: legs as drivers see them and their append-only events."""
