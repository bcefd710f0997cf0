"""Judging: each check's outcome compared with what was expected, giving the Checks panel's rows.

Pure functions: nothing here runs code. A doctest example is compared the way doctest compares it
(doctest.OutputChecker, with the example's own option flags); a call with the original's behaviour as
the expectation compares values structurally, printed output line by line, and exceptions by type.
"""

from __future__ import annotations

import doctest
import re

from ..verdict import Item
from .cases import Case, Kind, Outcome
from .values import literal, same

LENIENT = ("generated", "model", "edge", "input")  # inputs whose exception type is not part of the expectation
EDGES = ("edge", "generated")  # inputs nobody chose as ordinary: raising or not there is shown as "intended?"
# Exceptions that say the code itself is broken, whatever its input (a name it never defined, a module that is
# not there): never an "intended?" on an odd input, nor the exception an original raises. Not SyntaxError
# (JavaScript's JSON.parse raises it on input) nor a ReferenceError of use before initialization.
BROKEN = ("NameError", "ImportError", "ModuleNotFoundError")
UNDEFINED = re.compile(r"ReferenceError: '?([A-Za-z_$][\w$]*)'? is not defined")  # JavaScript's (QuickJS's quotes)


def undefined_name(error: str) -> str:
    """The name a JavaScript ReferenceError says the code never defined ("" for any other error)."""
    found = UNDEFINED.search(error)
    return found.group(1) if found else ""


def broken(outcome: Outcome) -> bool:
    """Whether the outcome's exception says the code is broken rather than the input odd."""
    return outcome.raised in BROKEN or bool(undefined_name(outcome.error_text()))


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


def _got(outcome: Outcome, js: bool = False) -> str:
    """What an outcome showed: what it printed, then its value as the answer's language writes it (`None`, `''`;
    `null`, `""`); "" when it raised or was stopped. A function that printed and returned None shows its output."""
    if outcome.stopped or outcome.error:
        return ""
    undefined = isinstance(outcome.value, dict) and "$undefined" in outcome.value  # JavaScript's "no value"
    printed_only = outcome.output and (outcome.value is None or undefined)
    value = "" if printed_only else literal(outcome.value, js)
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
        shown = "" if outcome.error or outcome.stopped else \
            (outcome.output + (outcome.value if isinstance(outcome.value, str) else "")).strip()
        return Item(case.name, ok, f"raises {exc_msg.strip()}", shown or got_exc.strip(),
                    outcome.error_text() if not ok and not outcome.error else "", outcome.seconds, case.origin)
    got = outcome.output + (outcome.value + "\n" if isinstance(outcome.value, str) and outcome.value else "")
    ok = outcome.ok and checker.check_output(want, got, flags)
    return Item(case.name, ok, want.strip(), got.strip(), outcome.error_text(), outcome.seconds, case.origin)


def judge(case: Case, outcome: Outcome, expected: Outcome | None = None, loose: bool = False,
          js: bool = False) -> Item:
    """A case's row. expected: the original code's outcome, when it is the oracle; loose: across languages;
    js: values shown as JavaScript writes them. A case the busy machine could not finish is neither."""
    if outcome.timed_out:
        return Item(case.name, False, "", "", outcome.error_text(), outcome.seconds, case.origin, timed_out=True)
    if case.kind is Kind.DOCTEST:
        return judge_doctest(case, outcome)
    if expected is not None:
        return _against(case, outcome, expected, loose, js)
    if case.has_want:
        ok = outcome.ok and same(outcome.value, case.want, loose)
        return Item(case.name, ok, literal(case.want, js), _got(outcome, js), outcome.error_text(), outcome.seconds,
                    case.origin)
    return Item(case.name, outcome.ok, "no error", "no error" if outcome.ok else "", outcome.error_text(),
                outcome.seconds, case.origin)


def _against(case: Case, outcome: Outcome, expected: Outcome, loose: bool, js: bool) -> Item:
    """The answer's outcome against the original's: same value and output, or the same kind of exception.

    On an edge case or a generated input, raising where the original returns a value (across languages: JavaScript
    returns NaN or undefined where Python raises) or returning where it raises is a warning row ("intended?"),
    not a failure: nobody said what the code should do there. A different value is a failure anywhere, and so
    is an exception that says the code is broken (a name it never defined: broken()), even where the original
    raises something else."""
    edge = case.origin in EDGES
    if expected.error:
        # Where the original raises, the answer must raise too; of the same type on the examples' own calls. On
        # inputs nobody chose (generated, written by the model) and across languages the type may differ
        # (max([]) raises ValueError where a loop's xs[0] raised IndexError; JavaScript has its own): the row
        # says so.
        lenient = loose or case.origin in LENIENT
        ok = bool(outcome.error) and (outcome.raised == expected.raised or lenient and not broken(outcome))
        shown = f"raises {expected.raised}" if outcome.raised in ("", expected.raised) else \
            f"raises an exception (the original: {expected.raised})"
        got = _got(outcome, js) or (f"raises {outcome.raised}" if outcome.error else "")
        if edge and outcome.ok:
            return Item(case.name, True, shown, got, "", outcome.seconds, case.origin,
                        warning=f"returns {got or 'nothing'} on `{case.name}`, where the original raises "
                                f"{expected.raised}: intended?")
        return Item(case.name, ok, shown, got, "" if ok else outcome.error_text(), outcome.seconds, case.origin)
    if edge and loose and outcome.error and not outcome.stopped and not broken(outcome):
        return Item(case.name, True, _got(expected, js), f"raises {outcome.raised}", "", outcome.seconds, case.origin,
                    warning=f"raises {outcome.raised} on `{case.name}`, where the original returns "
                            f"{_got(expected, js) or 'nothing'}: intended?")
    ok = outcome.ok and same(outcome.value, expected.value, loose) and (
        printed(outcome.output, loose) == printed(expected.output, loose))
    return Item(case.name, ok, _got(expected, js), _got(outcome, js), outcome.error_text(), outcome.seconds,
                case.origin)
