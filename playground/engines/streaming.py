"""The streaming loop every token-by-token engine shares: tokens in, text pieces out.

It decodes UTF-8 incrementally (a character split over two tokens waits for its second half), ends
the answer at the first stop sequence (never showing it, even when it arrives split over tokens),
and checks `cancel` before every token, so Stop takes effect between two tokens.
"""

from __future__ import annotations

import codecs
import threading
from collections.abc import Callable, Iterable, Iterator

from .base import Chunk, StopReason


def held_back(text: str, stops: list[str]) -> int:
    """How many trailing characters could be the start of a stop sequence (hold them back)."""
    keep = 0
    for stop in stops:
        for n in range(min(len(stop) - 1, len(text)), keep, -1):
            if text.endswith(stop[:n]):
                keep = n
                break
    return keep


def stream_tokens(
    tokens: Iterable[int],
    token_bytes: Callable[[int], bytes],
    *,
    stop: list[str] | None,
    max_tokens: int,
    cancel: threading.Event | None = None,
    is_end: Callable[[int], bool] | None = None,
) -> Iterator[Chunk]:
    """Turn a token stream into Chunks; the last one carries the finish reason (stop, length, cancelled).

    The caller owns `tokens` (a generator it closes when this ends).
    """
    stops = [s for s in (stop or []) if s]
    decoder = codecs.getincrementaldecoder("utf-8")("replace")  # holds a split character
    text, sent, count, reason = "", 0, 0, StopReason.STOP  # a stream that ends by itself ended at end of text
    for token in tokens:
        if cancel is not None and cancel.is_set():
            reason = StopReason.CANCELLED
            break
        if is_end is not None and is_end(token):
            break
        count += 1
        text += decoder.decode(token_bytes(token))
        hit = min((i for i in (text.find(s, max(0, sent - len(s))) for s in stops) if i >= 0), default=-1)
        if hit >= 0:
            yield Chunk(text[sent:hit], finish_reason=StopReason.STOP)
            return
        upto = len(text) - held_back(text, stops)
        yield Chunk(text[sent:upto])
        sent = upto
        if count >= max_tokens:
            reason = StopReason.LENGTH
            break
    text += decoder.decode(b"", final=True)
    yield Chunk(text[sent:], n_tokens=0, finish_reason=reason)
