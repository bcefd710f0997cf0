"""One generation per distinct request in an evaluation run, shared by the methods that make it.

"pipeline", "checked" and the first candidate of "best-of-n" send the model the same prompt with the
same greedy settings, so they get the same answer; generating it three times only costs time (and, with
the engine's prompt cache, can differ in the last float bits, which would blur what the methods differ
in). Replay wraps the run's engine: the first stream of a request generates and records its pieces, a
later identical request replays them. What a replay saved is added to the attempt's seconds, so the
table's s/item still says what the method costs on its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from ..engines import Chunk, Engine, StopReason
from ..params import GenerationParams, Policy

Key = tuple[str, str, tuple[str, ...]]


class Replay:
    """An Engine that generates each distinct (prompt, settings, stop) once and replays it after that."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.name, self.info = engine.name, engine.info
        self.generated = self.replayed = 0
        self.saved_seconds = 0.0  # generation time the replays did not spend again
        self._seen: dict[Key, tuple[list[Chunk], float]] = {}

    @classmethod
    def concurrency(cls) -> int:
        """One generation at a time: the harness replays answers in order (its graders run in parallel)."""
        return 1

    @property
    def context_size(self) -> int:
        return self.engine.context_size

    def count_tokens(self, text: str) -> int:
        return self.engine.count_tokens(text)

    @staticmethod
    def key(prompt: str, params: GenerationParams, stop: list[str] | None) -> Key:
        """What decides the answer: the prompt, the sampling settings and the stop sequences (not how many
        answers the pipeline may make, nor how it makes the next one: each answer is its own request, so the
        policies at equal budget share their first answer, and a difference between them is theirs)."""
        same = params.model_copy(update={"candidates": 1, "policy": Policy.FRESH})
        return prompt, same.model_dump_json(), tuple(stop or ())

    def close(self) -> None:
        """The wrapped engine is the registry's (load_engine's) to close, not the replay's."""

    def stream(self, prompt: str, params: GenerationParams, stop: list[str] | None = None,
               cancel: threading.Event | None = None) -> Iterator[Chunk]:
        key = self.key(prompt, params, stop)
        if key in self._seen:
            chunks, seconds = self._seen[key]
            self.replayed += 1
            self.saved_seconds += seconds
            yield from chunks
            return
        self.generated += 1
        chunks, start = [], time.perf_counter()
        for chunk in self.engine.stream(prompt, params, stop=stop, cancel=cancel):
            chunks.append(chunk)
            yield chunk
        if not (cancel and cancel.is_set()) and (not chunks or chunks[-1].finish_reason != StopReason.CANCELLED):
            self._seen[key] = chunks, time.perf_counter() - start  # only whole answers are replayed
