"""What failed under an answer, written as the error a student would paste: for Explain and Hint on a failed check
or a Run box error (the tutor's explain_error.py and hints.py take it as the error of the answer's code).

The Run box's call comes first when it raised (the student chose it); else the first failed check in the panel's
order (failures the student can read before generated inputs) that is a call of the answer. A check the machine
was too busy to finish failed nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..verdict import ORIGINS, Item, rank
from .debug import line_text
from .run import RunReport

# Rows of the Checks panel that are not a call of the answer: the answer against the student's code, the planted
# bugs no test caught, an example the explanation claims (its words, not the code, are wrong).
NOT_CALLS = ("unchanged", "mutants", "claim")


@dataclass(frozen=True)
class Failure:
    """One failure of an answer's code."""

    call: str  # what ran: the check's call, the Run box's call
    error: str  # the failure as an error message: the call, the line, the exception (last) or the wrong value
    where: str  # "the Run box", or where the check came from ("from the examples")
    line: int = 0  # the line of the answer it was raised on (0: not known)


def described(call: str, error: str, line: int, code: str, got: str = "", expected: str = "") -> str:
    """A failure as the error a person would paste: an exception as a short traceback (the call, the frame of the
    answer's line it was raised on, the exception last, as Python prints it); a wrong value as doctest reports
    one."""
    if not error:
        return f"Failed example:\n    {call}\nExpected:\n    {expected}\nGot:\n    {got or 'nothing'}"
    frame = f'  File "the answer", line {line}\n    {line_text(code, line)}\n' if line else ""
    return f">>> {call}\n{frame}{error}"


def of_run(report: RunReport, code: str) -> Failure | None:
    """The Run box's failure (None when the call ran without an error)."""
    if report.ok:
        return None
    return Failure(report.call, described(report.call, report.error, report.line, code), "the Run box", report.line)


def _item(row: Mapping[str, Any]) -> Item:
    return Item(str(row.get("name", "")), bool(row.get("passed")), str(row.get("expected", "")),
                str(row.get("got", "")), str(row.get("error", "")), origin=str(row.get("origin", "example")),
                timed_out=bool(row.get("timed_out")), line=int(row.get("line", 0) or 0))


def of_checks(checks: Mapping[str, Any] | None, code: str) -> Failure | None:
    """The first failed check of a verdict's JSON (Verdict.to_dict, as a result's record holds it)."""
    rows = checks.get("items") if isinstance(checks, Mapping) else None
    items = sorted((_item(row) for row in rows or [] if isinstance(row, Mapping)), key=rank)
    failed = next((i for i in items if not i.passed and not i.timed_out and i.ran and i.origin not in NOT_CALLS),
                  None)
    if failed is None:
        return None
    call = failed.name.removeprefix(">>> ")
    return Failure(call, described(call, failed.error, failed.line, code, failed.got, failed.expected),
                   ORIGINS.get(failed.origin, failed.origin), failed.line)
