"""A server process warms itself before it takes its first request (``python -m benchmarks load``, issue 18).

A worker that has just started pays for several things once, on the first requests it answers, while the requests
queued behind them wait: measured on the 2-core box against one fresh ``nemt serve``, the first member search took
310 ms and the first booking 180 ms, against 20-45 ms for the next ones; with several workers starting at once the
first seconds of a day's load answered in 1 to 2.5 s. The costs, each paid here instead, in the server's start-up
(the lifespan), before the process accepts a connection:

- **the ORM's mappers**: SQLAlchemy configures every mapper at the first query (0.5 s of the first request's CPU);
- **the routes**: FastAPI builds each router's route state at the first request that walks through it (0.3 s): one
  request for a path no route answers walks through them all, answered 404 without touching the database;
- **the database connections**: the connections the process will use at once (``max_in_flight``, at most the
  pool's size) are opened now, not while a caller waits.

Measured with the warm-up, against one fresh ``nemt serve``: the first member search 78 ms, the first booking 136 ms.
What is left of the first request's extra cost is SQLAlchemy compiling each statement once (some 100 ms over a
worker's first few requests), which only the statements themselves can warm.

Measured and left out: ``gc.collect(); gc.freeze()`` at the end of the warm-up. A full collection in a serving
worker pauses it for 150-650 ms, and after the freeze for 20-120 ms (``gc.callbacks`` in the workers), but one of the
two runs of the load with the freeze that had the machine to themselves went into a slow state (p50 326 ms, the
other 85 ms; a third, slow too, overlapped another run), as all five did at an earlier stop
(``deploy/gunicorn.conf.py``); why is not known. Measured again on 2026-12-01 (90-s runs, 6 workers, steal under
1 %): with the freeze no worker made a single full collection during the load, yet p50 was 191 and 257 ms (the
second run froze without collecting first); without it 54, 142 and 76 ms, about one full collection of 290-760 ms
per worker per run. CPU per request was the same (20-22 ms) and the workers' shares even, so the freeze's slow runs
are not its collections; the cause is still not known. Most of a worker's full collections (four of 150-800 ms each)
come in its start-up, before the warm-up ends.

All the figures above were measured under the load client's bursts of those days: every one of the 50 requests of a
second sent at the same instant (``benchmarks.load_pacing`` says why). With the requests spread over each second, as
the test means them, six workers answered the first second of the load at p50 33 ms and slowest 170 ms, and the rest
of the run at p50 10-15 ms (2026-12-01).

Only the served application warms itself (``nemt serve``, gunicorn: ``nemt.http.app.__getattr__``); the tests'
applications do not.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio

from nemt.settings import get_settings
from nemt.store.database import configure_models, open_connections

log = logging.getLogger("nemt.http.warmup")

NO_SUCH_PATH = "/nemt-warm-up/no-such-page"


@asynccontextmanager
async def warmed(app: Any) -> AsyncIterator[None]:
    """The served application's lifespan: :func:`warm_up` before the first request, nothing at the end."""
    await warm_up(app)
    yield


async def warm_up(app: Any) -> dict[str, float]:
    """Pay the first request's costs now (see the module's docstring); returns the milliseconds each step took."""
    took: dict[str, float] = {}
    started = time.perf_counter()
    configure_models()
    took["mappers"] = _ms_since(started)

    started = time.perf_counter()
    status = await _request_nothing(app)
    took["routes"] = _ms_since(started)

    started = time.perf_counter()
    settings = get_settings()
    opened = await anyio.to_thread.run_sync(open_connections, app.state.engine,
                                            max(1, min(settings.max_in_flight or 1, settings.db_pool_size)))
    took["connections"] = _ms_since(started)
    log.info("warmed up before the first request: %s (the routes answered %s; %s connections open)",
             ", ".join(f"{step} {ms:.0f} ms" for step, ms in took.items()), status, opened)
    return took


async def _request_nothing(app: Any) -> int:
    """One GET of :data:`NO_SUCH_PATH` through the whole application (every middleware, every router); its status."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": NO_SUCH_PATH, "raw_path": NO_SUCH_PATH.encode(), "root_path": "", "query_string": b"",
             "headers": [(b"host", b"localhost")], "client": ("127.0.0.1", 0), "server": ("127.0.0.1", 80),
             "state": {}}
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    await app(scope, receive, send)
    return status


def _ms_since(started: float) -> float:
    return 1000 * (time.perf_counter() - started)
