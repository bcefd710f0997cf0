"""An OpenAI-compatible completion stream (its JSON events) turned into Chunks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import EngineError
from .base import Chunk, StopReason


def openai_chunks(events: Iterable[dict[str, Any] | None], base: str) -> Iterator[Chunk]:
    """Chunks from /v1/completions (or chat) events; an answer that ends without a reason is an error."""
    sent = reason = None
    count = 0
    for event in events:
        if event is None:  # cancelled
            yield Chunk("", n_tokens=0, finish_reason=StopReason.CANCELLED)
            return
        choices = event.get("choices") or []
        usage = event.get("usage")
        if choices:
            choice = choices[0]
            text = choice.get("text")
            if text is None:
                text = (choice.get("delta") or {}).get("content") or ""
            reason = choice.get("finish_reason") or reason
            count += 1 if text else 0
            yield Chunk(text, n_tokens=1 if text else 0, finish_reason=StopReason.read(choice.get("finish_reason")))
        if isinstance(usage, dict) and usage.get("completion_tokens") is not None and sent is None:
            sent = int(usage["completion_tokens"])
            if sent > count:  # servers that send several tokens per event: make the total right
                yield Chunk("", n_tokens=sent - count)
    if reason is None:
        raise EngineError(
            f"The model server at {base} ended the answer early without a reason (the partial answer is kept). "
            "llama-cpp-python's server does this when another request arrives: start it with "
            "--interrupt_requests false, or use a server with parallel slots (llama-server -np N, vLLM).")
