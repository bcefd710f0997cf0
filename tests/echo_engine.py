"""A deterministic engine for UI-wiring tests only (never for claims about generation).

It answers with a fenced block that repeats the last fenced block of the prompt, one
character-group at a time, so a test can see streaming, stopping and rendering without a model.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

from playground.engines import Chunk, ModelInfo, register_engine
from playground.params import GenerationParams


@register_engine("echo")
class EchoEngine:
    """Streams back the code found in the prompt, word by word, with an optional delay."""

    name = "echo"
    can_logprobs = False
    can_infill = False
    max_concurrency = 1

    def __init__(self, model: str | None = None, delay: float = 0.0, fail_after: int | None = None) -> None:
        self.info = ModelInfo(name="echo", context_length=4096, chat_template=None)
        self.delay = delay
        self.fail_after = fail_after  # raise mid-stream after this many pieces (an engine dying)
        self._lock = threading.Lock()

    @property
    def context_size(self) -> int:
        return self.info.context_length

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def stream(
        self,
        prompt: str,
        params: GenerationParams,
        stop: list[str] | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[Chunk]:
        blocks = re.findall(r"```[^\n]*\n(.*?)```", prompt, flags=re.S)
        body = (blocks[-1] if blocks else prompt) + "```\nEcho: the input, repeated."
        with self._lock:
            for n, piece in enumerate(re.findall(r"\S+\s*|\s+", body)):
                if (cancel is not None and cancel.is_set()) or n >= params.max_tokens:
                    return
                if self.fail_after is not None and n >= self.fail_after:
                    raise RuntimeError("echo engine died")
                if self.delay:
                    time.sleep(self.delay)
                yield Chunk(piece)
