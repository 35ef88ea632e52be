"""A day's open legs, the fleet that can carry them, and vehicle runs."""

from __future__ import annotations

from nemt.store.repositories.base import Repository


class DispatchRepository(Repository):
    """A day's open legs, the fleet that can carry them, and vehicle runs."""
