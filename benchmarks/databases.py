"""A PostgreSQL schema of one run's own: created, migrated, handed over, dropped.

The benchmarks (``audit``, ``burst``) and the test suite (``tests/conftest.py``'s ``engine`` fixture, the migration
test of ``tests/platform/test_audit_chain.py``) each need a fresh namespace in a shared PostgreSQL database, so that
runs side by side — or a run next to the suite — never see each other's rows. This is the one place that creates,
migrates and drops it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from nemt.store.database import make_engine
from nemt.store.migrate import upgrade


def schema_url(postgres_url: str, schema: str) -> str:
    """The URL a separate process (a server, the ``nemt`` command) uses to reach ``schema`` of ``postgres_url``."""
    return f"{postgres_url}?options=-csearch_path%3D{schema}"


@contextmanager
def postgres_schema(postgres_url: str, prefix: str, *, revision: str | None = "heads") -> Iterator[tuple[Engine, str]]:
    """A new schema ``<prefix>_<pid>_<random>`` of ``postgres_url`` migrated to ``revision`` (``None``: left empty,
    for a test that migrates step by step); yields an engine whose tables live there and the schema's name. The
    schema is dropped, whatever happened, on the way out."""
    schema = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    admin = make_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(postgres_url, schema=schema)
    try:
        if revision is not None:
            upgrade(engine, revision)
        yield engine, schema
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
