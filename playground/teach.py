"""Teaching view, pure part: a prompt's tokens and anatomy, next-token distributions, sampling made visible.

No Gradio here. The model is read through the llama-cpp engine's Llama object (logits_all=False: only the
last position's logits exist, which is all a next-token view needs). Sampling mirrors the order of the chain
llama-cpp-python builds for the playground's generate() call, so what a learner sees is what the engine does:
repeat penalty (over the last 64 generated tokens) -> top-k -> top-p -> min-p 0.05 -> temperature -> draw.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .engines import Engine, ModelInfo
from .errors import EngineError
from .params import GenerationParams
from .tasks import Prompt

TOP_K_MAX = 20  # candidates a chart shows
KEEP = 1024  # candidates stored per step: enough for top-k <= 200 after any repeat penalty
MIN_P = 0.05  # llama-cpp-python's generate() default, which the engine leaves in place
PENALTY_WINDOW = 64  # llama-cpp-python's last_n_tokens_size
NO_LOGPROBS = ("The {engine} engine cannot show token probabilities. Load a GGUF model with the llama-cpp engine "
               "(the bundled SmolLM2 works) to step through generation; the prompt anatomy, the variability grid "
               "and reproducibility cards work with any engine.")


def can_step(engine: Engine) -> bool:
    """Whether the engine exposes next-token logits (an in-process llama.cpp model)."""
    return bool(getattr(engine, "can_logprobs", False)) and hasattr(engine, "llm") and hasattr(engine, "_lock")


def require_stepping(engine: Engine) -> None:
    """Raise a user-facing error when the engine cannot give token probabilities."""
    if not can_step(engine):
        raise EngineError(NO_LOGPROBS.format(engine=getattr(engine, "name", "current")))


# ---------------------------------------------------------------- tokens and anatomy

@dataclass(frozen=True)
class Token:
    """One token of a prompt: its id, its text, and whether it is a control (special) token."""

    id: int
    text: str
    special: bool = False


def token_text(engine: Engine, token: int) -> str:
    """The text of one token on its own (bytes of a split character shown as \\xNN)."""
    return engine.llm.detokenize([token], special=True).decode("utf-8", "backslashreplace")  # type: ignore[attr-defined]


def decode_pieces(engine: Engine, ids: Iterable[int]) -> list[str]:
    """Texts of consecutive tokens that join to the exact text (a split character goes to its last token)."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    llm = engine.llm  # type: ignore[attr-defined]
    return [decoder.decode(llm.detokenize([t], special=True)) for t in ids]


def prompt_tokens(engine: Engine, text: str) -> list[Token] | None:
    """The prompt's tokens as the engine feeds them, or None when the engine has no tokenizer to show."""
    if not hasattr(engine, "llm") or not hasattr(engine, "tokenize"):
        return None
    import llama_cpp

    ids = engine.tokenize(text)  # type: ignore[attr-defined]
    vocab = engine.llm._model.vocab  # type: ignore[attr-defined]
    control = llama_cpp.LLAMA_TOKEN_ATTR_CONTROL
    return [Token(t, piece, bool(llama_cpp.llama_vocab_get_attr(vocab, t) & control))
            for t, piece in zip(ids, decode_pieces(engine, ids), strict=True)]


@dataclass(frozen=True)
class Part:
    """A run of prompt text of one kind (see PART_LABELS)."""

    kind: str
    text: str


PART_LABELS = {
    "special": "Chat-template special token",
    "template": "Chat-template text (roles, line breaks)",
    "system": "System instruction",
    "example": "Few-shot example",
    "instruction": "Task instruction",
    "code": "Your code",
    "prefill": "Answer start, written for the model",
    "fim": "FIM sentinel",
}


def _paint(labels: list[str], text: str, needle: str, kind: str, start: int = 0, end: int | None = None) -> None:
    """Label every occurrence of needle in text[start:end]."""
    end = len(text) if end is None else end
    if not needle:
        return
    at = text.find(needle, start, end)
    while at >= 0:
        labels[at:at + len(needle)] = [kind] * len(needle)
        at = text.find(needle, at + len(needle), end)


def _paint_messages(labels: list[str], prompt: Prompt) -> tuple[int, int]:
    """Label message contents by role; returns the span of the last user message."""
    cursor, last = 0, (0, 0)
    n_messages = len(prompt.messages)
    for i, message in enumerate(prompt.messages):
        content = message["content"]
        at = prompt.text.find(content, cursor)
        if at < 0:
            content = content.strip()
            at = prompt.text.find(content, cursor)
        if at < 0 or not content:
            continue
        if message["role"] == "system":
            kind = "system"
        elif i == n_messages - 1:
            kind, last = "instruction", (at, at + len(content))
        else:
            kind = "example"
        labels[at:at + len(content)] = [kind] * len(content)
        cursor = at + len(content)
    return last


def prompt_anatomy(prompt: Prompt, info: ModelInfo, code: str, suffix: str = "",
                   specials: Iterable[str] = ()) -> list[Part]:
    """The prompt split into coloured parts: special tokens, template, system, examples, task, code, prefill, FIM."""
    text = prompt.text
    labels = ["template"] * len(text)
    user = _paint_messages(labels, prompt)
    answer_start = len(text) - len(prompt.prefill) if prompt.prefill and text.endswith(prompt.prefill) else len(text)
    labels[answer_start:] = ["prefill"] * (len(text) - answer_start)
    regions = [user, (answer_start, len(text))] if prompt.mode == "chat" else [(0, len(text))]
    for start, end in regions:
        for piece in (code.rstrip("\n"), code.rstrip(), suffix.strip("\n")):
            if piece.strip():
                _paint(labels, text, piece, "code", start, end)
    for special in {*specials, info.bos_token, info.eos_token} - {""}:
        _paint(labels, text, special, "special")
    for sentinel in info.fim_tokens or ():
        _paint(labels, text, sentinel, "fim")
    parts: list[Part] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or labels[i] != labels[start]:
            parts.append(Part(labels[start], text[start:i]))
            start = i
    return parts


def token_kinds(tokens: list[Token], parts: list[Part]) -> list[str]:
    """The anatomy kind of each token (the kind of its first character)."""
    labels = [p.kind for p in parts for _ in p.text]
    kinds, offset = [], 0
    for token in tokens:
        kinds.append(labels[offset] if offset < len(labels) else "special")
        offset += len(token.text)
    return kinds


# ---------------------------------------------------------------- distributions

def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities from logits over the whole array (float64, numerically stable)."""
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max())
    return e / e.sum()


def top_k_probs(logits: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k most likely token ids with their probabilities (softmax over the full vocabulary), most likely first."""
    k = max(1, min(int(k), np.size(logits)))
    return Distribution.from_logits(logits, keep=k).top(k)


@dataclass(frozen=True)
class Distribution:
    """The model's next-token distribution at one step: the KEEP most likely tokens and the full normaliser."""

    ids: np.ndarray  # int64, most likely first
    logits: np.ndarray  # float64 raw logits of those ids
    logsumexp: float  # over the whole vocabulary, so probabilities stay exact
    n_vocab: int

    @classmethod
    def from_logits(cls, logits: np.ndarray, keep: int = KEEP) -> Distribution:
        """Keep the top tokens of a full logits vector."""
        z = np.asarray(logits, dtype=np.float64)
        keep = min(keep, z.size)
        ids = np.argpartition(-z, keep - 1)[:keep] if keep < z.size else np.arange(z.size)
        ids = ids[np.argsort(-z[ids], kind="stable")]
        top = z.max()
        return cls(ids.astype(np.int64), z[ids], float(top + np.log(np.exp(z - top).sum())), int(z.size))

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


def after_sampling(dist: Distribution, sampling: Sampling, history: list[int] = ()) -> np.ndarray:  # type: ignore[assignment]
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
