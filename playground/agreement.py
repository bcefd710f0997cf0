"""Whether a Debug answer's explanation agrees with the change it made: better nothing than something wrong.

A small model often explains a fix it did not make ("the variable is called value, not v" under a fix of
`len(value)` to `len(values)`). The explanation is kept only when every name it mentions as code is on a
line the fix changed (removed or added), and every line number it names is a changed line. The functions'
own names may be mentioned anywhere. A name counts as mentioned as code when it is in backticks or quotes,
or when it is one of the code's own names and looks like code (one or two characters, an underscore, a
digit, or camelCase); plain words that happen to be names (`total`, `count`) are left alone. Pure: nothing
runs.
"""

from __future__ import annotations

import difflib
import keyword
import re

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUOTED = re.compile(r"`([^`\n]+)`|'([^'\n]{1,60})'|\"([^\"\n]{1,60})\"")
_LINE = re.compile(r"\bline\s+(\d+)\b", re.IGNORECASE)
_CAMEL = re.compile(r"[a-z][A-Z]")
_DEFINED = re.compile(r"\b(?:def|function|class)\s+([A-Za-z_]\w*)")


def _codelike(word: str) -> bool:
    return len(word) <= 2 or "_" in word or any(ch.isdigit() for ch in word) or bool(_CAMEL.search(word))


def changed(before: str, after: str) -> tuple[set[int], set[int], set[str]]:
    """(removed line numbers in before, added line numbers in after, the names on those lines)."""
    a, b = before.splitlines(), after.splitlines()
    removed: set[int] = set()
    added: set[int] = set()
    matcher = difflib.SequenceMatcher(None, [x.strip() for x in a], [y.strip() for y in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed |= set(range(i1 + 1, i2 + 1))
            added |= set(range(j1 + 1, j2 + 1))
    names = {n for i in removed for n in _NAME.findall(a[i - 1])} | {n for j in added for n in _NAME.findall(b[j - 1])}
    return removed, added, names


def disagreement(explanation: str, before: str, after: str) -> str:
    """What in the explanation the change does not bear out (a name, "line N"), or "" when it agrees."""
    if not explanation.strip():
        return ""
    removed, added, names = changed(before, after)
    if not removed and not added:
        return ""  # no change: the pipeline says so elsewhere
    # The functions' own names are what the explanation is about, wherever the change is.
    known = (set(_NAME.findall(before)) | set(_NAME.findall(after))) - set(_DEFINED.findall(before + "\n" + after))
    quoted = {n for groups in _QUOTED.findall(explanation) for part in groups for n in _NAME.findall(part)}
    plain = {w for w in _NAME.findall(_QUOTED.sub(" ", explanation)) if w in known and _codelike(w)}
    for word in sorted(quoted | plain):
        if word in known and word not in names and not keyword.iskeyword(word):
            return f"`{word}`"
    for number in _LINE.findall(explanation):
        if int(number) not in removed | added:
            return f"line {number}"
    return ""
