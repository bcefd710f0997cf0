"""Server-sent events of an OpenAI-compatible stream, turned into Chunks; a server's error body made short."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx

from ..errors import EngineError
from .base import Chunk


def detail(response: httpx.Response) -> str:
    """The server's own short error message."""
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()[:200] or response.reason_phrase
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", data))
        if isinstance(error, dict):
            error = error.get("message", error)
        return str(error)[:200]
    return str(data)[:200]


def read_events(response: httpx.Response, cancel: threading.Event | None, base: str) -> Iterator[Chunk]:
    """Turn a server-sent event stream into Chunks; an answer that ends without a reason is an error."""
    sent = reason = None
    count = 0
    for line in response.iter_lines():
        if cancel is not None and cancel.is_set():
            yield Chunk("", n_tokens=0, finish_reason="cancelled")
            return  # leaving the block closes the connection, which stops the server's generation
        if not line.startswith("data:"):
            continue  # blank separators, ": ping" comments, event:/id:/retry: fields
        data = line[5:].strip()
        if data == "[DONE]":
            break
        event = _parse_event(data, base)
        choices = event.get("choices") or []
        usage = event.get("usage")
        if choices:
            choice = choices[0]
            text = choice.get("text")
            if text is None:
                text = (choice.get("delta") or {}).get("content") or ""
            reason = choice.get("finish_reason") or reason
            count += 1 if text else 0
            yield Chunk(text, n_tokens=1 if text else 0, finish_reason=choice.get("finish_reason"))
        if isinstance(usage, dict) and usage.get("completion_tokens") is not None and sent is None:
            sent = int(usage["completion_tokens"])
            if sent > count:  # servers that send several tokens per event: make the total right
                yield Chunk("", n_tokens=sent - count)
    if reason is None:
        raise EngineError(
            f"The model server at {base} ended the answer early without a reason (the partial answer is kept). "
            "llama-cpp-python's server does this when another request arrives: start it with "
            "--interrupt_requests false, or use a server with parallel slots (llama-server -np N, vLLM).")


def _parse_event(data: str, base: str) -> dict[str, Any]:
    try:
        event = json.loads(data)
    except ValueError:
        raise EngineError(
            f"The model server at {base} sent an event that is not JSON ({data[:80]!r}): it does not look "
            "like an OpenAI-compatible server. Check PLAYGROUND_OPENAI_BASE_URL.") from None
    if not isinstance(event, dict):
        raise EngineError(f"The model server at {base} sent an unexpected event ({data[:80]!r}).")
    if "error" in event:
        error = event["error"]
        message = error.get("message", error) if isinstance(error, dict) else error
        raise EngineError(f"The model server at {base} reported an error mid-answer: {message}. Try again.")
    return event
