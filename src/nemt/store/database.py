"""Engines and sessions. The URL is the settings' ``database_url`` (``NEMT_DATABASE_URL``; without it, a SQLite file
``nemt.db`` in the working directory)."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Engine, create_engine, event

__all__ = ["Engine", "database_url", "default_engine", "make_engine", "normalize_url", "session_factory"]
from sqlalchemy.orm import Session, sessionmaker

from nemt.settings import get_settings
from nemt.store import limits


def database_url() -> str:
    return get_settings().database_url


def normalize_url(url: str) -> str:
    # psycopg 3 is the PostgreSQL driver; accept plain postgresql:// URLs as operators write them.
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://"):]
    return url


def make_engine(url: str | None = None, *, schema: str | None = None) -> Engine:
    """An engine for ``url``. ``schema`` (PostgreSQL only) puts every table in that schema: the tests use it
    to give each run its own namespace in the shared ``test`` database.

    ``hide_parameters``: a failing statement's error (and so any log line or 500 that carries it) never shows its bound
    values, which may be a member's Medicaid ID, name, birth date or address."""
    url = normalize_url(url or database_url())
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - exercised in every SQLite test
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True, hide_parameters=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine``; each checks the text it is about to write (``nemt.store.limits``) before every
    flush, so a value too long for its column is refused alike on SQLite and PostgreSQL, before any write."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(factory, "before_flush", limits.check_flush)
    return factory


@cache
def default_engine() -> Engine:
    return make_engine()
