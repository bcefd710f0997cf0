"""What the web app needs of Gradio beyond its public API, in one place.

Written for Gradio 6.0 to 6.31 (requirements.txt keeps it below 7). Two private parts:

- a function's `_mcp_type`, where Gradio's own `gr.mcp` decorators record its MCP role; a role other than
  "tool" keeps a public endpoint off the MCP server's tool list (tests/test_mcp.py checks the list);
- `Blocks._queue.sleep_when_free`, the seconds the queue's scheduler sleeps between looks for new events.

A release that renames one makes tests/test_mcp.py fail (the tab endpoints show up as tools) or leaves the
queue polling every 1 ms (bench/ui.py's idle CPU figure); this file is then the one to change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

WRITTEN_FOR = "gradio 6.0-6.31"


def keep_off_mcp_tools(endpoint: Callable[..., Any]) -> None:
    """Mark a public endpoint so that Gradio's MCP server does not list it as a tool (a page, not a tool)."""
    endpoint._mcp_type = "page"  # type: ignore[attr-defined]  # Gradio reads this attribute of functions


def slow_queue_poll(demo: gr.Blocks, seconds: float) -> None:
    """Let the queue's scheduler look for new events every `seconds` at most, instead of every 1 ms."""
    queue = getattr(demo, "_queue", None)
    if queue is not None and hasattr(queue, "sleep_when_free"):
        queue.sleep_when_free = max(queue.sleep_when_free, seconds)
