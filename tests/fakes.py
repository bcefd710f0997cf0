"""Stand-in engines for UI wiring tests only (never for claims about generation), on one base class.

- FakeEngine: streams the pieces a subclass gives (echo, payload), honouring Stop, max_tokens, a delay and
  a failure after N pieces (an engine dying mid-stream).
- Wrapped: the real engine behind the same knobs (counts calls, dies after N chunks).
- ScriptedEngine: answers with the texts a test gives, one per generation, so the pipeline's round logic
  (candidates, no harm, repair rounds, extraction, stop) is tested with exact expected results. What the
  model would write is never claimed from it: that is the real models' tests and the evaluation.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Iterable, Iterator

from playground.engines import Chunk, Engine, StopReason, register_engine
from playground.models import ModelInfo
from playground.params import GenerationParams


class FakeEngine:
    """An engine whose answer is `pieces(prompt)`, one Chunk each; one generation at a time."""

    name = "fake"

    def __init__(self, model: str | None = None, delay: float = 0.0, fail_after: int | None = None) -> None:
        self.info = self.model_info()
        self.delay = delay
        self.fail_after = fail_after  # raise mid-stream after this many pieces
        self.calls = 0
        self._lock = threading.Lock()

    def model_info(self) -> ModelInfo:
        return ModelInfo(name=self.name, context_length=4096)

    @classmethod
    def concurrency(cls) -> int:
        return 1

    @property
    def context_size(self) -> int:
        return self.info.context_length

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def pieces(self, prompt: str, params: GenerationParams, stop: list[str] | None,
               cancel: threading.Event | None) -> Iterable[Chunk]:
        return ()

    def close(self) -> None:
        """Nothing to free."""

    def stream(self, prompt: str, params: GenerationParams, stop: list[str] | None = None,
               cancel: threading.Event | None = None) -> Iterator[Chunk]:
        self.calls += 1
        with self._lock:
            for n, chunk in enumerate(self.pieces(prompt, params, stop, cancel)):
                if cancel is not None and cancel.is_set():
                    return
                if self.fail_after is not None and n >= self.fail_after:
                    raise RuntimeError("the model process crashed: llama_decode returned -1")
                if self.delay:
                    time.sleep(self.delay)
                yield chunk


@register_engine("echo")
class EchoEngine(FakeEngine):
    """Streams back the last fenced block of the prompt, word by word."""

    name = "echo"

    def pieces(self, prompt: str, params: GenerationParams, stop: list[str] | None,
               cancel: threading.Event | None) -> Iterable[Chunk]:
        blocks = re.findall(r"```[^\n]*\n(.*?)```", prompt, flags=re.S)
        body = (blocks[-1] if blocks else prompt) + "```\nEcho: the input, repeated."
        return [Chunk(piece) for piece in re.findall(r"\S+\s*|\s+", body)][:params.max_tokens]


class Wrapped(FakeEngine):
    """The real engine `inner`, counting stream() calls and optionally dying after some chunks."""

    def __init__(self, inner: Engine, delay: float = 0.0, fail_after: int | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        super().__init__(delay=delay, fail_after=fail_after)

    def model_info(self) -> ModelInfo:
        return self.inner.info

    @property
    def context_size(self) -> int:
        return self.inner.context_size

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def pieces(self, prompt: str, params: GenerationParams, stop: list[str] | None,
               cancel: threading.Event | None) -> Iterable[Chunk]:
        return self.inner.stream(prompt, params, stop, cancel)


_SCRIPTS = itertools.count(1)


class ScriptedEngine(FakeEngine):
    """Answers each generation with the next of the texts given, in word-sized pieces, cut at the request's
    stop strings and at max_tokens pieces. The prompts it was sent are kept in `prompts`; a generation beyond
    the script fails the test. Each instance names its model anew, so no cache (the model's example calls)
    carries one test's answers into another."""

    name = "scripted"

    def __init__(self, *answers: str, delay: float = 0.0, fail_after: int | None = None) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []
        self.number = next(_SCRIPTS)
        super().__init__(delay=delay, fail_after=fail_after)

    def model_info(self) -> ModelInfo:
        return ModelInfo(name=f"scripted-{self.number}", context_length=4096)

    def pieces(self, prompt: str, params: GenerationParams, stop: list[str] | None,
               cancel: threading.Event | None) -> Iterable[Chunk]:
        self.prompts.append(prompt)
        assert self.answers, f"generation {len(self.prompts)} was not scripted; its prompt ends: {prompt[-300:]!r}"
        text = self.answers.pop(0)
        for s in stop or []:
            text = text.split(s)[0] if s else text
        words = re.findall(r"\S+\s*|\s+", text)
        cut = words[:params.max_tokens]
        finish = StopReason.LENGTH if len(words) > len(cut) else StopReason.STOP
        return [Chunk(w, finish_reason=finish if n == len(cut) - 1 else None) for n, w in enumerate(cut)]
