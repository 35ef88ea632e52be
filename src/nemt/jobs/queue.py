"""The task queue: Dramatiq on RabbitMQ (``amqp://…``) or Redis (``redis://…``), chosen in docs/jobs.md by
``python -m benchmarks queue``.

The broker carries only a job's key; the job record in the database (``nemt.jobs.records``) holds its parameters,
state, progress and result. A message is acknowledged after the job has run (Dramatiq acknowledges late), so a
worker killed mid-job leaves its message unacknowledged: RabbitMQ hands it to another worker as soon as the dead
worker's connection drops (Redis: once the dead worker's heartbeat is older than the broker's heartbeat timeout),
and that worker claims the job again. Dramatiq's own retries are off (``max_retries=0``): a task that fails has
failed for a reason the record states, and re-running it blindly would not help.
"""

from __future__ import annotations

import threading
from typing import Any

from nemt.jobs.runner import execute

ACTOR = "nemt_job"
#: The longest a job may run (a statewide day's solve is minutes); Dramatiq's default is 10 minutes.
JOB_TIME_LIMIT_MS = 2 * 60 * 60 * 1000

_actors: dict[tuple[str, str], Any] = {}


def broker_for(url: str) -> Any:
    """The Dramatiq broker of ``url`` (``amqp://``/``amqps://``: RabbitMQ; ``redis://``/``rediss://``: Redis)."""
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    if url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url)
    raise ValueError("NEMT_JOBS_BROKER must be an amqp:// or redis:// URL")


def job_actor(url: str, queue: str) -> Any:
    """The one actor of the platform (``nemt_job(key)``) on ``queue`` of the broker of ``url``, made once per
    process and queue."""
    if (url, queue) not in _actors:
        import dramatiq

        broker = broker_for(url)
        dramatiq.set_broker(broker)
        declare = dramatiq.actor(actor_name=ACTOR, queue_name=queue, broker=broker, max_retries=0,
                                 time_limit=JOB_TIME_LIMIT_MS)
        _actors[url, queue] = declare(_run_job)
    return _actors[url, queue]


def _run_job(key: str) -> None:
    from nemt.store.uow import UnitOfWork

    execute(UnitOfWork, key)


class Queued:
    """Sends each job's key to the broker's queue for a worker."""

    def __init__(self, url: str, queue: str):
        self._actor = job_actor(url, queue)

    def send(self, key: str) -> None:
        self._actor.send(key)


def run_worker(url: str, queue: str, threads: int, stop: threading.Event) -> None:
    """Consume jobs with ``threads`` worker threads until ``stop`` is set (SIGTERM/SIGINT in ``nemt jobs worker``);
    a job in hand when the worker stops is finished first (Dramatiq's graceful stop)."""
    from dramatiq import Worker

    actor = job_actor(url, queue)
    broker = actor.broker
    broker.emit_after("process_boot")
    worker = Worker(broker, worker_threads=threads)
    # One message in hand per thread (Dramatiq's default is two): a worker busy with a long job does not hold a second
    # one — a day's region — that an idle worker could be solving (nemt.jobs.region_jobs).
    worker.queue_prefetch = threads
    worker.start()
    try:
        stop.wait()
    finally:
        worker.stop()
        broker.close()
