"""A request as the class record keeps it, made from what the front end asked and the Result it got."""

from __future__ import annotations

import re
import uuid

from ..result import Result, Status
from .store import Entry

# The exception a traceback or error message names (its last line names the one raised): Python's and
# JavaScript's built-in ones and a program's own, which follow the same naming.
_EXCEPTION = re.compile(r"\b([A-Z][A-Za-z0-9_]*(?:Error|Exception|Warning|Interrupt|Exit))\b")


def new_request_id() -> str:
    """A request's id: random, unguessable (it is the key a student rates an answer with)."""
    return uuid.uuid4().hex


def error_kind(message: str) -> str | None:
    """The exception an error message names (the last one: a traceback's own line), or None."""
    found = _EXCEPTION.findall(message or "")
    return found[-1][:64] if found else None


def entry_of(request_id: str, session: str, surface: str, task: str, source_language: str,
             result: Result | None, *, error: str = "", failed: bool = False, waited: float | None = None,
             code: str = "", hint_step: int | None = None, explained: bool = False) -> Entry:
    """The record's row for one request. `failed`: it ended in an error message rather than an answer;
    `error`: the error message the student gave with their code (only its exception's name is kept);
    `code`: the student's input (kept only when the teacher turned PLAYGROUND_RECORD_CODE on)."""
    checks = result.checks if result is not None else None
    stats = result.stats if result is not None else None
    if failed or (result is None and hint_step is None and not explained):
        outcome = "error"
    else:  # an answer that ended, a hint or an explanation (words, not a Result)
        outcome = "stopped" if result is not None and result.status is Status.STOPPED else "done"
    return Entry(
        id=request_id, session=session, surface=surface, task=task, source_language=source_language,
        target_language=result.language if result is not None else "", model=result.model if result else "",
        engine=result.engine if result else "", outcome=outcome,
        verdict=str(checks.status) if checks is not None else "",
        checks_passed=checks.passed if checks is not None else 0, checks_total=checks.total if checks else 0,
        answers=max(len(result.attempts), 1) if result is not None else 0,
        tokens=stats.completion_tokens if stats else 0, seconds=round(stats.total_s, 3) if stats else 0.0,
        first_token=round(stats.ttft_s, 3) if stats else 0.0, code=code or None,
        answer=(result.answer.code or result.answer.explanation) if result is not None else None,
        error_kind=error_kind(error), waited=round(waited, 3) if waited is not None else None, hint_step=hint_step,
        kind="explanation" if explained else "hint" if hint_step is not None else "answer")
