"""What the web app needs of Gradio beyond its public API, in one place.

Written for Gradio 6.0 to 6.31 (requirements.txt keeps it below 7). Three private parts:

- a function's `_mcp_type`, where Gradio's own `gr.mcp` decorators record its MCP role; a role other than
  "tool" keeps a public endpoint off the MCP server's tool list (tests/test_mcp.py checks the list);
- `Blocks._queue.sleep_when_free`, the seconds the queue's scheduler sleeps between looks for new events;
- `Blocks._queue.broadcast_estimations`, which sends each queued event its rank and estimated wait, with the
  queue's `event_queue_per_concurrency_id` (waiting events, start times of running ones, the limit).

A release that renames one makes tests/test_mcp.py fail (the tab endpoints show up as tools), leaves the
queue polling every 1 ms (bench/ui.py's idle CPU figure) or makes tests/test_queue_estimate.py fail (Gradio's
own estimate comes back); this file is then the one to change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import gradio as gr
from gradio.server_messages import EstimationMessage

WRITTEN_FOR = "gradio 6.0-6.31"


def keep_off_mcp_tools(endpoint: Callable[..., Any]) -> None:
    """Mark a public endpoint so that Gradio's MCP server does not list it as a tool (a page, not a tool)."""
    endpoint._mcp_type = "page"  # type: ignore[attr-defined]  # Gradio reads this attribute of functions


def slow_queue_poll(demo: gr.Blocks, seconds: float) -> None:
    """Let the queue's scheduler look for new events every `seconds` at most, instead of every 1 ms."""
    queue = getattr(demo, "_queue", None)
    if queue is not None and hasattr(queue, "sleep_when_free"):
        queue.sleep_when_free = max(queue.sleep_when_free, seconds)


Estimate = Callable[[list[float], int | None, list[str]], list[float] | None]


def estimate_waits(demo: gr.Blocks, concurrency_id: str, estimate: Estimate) -> None:
    """Let `estimate(running, limit, waiting)` say how long the events queued in one concurrency group wait:
    `running` the seconds each event in progress has run, `limit` the group's concurrency limit, `waiting`
    the queued events' session hashes, in order; it returns seconds per queued event in order, or None for no
    estimate (the page then shows only the rank and the time waited). Other groups keep Gradio's estimate."""
    queue = getattr(demo, "_queue", None)
    gradios = getattr(queue, "broadcast_estimations", None)
    if queue is None or gradios is None:
        return

    def broadcast(group_id: str, after: int | None = None) -> None:
        group = queue.event_queue_per_concurrency_id.get(group_id)
        if group_id != concurrency_id or group is None:
            gradios(group_id, after)
            return
        now = time.time()
        running = [now - began for began_times in group.start_times_per_fn.values() for began in began_times]
        waiting = list(group.queue)
        estimated = estimate(running, group.concurrency_limit, [str(event.session_hash) for event in waiting])
        waits: list[float | None] = list(estimated) if estimated is not None else [None] * len(waiting)
        for rank, (event, wait) in enumerate(zip(waiting, waits, strict=True)):
            if after is None or rank >= after:
                queue.send_message(event, EstimationMessage(rank=rank, rank_eta=wait, queue_size=len(waiting)))

    queue.broadcast_estimations = broadcast
