"""Race helper for the concurrency tests: run actions at the same moment, each in its own thread."""

from __future__ import annotations

import threading
from collections.abc import Callable


def race(*actions: Callable[[], object], timeout: float = 120) -> list[object]:
    """Start the actions together (a barrier releases them at once); what each returned or raised, in order."""
    barrier = threading.Barrier(len(actions), timeout=30)
    outcomes: list[object] = [None] * len(actions)

    def go(n: int) -> None:
        try:
            barrier.wait()
            outcomes[n] = actions[n]()
        except Exception as exc:  # noqa: BLE001 - the outcome is asserted by the caller
            outcomes[n] = exc

    threads = [threading.Thread(target=go, args=(n,)) for n in range(len(actions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return outcomes


def failures(outcomes: list[object]) -> list[BaseException]:
    """The outcomes that are exceptions."""
    return [o for o in outcomes if isinstance(o, BaseException)]
