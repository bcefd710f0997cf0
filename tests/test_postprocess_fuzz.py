"""Property tests: post-processing never raises, and highlighted HTML never carries the input's markup."""

from __future__ import annotations

import re
from html import unescape

from hypothesis import given, settings
from hypothesis import strategies as st

from playground.errors import UnknownLanguageError
from playground.extract import extract
from playground.highlight import highlight_terminal
from playground.languages import LANGUAGES, canonical_language, guess_language
from playground.lint import lint, lint_note
from playground.markup.highlight import highlight_html
from tests.helpers import extract_code

FAST = settings(max_examples=200, deadline=None)
# The formatter's own tags; anything else starting with "<" would have come from the input.
FORMATTER_TAGS = re.compile(r"</?(span|div|pre|code)[^>]*>")

languages = st.sampled_from([*LANGUAGES, None, "", "py", "C++", "text", "html", "no-such-language"])
# Text that looks like model answers: prose, fences of both kinds, tags, code, all line endings.
pieces = st.sampled_from([
    "```", "```python", "```js", "~~~", "~~~ruby", "    ```py", "````", "``", "Here is the code:", "Fix: it works.",
    "def f(x):", "    return x", "<script>alert(1)</script>", '"quoted" & <b>', "\t", "", "π 🙂", "\0",
])
answers = st.lists(st.one_of(pieces, st.text(max_size=20)), max_size=12).flatmap(
    lambda parts: st.sampled_from(["\n", "\r\n", "\r"]).map(lambda newline: newline.join(parts))
)
any_text = st.one_of(st.text(), answers)
# Code and prose without fence lines, for the round trip.
plain_lines = st.lists(st.text(alphabet=st.characters(blacklist_characters="`~\r\n"), max_size=30), max_size=6)


@FAST
@given(any_text, languages)
def test_extract_never_raises(text: str, language: str | None) -> None:
    found = extract(text, language)
    assert found.code == found.code.rstrip()
    assert found.language is None or found.language == found.language.lower()
    assert (extract_code(text, language) is None) == (not text.strip())


@FAST
@given(plain_lines, plain_lines, plain_lines, st.sampled_from(["```", "~~~", "````"]),
       st.sampled_from(["", "python", "py", "JavaScript", "go"]))
def test_one_fenced_block_round_trips(before: list[str], code: list[str], after: list[str], fence: str,
                                      tag: str) -> None:
    body = "\n".join(code)
    text = "\n".join([*before, fence + tag, body, fence, *after])
    found = extract(text, "python")
    assert found.code == body.strip("\n").rstrip()
    assert found.explanation == "\n\n".join(p for p in ("\n".join(before).strip(), "\n".join(after).strip()) if p)


@FAST
@given(any_text, languages)
def test_lint_never_raises(code: str, language: str | None) -> None:
    findings = lint(code, language)
    assert findings == sorted(findings, key=lambda f: (f.line, f.col))
    assert all(f.line >= 1 and f.col >= 0 and f.kind in {"error", "warning"} and f.message for f in findings)
    assert (lint_note(language) is None) == (language in {"python", "py"})


@FAST
@given(st.text().map(lambda s: "def f():\n" + s))
def test_lint_python_shaped_text(code: str) -> None:
    assert all(isinstance(f.line, int) for f in lint(code))


@FAST
@given(any_text, languages)
def test_highlight_html_escapes_everything(code: str, language: str | None) -> None:
    html = highlight_html(code, language)
    text = FORMATTER_TAGS.sub("", html)
    assert "<" not in text and ">" not in text
    # Nothing is lost either: the browser shows the code (pygments normalises newlines and drops a BOM).
    normalised = code.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    shown = unescape(text).removesuffix("\n")  # the newline after </div>
    assert shown == normalised if normalised.endswith("\n") else shown == normalised + "\n"


@FAST
@given(any_text, languages)
def test_highlight_terminal_never_raises(code: str, language: str | None) -> None:
    assert isinstance(highlight_terminal(code, language), str)


@FAST
@given(any_text)
def test_guess_language_is_one_of_ours_or_none(code: str) -> None:
    assert guess_language(code) in {*LANGUAGES, None}


@FAST
@given(st.text(max_size=20))
def test_canonical_language_is_ours_or_a_clear_error(name: str) -> None:
    try:
        assert canonical_language(name) in LANGUAGES
    except UnknownLanguageError as exc:
        assert "python" in str(exc)
