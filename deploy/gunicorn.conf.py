"""gunicorn configuration of the production server (README, "Running in production").

    gunicorn -c deploy/gunicorn.conf.py nemt.http.app:app

Command-line options override these values (``--bind 0.0.0.0:8000``, ``--workers 5``). The platform's own settings
(database, pool, admission control, timeouts) come from the ``NEMT_…`` environment variables as everywhere else
(``src/nemt/settings.py``).

Connections: every worker keeps its own pool, so the application may open up to
``workers × (NEMT_DB_POOL_SIZE + NEMT_DB_MAX_OVERFLOW)`` connections (3 × (10 + 10) = 60 with the defaults); keep that,
plus the connections of migrations, the command line and the operators, under PostgreSQL's ``max_connections``
(100 by default).
"""

# Each worker is one process with its own event loop, thread pool, connection pool and admission control
# (nemt.http.capacity). One more than the cores keeps them busy while others wait on the database; on a larger
# machine raise it with --workers and check the connection budget above.
workers = 3
worker_class = "uvicorn.workers.UvicornWorker"  # ASGI; the uvicorn-worker package is its successor
bind = "127.0.0.1:8000"  # behind the TLS-terminating proxy on the same host

# Each worker imports and builds the application itself, after the fork: no database connection is shared between
# processes.
preload_app = False

# Measured and left out (python -m benchmarks load, 60-s runs on the 2-core box, 2026-11-30): ``gc.collect();
# gc.freeze()`` in ``post_worker_init`` shortens the worker's full collections (140-230 ms -> 25-65 ms) but put every
# run into a slow state (p50 317-361 ms in 5 runs of 5, against 32-175 ms without it), as warming the ORM's mappers
# at start did at an earlier stop. Why is not known; try it again only beside runs without it.

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
