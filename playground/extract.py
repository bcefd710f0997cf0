"""Pull the code (and the prose around it) out of a model's answer.

Rules, in order:
- Fences are ``` or ~~~ (3 or more), at any indentation (models nest them in list items); a block
  closes at a line of the same character, at least as long, with nothing else on it. The fence's
  indentation is removed from the code lines, as CommonMark does.
- The block's language is the first word of the info string (```python title="x", ```{.py}, ```py:main.py).
- With several blocks, the first non-empty block whose language matches `language` wins (aliases
  count: py, js, c++, ...), else the longest. Blocks are never joined: a second block is usually a
  usage example or the output, and gluing it on would break the program.
- An unclosed fence (a stream cut short, or still arriving) runs to the end of the text; a partly
  streamed closing fence (a last line of just ` or ~) is dropped.
- A lone fence line without a language at the very end, after some text (an answer that skipped the opening fence but
  wrote the closing one): the text before it is the code.
- No fence at all: the whole text is the code, even when it reads like prose. Guessing "this is
  prose" would hide real answers from small models that skip the fences; the user sees the text either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import UnknownLanguageError
from .languages import canonical_language

# An opening fence: any indentation, 3+ backticks or tildes, then an optional info string.
_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$", re.M)
# The language word of an info string: `python` in "python title=x", "{.python}", "python:main.py".
_TAG = re.compile(r"[{.\s]*([^\s:,{}]+)")


@dataclass(frozen=True)
class Extracted:
    """The chosen code, its fence language (canonical name if known, else the tag lowercased) and the prose."""

    code: str
    language: str | None
    explanation: str


@dataclass(frozen=True)
class _Block:
    start: int  # where the opening fence's line starts
    end: int  # just after the closing fence (or the end of the text)
    code: str
    language: str | None


def _canonical(tag: str | None) -> str | None:
    if not tag:
        return None
    try:
        return canonical_language(tag)
    except UnknownLanguageError:
        return tag.lower()


def _dedent(body: str, width: int) -> str:
    """Remove up to `width` leading blanks from each line (the fence's own indentation)."""
    if not width:
        return body
    return "\n".join(line[min(width, len(line) - len(line.lstrip(" \t"))):] for line in body.split("\n"))


def _block(text: str, m: re.Match[str]) -> _Block:
    fence, indent = m["fence"], m["indent"]
    close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
    body_start = min(m.end() + 1, len(text))
    c = close.search(text, body_start)
    if c:
        body, end = text[body_start:c.start()], c.end()
    else:
        body, end = text[body_start:], len(text)
        last = body.rsplit("\n", 1)[-1]
        if last.strip() and not last.strip(" \t" + fence[0]):  # a closing fence still streaming in
            body = body[: len(body) - len(last)]
    tag = _TAG.match(m["info"])
    return _Block(m.start(), end, _dedent(body, len(indent)), _canonical(tag[1] if tag else None))


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    pos = 0
    while (m := _OPEN.search(text, pos)) is not None:
        if m["fence"][0] == "`" and "`" in m["info"]:  # ```inline``` code, not a fence (CommonMark)
            pos = m.end() + 1
            continue
        blocks.append(_block(text, m))
        pos = max(blocks[-1].end, m.end() + 1)
    return blocks


def extract(text: str, language: str | None = None) -> Extracted:
    """The best code block in a model's answer and the prose around it (see the module's rules)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = _blocks(text)
    if not blocks:
        return Extracted(text.strip("\n").rstrip(), None, "")
    lone = len(blocks) == 1 and blocks[0].language is None and "\n" not in text[blocks[0].start:].strip()
    if lone and text[: blocks[0].start].strip():
        # A lone fence line at the very end, after text: the model skipped the opening fence and
        # wrote just the closing one, so the text before it is the code.
        return Extracted(text[: blocks[0].start].strip("\n").rstrip(), None, "")
    wanted = _canonical(language)
    matching = [b for b in blocks if wanted and b.language == wanted and b.code.strip()]
    best = matching[0] if matching else max(blocks, key=lambda b: len(b.code.strip()))
    prose = [part for part in (text[: best.start].strip(), text[best.end:].strip()) if part]
    return Extracted(best.code.strip("\n").rstrip(), best.language, "\n\n".join(prose))


