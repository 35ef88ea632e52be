"""The read-only queries behind the program's reports."""

from __future__ import annotations

from nemt.store.repositories.base import Repository


class ReportRepository(Repository):
    """The read-only queries behind the program's reports."""
