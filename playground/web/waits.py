"""How long a request waits in the model's queue before it starts: the estimate a queued visitor sees.

Gradio estimates a queued request from the average time of earlier runs of the same function (one per tab,
so the first Simplify after ten Translates has no figure) and counts the request's own run in it: the time
until its answer is complete. A visitor waits for the answer to begin, so ours is the time until the request
starts, played forward over the free slots with the median time of a whole request on this model, whatever
the tab (manager.Speeds.per_request).
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable, Sequence

FORGET_S = 3600.0  # the longest a session is remembered in the line
LEFT_S = 10.0  # a session gone from the line this long without starting left it (Stop, a closed tab)


def starts(running: Sequence[float], slots: int | None, waiting: int, per_request: float) -> list[float]:
    """Seconds from now until each of `waiting` queued requests starts, in queue order.

    running: how long each request in progress has run; slots: how many run at once (None: no limit);
    per_request: the measured seconds of one whole request. A request that has run longer than that is taken
    to end now (the estimate then grows with each update while it goes on).
    """
    if slots is None:
        return [0.0] * waiting
    slots = max(slots, 1)
    free = sorted(max(per_request - ran, 0.0) for ran in running)[:slots]
    free += [0.0] * (slots - len(free))
    heapq.heapify(free)
    out = []
    for _ in range(waiting):
        start = heapq.heappop(free)
        out.append(start)
        heapq.heappush(free, start + per_request)
    return out


class Queued:
    """When each session's request was first seen waiting in the model's queue, so the request can say how long
    it waited once it starts (the class record's `waited`). A session that leaves the line without starting
    (Stop while queued, a closed tab) is forgotten soon after, so its next request does not count that wait."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._since: dict[str, tuple[float, float | None]] = {}  # session -> (joined, left the line or None)
        self._clock = clock
        self._lock = threading.Lock()

    def joined(self, sessions: Sequence[str]) -> None:
        """The sessions waiting now (every update of the line gives them all)."""
        now = self._clock()
        waiting = set(sessions)
        with self._lock:
            for session in waiting:
                self._since[session] = (self._since.get(session, (now, None))[0], None)
            for session, (since, left) in list(self._since.items()):
                if session not in waiting and left is None:
                    self._since[session] = (since, now)
                elif left is not None and now - left > LEFT_S or now - since > FORGET_S:
                    del self._since[session]

    def started(self, session: str) -> float:
        """Seconds the session's request waited (0 when it was not seen waiting, or left the line long ago)."""
        now = self._clock()
        with self._lock:
            since, left = self._since.pop(session, (now, None))
        return 0.0 if left is not None and now - left > LEFT_S else (left or now) - since


# A request waiting for the model says its place in line and its wait in words, large enough to be seen: Gradio's
# status line reads "queue: 2/3 | 4.1/40.0s" in small grey type (elapsed / estimated, the estimate from starts()
# above). The words go in an attribute that ui.css shows in place of Gradio's text; the text itself is left to
# Gradio, which redraws it.
QUEUE_WORDS_JS = """() => {
  const nth = (n) => n + ((n % 100 >= 11 && n % 100 <= 13) ? 'th' : ({1: 'st', 2: 'nd', 3: 'rd'}[n % 10] || 'th'));
  const words = (el) => {
    const m = el.textContent.match(/queue:\\s*(\\d+)\\s*\\/\\s*(\\d+)\\s*\\|\\s*([\\d.]+)(?:\\/([\\d.]+))?s/);
    if (!m) { if (el.hasAttribute('data-pg-queue')) el.removeAttribute('data-pg-queue'); return; }
    const [, place, size, waited, eta] = m;
    const left = eta ? Math.max(1, Math.round(parseFloat(eta) - parseFloat(waited))) : null;
    const line = `Waiting for the model: ${nth(+place)} in line of ${size}. ` + (left !== null
      ? `Starts in about ${left} s (from the measured speed).`
      : `Waited ${Math.round(parseFloat(waited))} s (an estimate comes once an answer has been timed).`);
    if (el.getAttribute('data-pg-queue') !== line) el.setAttribute('data-pg-queue', line);
  };
  new MutationObserver(() => document.querySelectorAll('.progress-text').forEach(words))
    .observe(document.body, {subtree: true, childList: true, characterData: true});
}"""
