"""Run a stream in a thread of its own and hand on only its newest item, at most every `interval` seconds.

Why: Gradio calls a generator handler one step at a time and does its own work (postprocessing,
diffing, sending) between two steps. Generating inside the handler therefore paused the model
for that work on every update; on 2 cores that cost about a quarter of the tokens/s (bench/ui.py).
Here the model keeps generating in the producer thread while the web server handles an update,
and the handler picks up whatever is newest when it is ready again.

The stream's items must be cumulative (each holds everything so far, as a streamed Result does),
so skipping intermediate ones loses nothing. A Pace shared by the streams keeps the updates per second
of the whole server bounded: with 8 answers streaming on a llama-server engine, Gradio's work for 20
updates a second each made the app's process take 0.33 of the 2 cores the model needs; 0.20 with the budget
(bench/classroom.py).
Each item is handed on as it is: the stream's items must be values (a Result is), not one object changed in place.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Pace:
    """A budget of updates per second shared by the streams running at once: with one or two streams each
    gets the floor interval; with more, each waits longer, so the web server's work per second stays bounded
    while many people generate (the model gets the cores, the answers arrive as fast, in larger steps)."""

    def __init__(self, rate: float = 40.0, floor: float = 0.05) -> None:
        self.rate, self.floor = rate, floor
        self.running = 0
        self._lock = threading.Lock()

    def interval(self) -> float:
        """Seconds between two updates of one stream now."""
        return max(self.floor, self.running / self.rate)

    def join(self) -> None:
        with self._lock:
            self.running += 1

    def leave(self) -> None:
        with self._lock:
            self.running -= 1


class Latest(Generic[T]):
    """Iterate to get the newest item: the first one at once, then at most one per `interval`, always the
    last one; an exception raised by the stream is raised here once its earlier items were handed on."""

    def __init__(self, items: Iterable[T], interval: float = 0.05, name: str = "stream",
                 pace: Pace | None = None) -> None:
        self.interval = interval
        self._pace = pace
        if pace is not None:
            pace.join()
        self._cond = threading.Condition()
        self._newest: T | None = None
        self._fresh = False  # an item not handed on yet
        self._done = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._produce, args=(items,), name=name, daemon=True)
        self._thread.start()

    def _produce(self, items: Iterable[T]) -> None:
        try:
            for item in items:
                with self._cond:
                    # Wake the consumer only when it has nothing to hand on: while it waits for an item's turn
                    # it wakes by itself, so a notify per token would only cost a thread switch per token.
                    if not self._fresh:
                        self._cond.notify()
                    self._newest, self._fresh = item, True
        except BaseException as exc:  # handed to the consumer, which raises it in its own thread
            self._error = exc
        finally:
            if self._pace is not None:
                self._pace.leave()
            with self._cond:
                self._done = True
                self._cond.notify()

    def __iter__(self) -> Iterator[T]:
        due = 0.0  # the first item goes out at once
        while True:
            with self._cond:
                # Wait for an item and for its turn; the end of the stream does not wait for a turn.
                while not self._done and not (self._fresh and time.monotonic() >= due):
                    self._cond.wait(max(0.0, due - time.monotonic()) if self._fresh else None)
                if not self._fresh:
                    break
                item, self._fresh = self._newest, False
            interval = self.interval if self._pace is None else max(self.interval, self._pace.interval())
            due = time.monotonic() + interval  # from the hand-over: the consumer's own time counts in it
            if item is not None:  # always: an item is fresh only once it is set
                yield item
        self._raise()

    def rest(self) -> T | None:
        """Wait for the stream to end (after a cancel, or to know how it ended): its newest item if it was
        not handed on yet, else None; raises the stream's exception."""
        self._thread.join()
        with self._cond:
            item, fresh, self._fresh = self._newest, self._fresh, False
        self._raise()
        return item if fresh else None

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error
