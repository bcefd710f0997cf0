"""Pull the code (and the prose around it) out of a model's answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import UnknownLanguageError

# An opening fence: up to 3 spaces, 3+ backticks or tildes, an optional info string.
_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$", re.M)


@dataclass(frozen=True)
class Extracted:
    """The chosen code block, its fence language (lowercase) and the prose outside it."""

    code: str
    language: str | None
    explanation: str


@dataclass(frozen=True)
class _Block:
    start: int  # where the opening fence starts
    end: int  # just after the closing fence (or the end of text)
    code: str
    language: str | None


def _canonical(tag: str | None) -> str | None:
    if not tag:
        return None
    from .highlight import canonical_language

    try:
        return canonical_language(tag)
    except UnknownLanguageError:
        return tag.lower()


def _blocks(text: str) -> list[_Block]:
    blocks, pos = [], 0
    while (m := _OPEN.search(text, pos)) is not None:
        fence = m["fence"]
        close = re.compile(rf"^ {{0,3}}{fence[0]}{{{len(fence)},}}[ \t]*$", re.M)
        body_start = m.end() + 1
        c = close.search(text, body_start) if body_start <= len(text) else None
        body_end, end = (c.start(), c.end()) if c else (len(text), len(text))
        code = text[min(body_start, len(text)):body_end]
        info = m["info"].split()
        blocks.append(_Block(m.start(), end, code, _canonical(info[0].strip("{}.") if info else None)))
        pos = max(end, m.end() + 1)
    return blocks


def extract(text: str, language: str | None = None) -> Extracted:
    """The best code block: the first tagged with `language`, else the longest; no fence = all text."""
    text = text.replace("\r\n", "\n")
    blocks = _blocks(text)
    if not blocks:
        return Extracted(text.strip("\n").rstrip(), None, "")
    wanted = _canonical(language)
    matching = [b for b in blocks if wanted and b.language == wanted]
    best = matching[0] if matching else max(blocks, key=lambda b: len(b.code.strip()))
    prose = re.sub(r"\n{3,}", "\n\n", text[: best.start] + "\n" + text[best.end:]).strip()
    code = "\n".join(line.rstrip() for line in best.code.split("\n")).strip("\n")
    return Extracted(code, best.language, prose)


def extract_code(text: str, language: str | None = None) -> str | None:
    """Just the code, or None when the answer is empty."""
    if not text or not text.strip():
        return None
    return extract(text, language).code
