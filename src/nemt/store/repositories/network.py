"""Transportation and medical providers, drivers, vehicles and their credentials."""

from __future__ import annotations

from nemt.store.repositories.base import Repository


class NetworkRepository(Repository):
    """Transportation and medical providers, drivers, vehicles and their credentials."""
