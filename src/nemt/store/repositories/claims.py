"""Claims, their lines, batches, billing profiles and remittances."""

from __future__ import annotations

from nemt.store.repositories.base import Repository


class ClaimRepository(Repository):
    """Claims, their lines, batches, billing profiles and remittances."""
