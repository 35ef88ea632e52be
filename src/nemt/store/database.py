"""Engines and sessions. The URL is the settings' ``database_url`` (``NEMT_DATABASE_URL``; without it, a SQLite file
``nemt.db`` in the working directory).

Capacity (issue 14): each engine's pool is sized by the settings (``db_pool_size`` + ``db_max_overflow``
connections, ``db_pool_timeout`` seconds of waiting for one), and every PostgreSQL session carries
``statement_timeout`` and ``idle_in_transaction_session_timeout``, so a stuck statement or a transaction a wedged
process left open cannot hold its locks and its connection for ever. :func:`busy` tells the interfaces which
database errors mean "too busy now" (a 503, not a 500). How the pool relates to the web server's admission control:
:mod:`nemt.http.capacity`."""

from __future__ import annotations

import time
from functools import cache
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, make_url, text

__all__ = ["BUSY_ERRORS", "Engine", "busy", "database_url", "default_engine", "default_session_factory",
           "make_engine", "migration_engine", "normalize_url", "session_factory"]
from sqlalchemy.orm import Session, configure_mappers, sessionmaker

from nemt.settings import get_settings
from nemt.store import audit_chain, limits


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
    values, which may be a member's Medicaid ID, name, birth date or address. Every statement's parameters are checked
    before they are sent (``limits.check_parameters``: a NUL character, an integer wider than its column), on every
    engine, so a look-up answers alike on SQLite and PostgreSQL."""
    engine = _make_engine(normalize_url(url or database_url()), schema)
    event.listen(engine, "before_cursor_execute", limits.check_parameters)
    return engine


def _make_engine(url: str, schema: str | None) -> Engine:
    if url.startswith("sqlite"):
        pool = {} if url in ("sqlite://", "sqlite:///:memory:") else _pool_arguments()  # memory: one connection
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True, **pool)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - exercised in every SQLite test
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    parsed = make_url(url)
    options = _session_options(parsed.query.get("options"), schema)
    engine = create_engine(parsed.difference_update_query(["options"]), connect_args={"options": options},
                           hide_parameters=True, **_pool_arguments())
    _ping_when_idle(engine)
    return engine


#: A pooled connection that has been idle this long is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 2.0


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled PostgreSQL connection before handing it out only when it has been idle for
    :data:`PING_AFTER_IDLE_SECONDS`; a dead one is replaced, as ``pool_pre_ping`` would.

    ``pool_pre_ping`` pinged at every checkout: one more round trip on every request under load (some 4 % of a
    member search's CPU, ``python -m benchmarks load``) to protect connections used a moment before. A connection broken
    while it was in use meanwhile (the server restarted under load) fails the one statement sent on it; SQLAlchemy
    then recognises the disconnect and discards every connection of the pool opened before it, so the next
    requests get new ones."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("the pooled connection did not answer a ping") from error


def _pool_arguments() -> dict[str, float]:
    settings = get_settings()
    return {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow,
            "pool_timeout": settings.db_pool_timeout}


def _session_options(given: str | tuple[str, ...] | None, schema: str | None) -> str:
    """The PostgreSQL ``options`` of every connection: those the URL gives (``?options=-csearch_path%3D…``), the
    schema, and the settings' timeouts in milliseconds (``0``: none)."""
    settings = get_settings()
    parts = [given] if isinstance(given, str) else list(given or ())
    if schema:
        parts.append(f"-csearch_path={schema}")
    parts.append(f"-cstatement_timeout={round(settings.db_statement_timeout * 1000)}")
    parts.append(f"-cidle_in_transaction_session_timeout={round(settings.db_idle_in_transaction_timeout * 1000)}")
    return " ".join(parts)


# What a request can meet when the database is too busy to answer in time: no pooled connection free within the
# pool timeout (TimeoutError), a statement cancelled by statement_timeout or a session ended by
# idle_in_transaction_session_timeout (PostgreSQL), a write lock not had within the busy timeout (SQLite). The
# interfaces answer these with 503 and Retry-After instead of 500 (nemt.http.app).
BUSY_ERRORS: tuple[type[Exception], ...] = (exc.TimeoutError, exc.OperationalError)
_BUSY_SQLSTATES = frozenset({"57014", "25P03"})  # query_canceled, idle_in_transaction_session_timeout


def busy(error: BaseException) -> bool:
    """Whether ``error`` (one of :data:`BUSY_ERRORS`) means the database was too busy, not that something broke."""
    if isinstance(error, exc.TimeoutError):
        return True
    if not isinstance(error, exc.OperationalError):
        return False
    if getattr(error.orig, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    return "database is locked" in str(error.orig)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine``; each checks the text it is about to write (``nemt.store.limits``) before every
    flush, so a value too long for its column is refused alike on SQLite and PostgreSQL, before any write, and
    chains the audit events it commits (``nemt.store.audit_chain``). (Reads are checked by the engine itself:
    :func:`make_engine`.)"""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(factory, "before_flush", limits.check_flush)
    audit_chain.install(factory)  # audit events chained by hash at commit (nemt.store.audit_chain)
    return factory


@cache
def default_engine() -> Engine:
    return make_engine()


def migration_engine() -> Engine:
    """An engine as the database's owner, for migrations and grants: ``NEMT_MIGRATION_DATABASE_URL``, else the
    application's ``NEMT_DATABASE_URL`` (the commands ``nemt db upgrade`` and ``nemt db grant``)."""
    return make_engine(get_settings().migration_database_url or database_url())


@cache
def default_session_factory() -> sessionmaker[Session]:
    """The sessions on :func:`default_engine` (``UnitOfWork()`` without a factory: the commands), made once."""
    return session_factory(default_engine())


def configure_models() -> None:
    """Configure every ORM mapper now: SQLAlchemy otherwise does it at the first query, some 0.5 s of a server's
    first request (nemt.http.warmup)."""
    configure_mappers()


def open_connections(engine: Engine, count: int) -> int:
    """Check out ``count`` connections of ``engine``'s pool at once (each answers ``SELECT 1``) and give them back,
    so the pool holds them open before anyone waits for one (nemt.http.warmup); returns how many were opened."""
    held = []
    try:
        for _ in range(count):
            connection = engine.connect()
            held.append(connection)
            connection.execute(text("SELECT 1"))
    finally:
        for connection in held:
            connection.close()
    return len(held)
