"""Benchmark of the task queue engines on this machine's brokers: Celery and Dramatiq, each on Redis and RabbitMQ.

For each of the four, with real worker processes:

- **throughput and latency**: one worker process (two threads); 1,000 small tasks enqueued at once (tasks a second
  from the first enqueue to the last finish), then 200 enqueued at 50 a second, a rate the worker keeps up with (the
  time from enqueue to the task's start, p50 and p95: the engine's own delay, not time spent waiting in line);
- **a worker killed mid-task**: two workers (one thread each), one task that runs for a few seconds; the worker
  running it is killed with SIGKILL (the whole process group) and the time until the other worker has finished the
  task is measured — or the task is reported lost when it has not been redelivered within ``--kill-wait`` seconds.
  Both engines acknowledge late here (Celery: ``acks_late`` and ``reject_on_worker_lost``; Dramatiq always does),
  with each engine's default redelivery settings for the broker.

The tasks write their start and end, with the wall-clock time, to a Redis list (database 15) that this process
reads; enqueue and start are on the same machine, so their clocks agree. ``docs/jobs.md`` records the figures and
the choice they led to.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

from benchmarks.burst import stop_process_group

RECORDS_URL = "redis://127.0.0.1:6379/15"
BROKERS = {"redis": "redis://127.0.0.1:6379/14", "rabbitmq": "amqp://guest:guest@127.0.0.1:5672/"}
ENGINES = ("celery", "dramatiq")
PACED, PACED_RATE = 200, 50


def _records() -> Any:
    import redis

    return redis.Redis.from_url(RECORDS_URL)


def probe(records_key: str, tag: str, sent: float, sleep: float) -> None:
    """The benchmark's task: record the start, sleep ``sleep`` seconds (the kill case), record the end."""
    r = _records()
    r.rpush(records_key, json.dumps({"tag": tag, "event": "start", "sent": sent, "t": time.time(),
                                     "group": os.getpgrp()}))
    if sleep:
        time.sleep(sleep)
    r.rpush(records_key, json.dumps({"tag": tag, "event": "end", "t": time.time(), "group": os.getpgrp()}))


# --- each engine: a sender in this process, a worker in a subprocess ----------------------------------------------

def _celery_app(url: str, queue: str) -> Any:
    from celery import Celery

    app = Celery("bench", broker=url if not url.startswith("amqp") else url.rstrip("/") + "//")
    app.conf.update(task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
                    task_default_queue=queue, broker_connection_retry_on_startup=True, worker_hijack_root_logger=False)
    app.task(name="probe")(probe)
    return app


def _dramatiq_actor(url: str, queue: str) -> Any:
    import dramatiq

    from nemt.jobs.queue import broker_for  # the platform's own choice of broker by URL

    broker = broker_for(url)
    dramatiq.set_broker(broker)
    return dramatiq.actor(actor_name="probe", queue_name=queue, broker=broker, max_retries=0)(probe)


def _sender(engine: str, url: str, queue: str) -> Any:
    if engine == "celery":
        app = _celery_app(url, queue)
        return lambda *args: app.send_task("probe", args=list(args), queue=queue)
    actor = _dramatiq_actor(url, queue)
    return lambda *args: actor.send(*args)


def serve(engine: str, url: str, queue: str, threads: int) -> None:
    """A worker of ``engine`` on ``queue`` until SIGTERM (run in a subprocess by the benchmark)."""
    if engine == "celery":
        node = f"bench-{os.getpid()}@%h"  # two workers on one host need two node names
        _celery_app(url, queue).worker_main(["worker", "-Q", queue, "-c", str(threads), "-P", "threads", "-n", node,
                                             "-l", "WARNING", "--without-gossip", "--without-mingle",
                                             "--without-heartbeat"])
        return
    from dramatiq import Worker

    actor = _dramatiq_actor(url, queue)
    actor.broker.emit_after("process_boot")
    worker = Worker(actor.broker, worker_threads=threads)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker.start()
    stop.wait()
    worker.stop()


def _start_worker(engine: str, url: str, queue: str, threads: int) -> subprocess.Popen:
    code = f"from benchmarks.queue import serve; serve({engine!r}, {url!r}, {queue!r}, {threads})"
    return subprocess.Popen([sys.executable, "-c", code], start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _stop(workers: list[subprocess.Popen]) -> None:
    for w in workers:
        stop_process_group(w)


def _events(records_key: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in _records().lrange(records_key, 0, -1)]


def _wait(records_key: str, done, seconds: float) -> list[dict[str, Any]] | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        events = _events(records_key)
        if done(events):
            return events
        time.sleep(0.05)
    return None


# --- the two measurements -------------------------------------------------------------------------------------------

def measure_throughput(engine: str, url: str, tasks: int) -> dict[str, Any]:
    queue, key = _names(engine)
    workers = [_start_worker(engine, url, queue, 2)]
    try:
        send = _sender(engine, url, queue)
        send(key, "warm-up", time.time(), 0.0)
        if _wait(key, lambda ev: any(e["event"] == "end" for e in ev), 60) is None:
            return {"error": "the worker did not start within 60 s"}
        _records().delete(key)
        first = time.time()
        for n in range(tasks):
            send(key, f"t{n}", time.time(), 0.0)
        enqueue_s = time.time() - first
        events = _wait(key, lambda ev: sum(e["event"] == "end" for e in ev) >= tasks, 300)
        if events is None:
            return {"error": f"not all {tasks} tasks ran within 300 s"}
        last = max(e["t"] for e in events if e["event"] == "end")
        _records().delete(key)
        for n in range(PACED):  # latency of a queue that keeps up: PACED tasks at PACED_RATE a second
            send(key, f"p{n}", time.time(), 0.0)
            time.sleep(1 / PACED_RATE)  # not a timed Event.wait: that hangs under a moved clock (libfaketime)
        paced = _wait(key, lambda ev: sum(e["event"] == "end" for e in ev) >= PACED, 120) or []
    finally:
        _stop(workers)
        _cleanup(engine, url, queue, key)
    latencies = sorted((e["t"] - e["sent"]) * 1000 for e in paced if e["event"] == "start")
    return {"tasks": tasks, "enqueue_per_s": round(tasks / enqueue_s),
            "throughput_per_s": round(tasks / (last - first)),
            f"p50_start_ms_at_{PACED_RATE}_per_s": round(_pct(latencies, 50), 1) if latencies else None,
            f"p95_start_ms_at_{PACED_RATE}_per_s": round(_pct(latencies, 95), 1) if latencies else None}


def measure_kill(engine: str, url: str, task_seconds: float, kill_wait: float) -> dict[str, Any]:
    queue, key = _names(engine)
    workers = {w.pid: w for w in (_start_worker(engine, url, queue, 1), _start_worker(engine, url, queue, 1))}
    try:
        send = _sender(engine, url, queue)
        for _ in range(8):  # both workers ready: each has run a warm-up task
            send(key, "warm-up", time.time(), 0.5)
        if _wait(key, lambda ev: len({e["group"] for e in ev if e["event"] == "end"}) == 2, 60) is None:
            return {"error": "the workers did not both start within 60 s"}
        _wait(key, lambda ev: sum(e["event"] == "end" for e in ev) == 8, 30)
        _records().delete(key)
        send(key, "long", time.time(), task_seconds)
        started = _wait(key, lambda ev: any(e["event"] == "start" for e in ev), 30)
        if started is None:
            return {"error": "the task did not start within 30 s"}
        victim = started[0]["group"]
        os.killpg(victim, signal.SIGKILL)
        killed_at = time.time()
        workers[victim].wait()
        done = _wait(key, lambda ev: any(e["event"] == "end" for e in ev), kill_wait)
    finally:
        _stop(list(workers.values()))
        _cleanup(engine, url, queue, key)
    if done is None:
        return {"recovered": False, "note": f"not redelivered within {kill_wait:g} s of the kill"}
    end = next(e for e in done if e["event"] == "end")
    return {"recovered": True, "redelivered_and_finished_s": round(end["t"] - killed_at, 1),
            "task_seconds": task_seconds, "ran_on_the_other_worker": end["group"] != victim}


def _names(engine: str) -> tuple[str, str]:
    tag = secrets.token_hex(4)
    return f"bench-{engine}-{tag}", f"bench-records-{tag}"


def _pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]


def _cleanup(engine: str, url: str, queue: str, key: str) -> None:
    """Best effort: the benchmark's queues and records are removed from the brokers."""
    _records().delete(key)
    try:
        if url.startswith("amqp"):
            import pika

            connection = pika.BlockingConnection(pika.URLParameters(url))
            channel = connection.channel()
            for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
                channel.queue_delete(name)
            connection.close()
        else:
            import redis

            r = redis.Redis.from_url(url)
            for k in r.scan_iter(f"*{queue}*"):
                r.delete(k)
    except Exception:  # noqa: BLE001, S110 - cleaning up is best effort
        pass


def run_benchmark(tasks: int = 1000, task_seconds: float = 4.0, kill_wait: float = 75.0,
                  only: list[str] | None = None, progress: Any = None) -> dict[str, Any]:
    """Both measurements for every engine on every broker (``only``: e.g. ``["dramatiq-rabbitmq"]``)."""
    report: dict[str, Any] = {}
    for engine in ENGINES:
        for broker, url in BROKERS.items():
            name = f"{engine}-{broker}"
            if only and name not in only:
                continue
            if progress:
                progress(name)
            report[name] = {"small_tasks": measure_throughput(engine, url, tasks),
                            "worker_killed": measure_kill(engine, url, task_seconds, kill_wait)}
    return report
