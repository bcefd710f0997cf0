"""Teaching view: a prompt's tokens (as the engine feeds them) and its anatomy (which part is what).

No Gradio here. Tokens come from an engine that implements the Stepper capability.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass

from ..engines import Engine, Stepper
from ..errors import EngineError
from ..models import ModelInfo
from ..tasks import Prompt

NO_LOGPROBS = ("The {engine} engine cannot show token probabilities. Load a GGUF model with the llama-cpp engine "
               "(the bundled SmolLM2 works) to step through generation; the prompt anatomy, the variability grid "
               "and reproducibility cards work with any engine.")


def stepper(engine: Engine) -> Stepper:
    """The engine as a Stepper, or a user-facing error when it cannot give token probabilities."""
    if not isinstance(engine, Stepper):
        raise EngineError(NO_LOGPROBS.format(engine=engine.name))
    return engine


# ---------------------------------------------------------------- tokens and anatomy

@dataclass(frozen=True)
class Token:
    """One token of a prompt: its id, its text, and whether it is a control (special) token."""

    id: int
    text: str
    special: bool = False


def token_text(engine: Stepper, token: int) -> str:
    """The text of one token on its own (bytes of a split character shown as \\xNN)."""
    return engine.token_bytes(token).decode("utf-8", "backslashreplace")


def decode_pieces(engine: Stepper, ids: Iterable[int]) -> list[str]:
    """Texts of consecutive tokens that join to the exact text (a split character goes to its last token)."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    return [decoder.decode(engine.token_bytes(t)) for t in ids]


def prompt_tokens(engine: Engine, text: str) -> list[Token] | None:
    """The prompt's tokens as the engine feeds them, or None when the engine has no tokenizer to show."""
    if not isinstance(engine, Stepper):
        return None
    ids = engine.tokenize(text)
    return [Token(t, piece, engine.is_control(t)) for t, piece in zip(ids, decode_pieces(engine, ids), strict=True)]


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
