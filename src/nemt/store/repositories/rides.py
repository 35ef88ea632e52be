"""Trips, their legs, decision notices and standing orders (booking and the ride pages)."""

from __future__ import annotations

from nemt.store.repositories.base import Repository


class RideRepository(Repository):
    """Trips, their legs, decision notices and standing orders (booking and the ride pages)."""
