"""gunicorn configuration of the production server (README, "Running in production").

    gunicorn -c deploy/gunicorn.conf.py nemt.http.app:app

Command-line options override these values (``--bind 0.0.0.0:8000``, ``--workers 5``). The platform's own settings
(database, pool, admission control, timeouts) come from the ``NEMT_…`` environment variables as everywhere else
(``src/nemt/settings.py``).

Connections: every worker keeps its own pool, so the application may open up to
``workers × (NEMT_DB_POOL_SIZE + NEMT_DB_MAX_OVERFLOW)`` connections (6 × (5 + 5) = 60 on 2 cores with the pool
``post_fork`` sets); keep that, plus the connections of migrations, the command line and the operators, under
PostgreSQL's ``max_connections`` (100 by default).
"""

import os

# Each worker is one process with its own event loop, thread pool, connection pool and admission control
# (nemt.http.capacity). Three per core: a worker runs Python one thread at a time, and a request's thread that gets
# its database answer waits for the others of its process to let go (the interpreter's lock); spread over more
# processes, fewer requests share one. Measured with ``python -m benchmarks load`` (60-s runs, 2-core box,
# 2026-12-01, in the quieter first half hour): p99 after the first 10 s 170-180 ms with 6 or 8 workers in five runs,
# 300-345 ms with 3 in four of five (170 in one) — under the load client's bursts of that time (all 50 requests of
# a second sent at once; benchmarks.load_pacing). With the requests spread over each second (2026-12-01): p99 28 ms
# with 6 workers against 45 ms with one process (5-min runs), and 31, 29 and 27 ms with 6, 3 and 2 workers (90-s
# runs): at 50 requests a second the count hardly matters; the three per core are for the bursts. On a larger
# machine check the connection budget below.
workers = 3 * (os.cpu_count() or 1)
worker_class = "uvicorn.workers.UvicornWorker"  # ASGI; the uvicorn-worker package is its successor
bind = "127.0.0.1:8000"  # behind the TLS-terminating proxy on the same host

# Each worker imports and builds the application itself, after the fork: no database connection is shared between
# processes.
preload_app = False

# Each worker warms itself before its first request (nemt.http.warmup: the ORM's mappers, the routes, its database
# connections). Measured and left out (python -m benchmarks load, 60-s runs on the 2-core box, 2026-11-30 and
# 2026-12-01, under the load client's bursts of those days): ``gc.collect(); gc.freeze()`` shortens a worker's full
# collections (140-650 ms -> 20-120 ms) but put runs into a slow state (p50 317-361 ms in 5 runs of 5 on 2026-11-30,
# 326 ms in 1 of 2 on 2026-12-01, against 32-175 ms without it). Why is not known; try it again only beside runs
# without it.


def post_fork(server, worker):
    """Each worker's share, unless the environment says otherwise: 5 requests at once, each on one of the 5
    connections its pool keeps open (5 more only for what comes beside them, such as the health check), so
    ``workers × 10`` stays under PostgreSQL's 100 connections (60 on 2 cores; README, "Running in production"). No
    more requests at once than kept connections: with 10 at once on a pool of 5, the connections beyond the pool were
    opened and closed again all day (a new PostgreSQL process each time). Set in the worker, after the fork: the
    arbiter's own environment stays as it was."""
    os.environ.setdefault("NEMT_MAX_IN_FLIGHT", "5")
    os.environ.setdefault("NEMT_DB_POOL_SIZE", "5")
    os.environ.setdefault("NEMT_DB_MAX_OVERFLOW", "5")

# A worker whose event loop stops answering gunicorn's heartbeat for this long is killed and replaced: the last line
# of defence against a wedge. Requests themselves are bounded far sooner (queue wait, pool and statement timeouts).
timeout = 60
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then, so a slow leak cannot build up; the jitter keeps them from restarting together.
max_requests = 20_000
max_requests_jitter = 2_000

# A waiting connection is cheap; admission control decides what is worked on (NEMT_MAX_IN_FLIGHT per worker).
backlog = 2048

# The error log to stderr. No access log by default: the reverse proxy keeps one, and no URL carries member data,
# but there is no need for two.
errorlog = "-"
loglevel = "info"
