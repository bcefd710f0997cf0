"""Judging: each check's outcome compared with what was expected, giving the Checks panel's rows.

Pure functions: nothing here runs code. A doctest example is compared the way doctest compares it
(doctest.OutputChecker, with the example's own option flags); a call with the original's behaviour as
the expectation compares values structurally, printed output line by line, and exceptions by type.
"""

from __future__ import annotations

import doctest
import re

from ..verdict import Item
from .cases import Case, Outcome
from .values import same, show

LENIENT = ("generated", "model", "input")  # inputs whose exception type is not part of the expectation


def normalized(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


_WORDS = {"True": "true", "False": "false", "None": "null", "undefined": "null"}
_TOKEN = re.compile(r"\b(True|False|None|undefined)\b|(?<![\w.])(-?\d+)\.0\b(?!\.)|\s*([,:\[\]{}()])\s*|'")


def printed(text: str, loose: bool = False) -> str:
    """Printed output as compared: line ends trimmed; across languages (loose) the usual differences between
    Python's print and JavaScript's console.log made equal: True/true, None/null/undefined, 1.0/1, the
    spacing of lists and dicts, and quotes."""
    text = normalized(text)
    if not loose:
        return text

    def one(match: re.Match[str]) -> str:
        word, whole, punct = match.groups()
        return _WORDS[word] if word else whole if whole else punct if punct else '"'

    return "\n".join(_TOKEN.sub(one, line).replace("(", "[").replace(")", "]") for line in text.splitlines())


def _got(outcome: Outcome) -> str:
    """What an outcome showed: its value (or printed text), else the exception."""
    if outcome.stopped or outcome.error:
        return ""
    if isinstance(outcome.value, str) and not outcome.output:
        return outcome.value
    undefined = isinstance(outcome.value, dict) and "$undefined" in outcome.value  # JavaScript's "no value"
    value = "" if outcome.value is None or undefined else show(outcome.value)
    return "\n".join(part for part in (outcome.output.rstrip("\n"), value) if part)


def judge_doctest(case: Case, outcome: Outcome) -> Item:
    """A >>> example, compared as doctest does."""
    want, exc_msg, flags = case.want
    checker = doctest.OutputChecker()
    if exc_msg is not None:
        got_exc = f"{outcome.raised}: {(outcome.error or {}).get('message', '')}\n" if outcome.error else ""
        same_type = bool(outcome.error) and exc_msg.split(":")[0].strip().split(".")[-1] == outcome.raised
        ok = same_type and (bool(flags & doctest.IGNORE_EXCEPTION_DETAIL) or checker.check_output(exc_msg, got_exc,
                                                                                                  flags))
        return Item(case.name, ok, f"raises {exc_msg.strip()}", _got(outcome) or got_exc.strip(),
                    outcome.error_text() if not ok and not outcome.error else "", outcome.seconds, case.origin)
    got = outcome.output + (outcome.value + "\n" if isinstance(outcome.value, str) and outcome.value else "")
    ok = outcome.ok and checker.check_output(want, got, flags)
    return Item(case.name, ok, want.strip(), got.strip(), outcome.error_text(), outcome.seconds, case.origin)


def judge(case: Case, outcome: Outcome, expected: Outcome | None = None, loose: bool = False) -> Item:
    """A case's row. expected: the original code's outcome, when it is the oracle; loose: across languages."""
    if case.kind == "doctest":
        return judge_doctest(case, outcome)
    if case.forbid:  # Debug: the error the user saw must be gone, and no exception the original did not raise
        known = expected is not None and expected.raised == outcome.raised
        ok = not outcome.stopped and outcome.raised != case.forbid and (not outcome.error or known)
        got = _got(outcome) or outcome.error_text()
        return Item(case.name, ok, f"no {case.forbid}", got, "" if ok else outcome.error_text(), outcome.seconds,
                    case.origin)
    if expected is not None:
        return _against(case, outcome, expected, loose)
    if case.has_want:
        ok = outcome.ok and same(outcome.value, case.want, loose)
        return Item(case.name, ok, show(case.want), _got(outcome), outcome.error_text(), outcome.seconds, case.origin)
    return Item(case.name, outcome.ok, "no error", "no error" if outcome.ok else "", outcome.error_text(),
                outcome.seconds, case.origin)


def _against(case: Case, outcome: Outcome, expected: Outcome, loose: bool) -> Item:
    """The answer's outcome against the original's: same value and output, or the same kind of exception."""
    if expected.error:
        # Where the original raises, the answer must raise too; of the same type on the examples' own calls. On
        # inputs nobody chose (generated, written by the model) and across languages the type may differ
        # (max([]) raises ValueError where a loop's xs[0] raised IndexError; JavaScript has its own): the row
        # says so.
        lenient = loose or case.origin in LENIENT
        ok = bool(outcome.error) and (lenient or outcome.raised == expected.raised)
        shown = f"raises {expected.raised}" if outcome.raised in ("", expected.raised) else \
            f"raises an exception (the original: {expected.raised})"
        return Item(case.name, ok, shown, _got(outcome) or (f"raises {outcome.raised}" if outcome.error else ""),
                    "" if ok else outcome.error_text(), outcome.seconds, case.origin)
    ok = outcome.ok and same(outcome.value, expected.value, loose) and (
        printed(outcome.output, loose) == printed(expected.output, loose))
    return Item(case.name, ok, _got(expected), _got(outcome), outcome.error_text(), outcome.seconds, case.origin)
