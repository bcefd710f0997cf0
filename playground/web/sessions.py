"""The generations in progress, by browser session and task: Stop and a closed browser tab end them."""

from __future__ import annotations

import threading


class Runs:
    """The generations in progress, by (session, task): Stop and a closed browser tab end them."""

    def __init__(self) -> None:
        self._runs: dict[tuple[str, str], tuple[threading.Event, threading.Event, list[object]]] = {}
        self._lock = threading.Lock()

    def start(self, key: tuple[str, str]) -> threading.Event:
        """Register a new generation; returns the Event that cancels it."""
        cancel = threading.Event()
        with self._lock:
            previous = self._runs.get(key)
            self._runs[key] = (cancel, threading.Event(), [])
        if previous is not None:
            previous[0].set()  # one generation per session and task
        return cancel

    def finish(self, key: tuple[str, str], cancel: threading.Event, outcome: object = None) -> None:
        """Mark the generation with this cancel Event as ended, leaving its last state for stop()."""
        with self._lock:
            run = self._runs.get(key)
            if run is None or run[0] is not cancel:
                return
            del self._runs[key]
        run[2].append(outcome)
        run[1].set()

    def stop(self, key: tuple[str, str], wait: float = 10.0) -> tuple[bool, object]:
        """Cancel a generation between two tokens, wait for it to end: (whether one ran, its last state)."""
        with self._lock:
            run = self._runs.get(key)
        if run is None:
            return False, None
        run[0].set()
        run[1].wait(wait)
        return True, (run[2][0] if run[2] else None)

    def active(self) -> int:
        """How many generations are running."""
        with self._lock:
            return len(self._runs)
