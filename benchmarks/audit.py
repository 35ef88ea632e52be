"""Benchmark: what chaining the audit trail costs writers (``python -m benchmarks audit``).

Every audit-writing transaction now locks the one-row chain head from its commit's start to its end
(``nemt.store.audit_chain``), so such commits serialize. This measures audit-writing throughput with N concurrent
writers, each committing transactions of a few events, against the named baseline run the same way: the same rows
inserted without the chain (no head lock, no hash — what the application did before). Each side gets its own fresh
database (a schema of its own on PostgreSQL, a file of its own on SQLite); the chained side is verified afterwards.
"""

from __future__ import annotations

import itertools
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import sessionmaker

from benchmarks.databases import postgres_schema
from nemt.domain.actors import Actor
from nemt.services.platform import audit, audit_chain
from nemt.store import limits
from nemt.store.database import make_engine, normalize_url
from nemt.store.migrate import upgrade
from nemt.store.models import AuditEvent
from nemt.store.uow import UnitOfWork, uow_factory

ACTOR = Actor.system("benchmark")


@contextmanager
def fresh_database(url: str | None) -> Iterator[Engine]:
    """A migrated, empty database: a new schema of ``url`` (PostgreSQL), or a new SQLite file."""
    if url is None or normalize_url(url).startswith("sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
            upgrade(engine)
            yield engine
            engine.dispose()
        return
    with postgres_schema(url, "bench_audit") as (engine, _schema):
        yield engine


def _run(writers: int, transactions: int, commit: Callable[[int], None]) -> float:
    """Seconds for ``writers`` threads to make ``transactions`` commits between them (started together)."""
    barrier = threading.Barrier(writers + 1)
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        barrier.wait()
        try:
            for k in range(number, transactions, writers):
                commit(k)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return elapsed


def _unchained(engine: Engine, events: int) -> Callable[[int], None]:
    """The baseline: the same unit of work and session checks, the rows inserted as they are recorded, numbered from
    a counter in this process — no head lock, no hash."""
    plain = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(plain, "before_flush", limits.check_flush)  # what session_factory adds, but the chain
    numbers = itertools.count(1)

    def commit(k: int) -> None:
        with UnitOfWork(plain) as uow:
            for _ in range(events):
                seq = next(numbers)
                uow.session.add(AuditEvent(username=ACTOR.username, role=ACTOR.role, action="read", entity="bench",
                                           detail={"k": k}, channel="job", endpoint="bench", seq=seq,
                                           prev_hash="-", hash=f"{seq:064d}"))
            uow.commit()

    return commit


def _chained(engine: Engine, events: int) -> Callable[[int], None]:
    make = uow_factory(engine)

    def commit(k: int) -> None:
        with make() as uow:
            for _ in range(events):
                audit.record(uow, ACTOR, "read", "bench", None, k=k)
            uow.commit()

    return commit


def run_benchmark(*, url: str | None, writers: int, transactions: int, events: int) -> dict[str, Any]:
    with fresh_database(url) as engine:
        dialect = engine.dialect.name
        before = _run(writers, transactions, _unchained(engine, events))
    with fresh_database(url) as engine:
        after = _run(writers, transactions, _chained(engine, events))
        with uow_factory(engine)() as uow:
            verdict = audit_chain.verify(uow)
    total = transactions * events
    before_rate, after_rate = total / before, total / after
    return {
        "database": dialect, "writers": writers, "transactions": transactions, "events_per_transaction": events,
        "baseline_unchained_events_per_s": round(before_rate, 1), "chained_events_per_s": round(after_rate, 1),
        "chained_over_baseline": round(after_rate / before_rate, 3),
        "chain_verified": verdict.ok and verdict.events == total,
    }
