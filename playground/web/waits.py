"""How long a request waits in the model's queue before it starts: the estimate a queued visitor sees.

Gradio estimates a queued request from the average time of earlier runs of the same function (one per tab,
so the first Simplify after ten Translates has no figure) and counts the request's own run in it: the time
until its answer is complete. A visitor waits for the answer to begin, so ours is the time until the request
starts, played forward over the free slots with the median time of a whole request on this model, whatever
the tab (manager.Speeds.per_request).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence


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
