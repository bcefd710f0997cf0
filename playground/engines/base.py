"""What an engine is: one small protocol for streaming, and declared protocols for what some engines can do more.

An engine turns a prompt string into a stream of text pieces; it knows nothing about tasks. A caller that
needs more (the teaching view steps token by token) checks for the capability's protocol with isinstance.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

import numpy as np

from ..models import ModelInfo
from ..params import GenerationParams


class StopReason(StrEnum):
    """Why an answer ended (equal to the string the OpenAI API and `--json` use)."""

    STOP = "stop"  # the end of the text or a stop string
    LENGTH = "length"  # max_tokens
    CANCELLED = "cancelled"  # Stop, or a closed browser tab

    @classmethod
    def read(cls, value: object) -> StopReason | None:
        """A server's finish_reason as a StopReason: None while it has not finished; an unknown reason (a
        server's own, e.g. "content_filter") ended the text, so STOP."""
        if value is None or value == "":
            return None
        return next((reason for reason in cls if reason.value == value), cls.STOP)


@dataclass
class Chunk:
    """One streamed piece of an answer (usually one token)."""

    text: str
    n_tokens: int = 1
    finish_reason: StopReason | None = None  # on the last piece
    # On the last piece, when the engine can tell: prompt_tokens, cached_tokens (reused from the cache).
    usage: dict[str, int] | None = None


@runtime_checkable
class Engine(Protocol):
    """What every engine provides: facts about its model, token counting, and one streaming method."""

    name: str
    info: ModelInfo

    @classmethod
    def concurrency(cls) -> int:
        """How many generations the engine runs at once with the current settings (the web app's queue)."""
        ...

    @property
    def context_size(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def stream(
        self,
        prompt: str,
        params: GenerationParams,
        stop: list[str] | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[Chunk]: ...

    def close(self) -> None:
        """Free what the engine holds (a model's memory, a server process, connections) now; called once,
        when the app switches models or exits."""
        ...


@dataclass(frozen=True)
class Distribution:
    """The model's next-token distribution at one step: its most likely tokens and the full normaliser."""

    ids: np.ndarray  # int64, most likely first
    logits: np.ndarray  # float64 scores of those ids (raw logits, or log-probabilities with logsumexp 0)
    logsumexp: float  # over the whole vocabulary, so probabilities stay exact
    n_vocab: int

    @classmethod
    def from_logits(cls, logits: np.ndarray, keep: int) -> Distribution:
        """Keep the `keep` most likely tokens of a full logits vector.

        The full vector stays in its own precision (float32 from llama.cpp) and is copied once: with Qwen's
        151,936 tokens a float64 copy, a negated copy and two temporaries cost more than the step itself.
        """
        z = np.asarray(logits)
        n = z.size
        keep = min(keep, n)
        ids = np.argpartition(z, n - keep)[n - keep:] if keep < n else np.arange(n)
        kept = z[ids].astype(np.float64)
        order = np.argsort(-kept, kind="stable")
        ids, kept = ids[order], kept[order]
        top = float(kept[0])
        scratch = np.subtract(z, top, dtype=z.dtype if np.issubdtype(z.dtype, np.floating) else np.float64)
        np.exp(scratch, out=scratch)
        return cls(ids.astype(np.int64), kept, top + float(np.log(scratch.sum(dtype=np.float64))), int(n))

    def probs(self) -> np.ndarray:
        """The model's probabilities of the stored ids (before any sampling setting)."""
        return np.exp(self.logits - self.logsumexp)

    def prob(self, token: int) -> float:
        """The model's probability of one token (0 if outside the stored top)."""
        hit = np.nonzero(self.ids == token)[0]
        return float(np.exp(self.logits[hit[0]] - self.logsumexp)) if hit.size else 0.0

    def top(self, k: int) -> list[tuple[int, float]]:
        """The k most likely tokens with their probabilities."""
        return [(int(i), float(p)) for i, p in zip(self.ids[:k], self.probs()[:k], strict=True)]


@runtime_checkable
class Service(Protocol):
    """An engine that runs something outside this process (a server it started): stop it when it is replaced."""

    def shutdown(self) -> None:
        """Stop, once the generations in flight have ended."""
        ...


@runtime_checkable
class Infiller(Protocol):
    """An engine with its own fill-in-the-middle endpoint (llama-server's /infill) for models with FIM tokens."""

    def infill(self, prefix: str, suffix: str, params: GenerationParams,
               cancel: threading.Event | None = None, stop: list[str] | None = None) -> Iterator[Chunk]:
        """Stream the code that goes between prefix and suffix (ending before any of `stop`)."""
        ...


@runtime_checkable
class Stepper(Protocol):
    """An engine that can show generation one token at a time (the teaching view)."""

    def tokenize(self, text: str) -> list[int]:
        """Token ids of a prompt, exactly as stream() feeds them."""
        ...

    def token_bytes(self, token: int) -> bytes:
        """The bytes of one token (a character may be split over two tokens)."""
        ...

    def is_control(self, token: int) -> bool:
        """Whether a token is a control token of the chat template (<|im_start|>, ...)."""
        ...

    def is_end(self, token: int) -> bool:
        """Whether a token ends the answer (end of turn or of text)."""
        ...

    def next_distribution(self, ids: list[int], keep: int) -> Distribution:
        """The distribution over the token after `ids`, its `keep` most likely tokens kept."""
        ...

    def reset(self) -> None:
        """Forget any cached prompt state, so the next prompt is evaluated from scratch."""
        ...
