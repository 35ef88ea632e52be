"""One uvicorn process serving the application under cProfile, for :mod:`benchmarks.load`'s ``--profile``.

    python -m benchmarks.load_profile --port 8000 --out server.pstats

py-spy is not installed here, and cProfile sees only the thread that enables it, while FastAPI runs the synchronous
endpoints and dependencies in a thread pool. So every call FastAPI hands to the pool (``run_in_threadpool``: the
endpoint, its dependencies, the answer's validation) runs under a profiler of its thread, and the event loop's thread
is profiled as a whole. When the server stops (SIGTERM, SIGINT), the profiles are merged and written to ``--out``
(pstats), with the 40 most expensive functions by cumulative time in ``--out`` + ``.txt``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_local = threading.local()
_profiles: list[cProfile.Profile] = []
_lock = threading.Lock()


def _thread_profile() -> cProfile.Profile:
    profile = getattr(_local, "profile", None)
    if profile is None:
        profile = _local.profile = cProfile.Profile()
        with _lock:
            _profiles.append(profile)
    return profile


def _profiled(run_in_threadpool: Callable[..., Any]) -> Callable[..., Any]:
    async def wrapper(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def call() -> T:
            return _thread_profile().runcall(func, *args, **kwargs)

        return await run_in_threadpool(call)

    return wrapper


def install() -> None:
    """Profile every call FastAPI runs in its thread pool."""
    import fastapi.concurrency
    import fastapi.dependencies.utils
    import fastapi.routing

    for module in (fastapi.concurrency, fastapi.dependencies.utils, fastapi.routing):
        if hasattr(module, "run_in_threadpool"):
            module.run_in_threadpool = _profiled(module.run_in_threadpool)


def write(main: cProfile.Profile, out: str) -> None:
    stats = pstats.Stats(main)
    for profile in _profiles:
        stats.add(profile)
    stats.dump_stats(out)
    text = io.StringIO()
    pstats.Stats(out, stream=text).sort_stats("cumulative").print_stats(40)
    with open(out + ".txt", "w") as f:
        f.write(text.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    import uvicorn

    install()
    main_profile = cProfile.Profile()

    def stop(signum: int, _frame: Any) -> None:
        # uvicorn handles the signal itself, then raises it again to the handler found before it started: this one.
        main_profile.disable()
        write(main_profile, args.out)
        raise SystemExit(0)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    main_profile.enable()
    uvicorn.run("nemt.http.app:app", host=args.host, port=args.port, log_level="warning")

if __name__ == "__main__":
    main()
