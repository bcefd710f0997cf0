"""Debug's checks: is the error the user reported gone where the code is meant to work?

The user reports an error: an exception, often its message, sometimes a traceback that quotes the line. The
buggy original runs first on every input, and the evidence decides what a fix must do:

- **Typical inputs** say where the code is meant to work: the examples' and tests' calls, the calls the code
  makes itself, and the calls the model wrote as typical ones. On them a fix must raise neither the reported
  exception nor any exception the original did not raise there.
- **Edge inputs** (the model's edge cases, and inputs generated from the typical calls' types) may lie
  outside what the code is meant to handle: `average([])` of a fixed `average` raises ZeroDivisionError,
  `last_item([])` an IndexError. An exception there is a warning row ("intended?"), not a failure, unless the
  original handled that input (a new exception is a regression), or no typical input shows the bug: then,
  when the original handles every typical input, the bug *is* the edge case (`first_word("")` with only
  `first_word("hello")` to compare) and the fix must handle it; and when no typical input was tried at all,
  the reported error at the reported place (the same line of code as in the original) is no fix.
- **The reported error** is the original's exception of the reported type, narrowed by the message and by
  the quoted line when the original shows them somewhere (evidence narrows, it never empties).
Nothing here runs code: it reads the error text and judges outcomes.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..verdict import Item
from .cases import Case, Kind, Outcome
from .sources import forbidden_exception
from .values import show

TYPICAL = ("example", "test", "input", "model")  # origins of the inputs that say where the code is meant to work

_FRAME = re.compile(r'^\s*File "[^"]*", line (\d+)(?:, in (\S+))?\s*$')
_SUGGESTION = re.compile(r"\.?\s*Did you mean:?\s.*$")
_LAST = re.compile(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning))\s*(?::\s?(.*))?$")


@dataclass(frozen=True)
class Reported:
    """The error a Debug request reports, as read from what the user pasted."""

    exception: str
    message: str = ""
    source: str = ""  # the line of code the traceback quotes (its innermost frame), stripped
    line: int = 0  # the line number that frame names (in the user's file: it may not match the pasted code)


def reported_error(text: str) -> Reported | None:
    """The exception, message and place of an error message or traceback; None when it names no exception."""
    lines = (text or "").strip().splitlines()
    for index in range(len(lines) - 1, -1, -1):  # the exception line is the last one that names an exception
        found = _LAST.match(lines[index])
        if found:
            source, line = _innermost(lines[:index])
            message = _SUGGESTION.sub("", (found[2] or "").strip())  # "Did you mean" is the shell's, not str(exc)
            return Reported(found[1].split(".")[-1], message, source, line)
    exception = forbidden_exception(text)
    return Reported(exception) if exception else None


def _innermost(lines: list[str]) -> tuple[str, int]:
    """(the quoted source, the line number) of a traceback's last frame, or ("", 0)."""
    for index in range(len(lines) - 1, -1, -1):
        frame = _FRAME.match(lines[index])
        if frame:
            quoted = lines[index + 1].strip() if index + 1 < len(lines) else ""
            quoted = "" if _FRAME.match(quoted) or set(quoted) <= set("^~ ") else quoted
            return quoted, int(frame[1])
    return "", 0


def quoted_calls(error: str) -> list[str]:
    """The code lines a traceback quotes that are Python expressions with a call in them (`print(average([]))`,
    a doctest's `>>> average([])`)."""
    calls = []
    for line in error.splitlines():
        text = line.strip().removeprefix(">>> ")
        if not text or text.startswith(("File ", "Traceback", "^", "~")) or ":" in text.split("(")[0]:
            continue
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError:
            continue
        if any(isinstance(node, ast.Call) for node in ast.walk(tree)):
            calls.append(text)
    return calls


def line_text(code: str, line: int) -> str:
    """The stripped text of a 1-based line of code ("" when out of range)."""
    lines = code.splitlines()
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def _same_message(a: str, b: str) -> bool:
    def plain(text: str) -> str:
        return re.sub(r"[\s'\"`]+", " ", text).strip().lower()

    return plain(a) == plain(b)


@dataclass(frozen=True)
class Evidence:
    """What the original's run says about the reported error, for judging a fix."""

    reported: Reported
    bugs: tuple[bool, ...]  # per case: the original shows the reported error on it
    places: frozenset[str]  # the lines (stripped text) the original raised the reported error on
    typical: bool  # some typical input was tried
    on_typical: bool  # the original is wrong on a typical input: the reported error, or a failed example or test
    at_load: bool  # the original raised it while loading (a module-level line): the program must now load
    foreign: tuple[bool, ...] = ()  # per case: its argument types are not those of any typical call of its function


def evidence(reported: Reported, cases: Sequence[Case], outcomes: Sequence[Outcome | None], original: str,
             load: Outcome | None, examples_fail: bool = False) -> Evidence:
    """Where the original shows the reported error: of its outcomes of that type, those with the reported
    message, and of those, the ones at the quoted line (each narrowing only when something matches).
    examples_fail: an example or test fails on the original (it is wrong on a typical input, if not by raising)."""
    def place(outcome: Outcome) -> str:
        return line_text(original, outcome.line)

    raised = [o is not None and o.raised == reported.exception for o in outcomes]
    for keep in (
        lambda o: bool(reported.message) and _same_message((o.error or {}).get("message", ""), reported.message),
        lambda o: bool(reported.source) and place(o) == reported.source,
        lambda o: not reported.source and reported.line > 0 and o.line == reported.line,
    ):
        narrowed = [r and o is not None and keep(o) for r, o in zip(raised, outcomes, strict=True)]
        if any(narrowed):
            raised = narrowed
    places = frozenset(place(o) for r, o in zip(raised, outcomes, strict=True) if r and o is not None and o.line)
    if reported.source:
        places |= {reported.source}
    typical = [c.origin in TYPICAL for c in cases]
    at_load = load is not None and load.raised == reported.exception
    on_typical = examples_fail or any(r and t for r, t in zip(raised, typical, strict=True))
    shapes: dict[str, set[tuple[str, ...]]] = {}
    for case, is_typical in zip(cases, typical, strict=True):
        if is_typical and case.kind is Kind.CALL:
            shapes.setdefault(case.func, set()).add(shape(case.args))
    foreign = tuple(c.kind is Kind.CALL and c.func in shapes
                    and not any(_alike(shape(c.args), s) for s in shapes[c.func]) for c in cases)
    return Evidence(reported, tuple(raised), frozenset(p for p in places if p), any(typical), on_typical, at_load,
                    foreign)


def _alike(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two calls pass the same types where both pass an argument (a default may stand for the rest)."""
    return all(x == y for x, y in zip(a, b, strict=False))


def shape(args: Sequence[Any]) -> tuple[str, ...]:
    """The types of a call's (tagged) arguments, as far as they tell what a function handles: a number, a
    string, a sequence, a mapping, a set, None, a boolean."""
    def one(value: Any) -> str:
        if value is None:
            return "None"
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, int | float) or isinstance(value, dict) and ("$float" in value or "$int" in value):
            return "number"
        if isinstance(value, str):
            return "str"
        if isinstance(value, list) or isinstance(value, dict) and "$tuple" in value:
            return "sequence"
        if isinstance(value, dict) and "$set" in value:
            return "set"
        return "mapping" if isinstance(value, dict) else type(value).__name__

    return tuple(one(a) for a in args)


def judge_fix(case: Case, outcome: Outcome, original: Outcome | None, index: int, facts: Evidence,
              answer_line: str) -> Item:
    """One call's row for a Debug answer (the plan's case at index). answer_line: the answer's line (stripped)
    where it raised, if it did. An input whose argument types no typical call has (a list where every typical
    call passes a number: `sum_to([])`) is outside the evident domain: it can only warn."""
    bug = facts.bugs[index]
    exception = facts.reported.exception
    expected = f"no {exception}"
    got = (show(outcome.value) if outcome.value is not None else "returns None") if outcome.ok else \
        raised_text(outcome)
    if outcome.timed_out:
        return Item(case.name, False, expected, "", outcome.error_text(), outcome.seconds, case.origin, timed_out=True)
    if outcome.ok:
        return Item(case.name, True, expected, got, "", outcome.seconds, case.origin)
    if outcome.stopped:  # an endless loop or a memory bomb is no fix
        return Item(case.name, False, expected, "", outcome.stopped, outcome.seconds, case.origin)
    raised = outcome.raised
    if case.origin in TYPICAL:  # the code is meant to work here
        ok = raised != exception and original is not None and raised == original.raised
        return Item(case.name, ok, expected if ok or raised == exception else f"no exception (the original: "
                    f"{original.raised if original is not None and original.raised else 'none'})", got,
                    "", outcome.seconds, case.origin)
    foreign = bool(facts.foreign) and facts.foreign[index]
    if original is not None and original.ok and not foreign:  # it worked before the fix: a regression
        return Item(case.name, False, "no exception (the original: none)", got, "", outcome.seconds, case.origin)
    same_place = bool(facts.places) and answer_line in facts.places
    if bug and not facts.on_typical and not foreign:
        # No typical input shows the bug: if typical inputs were tried, the bug is this edge case (first_word("")),
        # and anything but a deliberate `raise` here is no fix; if none were, the reported place decides.
        unfixed = (raised == exception or not answer_line.startswith("raise")) if facts.typical else \
            raised == exception and (same_place or not facts.places)
        if unfixed:
            return Item(case.name, False, expected if raised == exception else
                        f"no exception (the original: {exception})", got, "", outcome.seconds, case.origin)
    still = "still raises" if original is not None and original.raised == raised else "raises"
    where = ", at the line the error named" if same_place and raised == exception else ""
    return Item(case.name, True, expected, got, "", outcome.seconds, case.origin,
                warning=f"{still} {raised} on `{case.name}`{where}: intended?")


def raised_text(outcome: Outcome) -> str:
    """The exception and the line of the code it was raised on: `IndexError: list index out of range (line 2)`."""
    return outcome.error_text() + (f" (line {outcome.line})" if outcome.error and outcome.line else "")


def load_item(facts: Evidence, load: Outcome) -> Item | None:
    """When the original raised the reported error while loading (a module-level line), the fix must load."""
    if not facts.at_load:
        return None
    ok = load.ok
    return Item("the program runs", ok, f"no {facts.reported.exception}", "runs" if ok else raised_text(load),
                "", load.seconds, "program")
