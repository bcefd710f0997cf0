"""Teaching view: sampling made visible. The chain mirrors the one llama-cpp-python builds for the engine's
generate() call, so what a learner sees is what the engine does: repeat penalty (over the last 64 generated
tokens) -> top-k -> top-p -> min-p 0.05 -> temperature -> draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..engines import Distribution
from ..params import MIN_P, PENALTY_WINDOW, GenerationParams

TOP_K_MAX = 20  # candidates a chart shows
KEEP = 1024  # candidates stored per step: enough for top-k <= 200 after any repeat penalty


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities from logits over the whole array (float64, numerically stable)."""
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max())
    probabilities: np.ndarray = e / e.sum()
    return probabilities


@dataclass(frozen=True)
class Sampling:
    """The sampling settings a step uses (GenerationParams' sampling fields, plus llama.cpp's fixed min-p)."""

    temperature: float = 0.0
    top_k: int = 40
    top_p: float = 0.95
    repeat_penalty: float = 1.1
    seed: int = 42
    min_p: float = MIN_P

    @classmethod
    def from_params(cls, params: GenerationParams) -> Sampling:
        """The sampling part of a GenerationParams."""
        return cls(params.temperature, params.top_k, params.top_p, params.repeat_penalty, params.seed)


def penalized(dist: Distribution, history: list[int], penalty: float) -> np.ndarray:
    """Logits after llama.cpp's repeat penalty over the recent generated tokens."""
    logits = dist.logits.copy()
    if penalty == 1.0 or not history:
        return logits
    hit = np.isin(dist.ids, np.asarray(history[-PENALTY_WINDOW:], dtype=np.int64))
    logits[hit] = np.where(logits[hit] > 0, logits[hit] / penalty, logits[hit] * penalty)
    return logits


def after_sampling(dist: Distribution, sampling: Sampling, history: Sequence[int] = ()) -> np.ndarray:
    """Probabilities the sampler draws from, aligned with dist.ids (0 for tokens the settings remove)."""
    logits = penalized(dist, list(history), sampling.repeat_penalty)
    order = np.argsort(-logits, kind="stable")
    out = np.zeros(dist.ids.size)
    if sampling.temperature <= 0:
        out[order[0]] = 1.0  # greedy: the most likely token after the penalty, nothing else
        return out
    keep = order[:sampling.top_k] if sampling.top_k > 0 else order
    if sampling.top_p < 1.0:
        p = softmax(logits[keep])
        keep = keep[:int(np.searchsorted(np.cumsum(p), sampling.top_p) + 1)]
    if sampling.min_p > 0:
        keep = keep[logits[keep] >= logits[keep[0]] + np.log(sampling.min_p)]
    out[keep] = softmax(logits[keep] / sampling.temperature)
    return out


def choose(dist: Distribution, sampling: Sampling, history: list[int], step: int) -> int:
    """The token the sampler picks: the argmax at temperature 0, else a seeded draw (seed and step fixed)."""
    probs = after_sampling(dist, sampling, history)
    if sampling.temperature <= 0:
        return int(dist.ids[int(np.argmax(probs))])
    rng = np.random.default_rng([sampling.seed, step])
    return int(rng.choice(dist.ids, p=probs / probs.sum()))
