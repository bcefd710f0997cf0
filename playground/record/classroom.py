"""The class record as the front ends use it: keep a request (in the record and in its session's journal), rate
an answer, the teacher's CSV, a student's session to take home. The page, the HTTP API, MCP and the command line
call these, so each rule (whose answer a rating may name, who gets the CSV) holds on every surface."""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..errors import InputError
from ..languages import display_name
from ..result import Result, Status
from ..tasks import Request, get_task
from . import summary
from .entry import entry_of
from .store import Record, check_admin
from .take_home import Journal, Step, export

RATINGS = {"up": True, "down": False, "👍": True, "👎": False}
# MCP clients, which Gradio's stateless MCP server does not tell apart: one session, in which a request_id (random,
# 128 bits, given only to whoever asked) is what proves an answer is the caller's.
MCP_SESSION = "mcp"


@dataclass(frozen=True)
class Asked:
    """One request as the front end saw it: who asked, from where, and what (the Request when it was valid)."""

    request_id: str
    session: str
    surface: str  # page, api, mcp, cli
    task: str
    code: str
    language: str  # the input's language as picked ("" or "auto": guessed)
    request: Request | None = None
    waited: float | None = None
    hint_step: int | None = None  # a hint's step (the tutor's ladder), None for an answer
    explained: bool = False  # an error explained (the tutor's), not an answer


class Classroom:
    """The record, the sessions' journals and the admin token of one app."""

    def __init__(self, record: Record, admin_token: str = "", journal: Journal | None = None) -> None:
        self.record = record
        self.admin_token = admin_token
        self.journal = journal or Journal()

    def keep(self, asked: Asked, result: Result | None, failed: bool = False, said: str = "") -> None:
        """Keep a request that ended (done, stopped or failed): a row in the record, a step in its session's
        journal (`said`: a hint's words, for a request that has no Result). Never raises: the record turns itself
        off on a write that fails."""
        request = asked.request
        # the input's language when the request was valid; a name a client sent that was not one is not kept
        language = request.language if request is not None else ""
        self.record.add(entry_of(asked.request_id, asked.session, asked.surface, asked.task, language or "", result,
                                 error=request.error if request is not None else "", failed=failed,
                                 waited=asked.waited, code=asked.code, hint_step=asked.hint_step,
                                 explained=asked.explained))
        self.journal.add(asked.session, _step(asked, language or "", result, failed, said))

    def rate(self, request_id: str, rating: str, comment: str, session: str) -> str:
        """Keep a rating of the session's own answer; returns the words to show. `rating`: up or down."""
        up = RATINGS.get(rating.strip().lower())
        if up is None:
            raise InputError(f"Unknown rating {rating!r}: rate an answer up or down.")
        if not request_id.strip():
            raise InputError("There is no answer to rate yet: ask for one first.")
        self.record.rate(request_id.strip(), session, up, comment)
        return "Thanks: your rating was kept for the teacher." + (" So was your comment." if comment.strip() else "")

    def class_csv(self, token: str, since: float = 0.0) -> str:
        """Every request in the record (with its rating) as CSV: the teacher's, refused without the admin token."""
        check_admin(token, self.admin_token)
        return summary.to_csv(self.record.rows(since))

    def take_home(self, form: str, session: str, request_ids: list[str] | None = None) -> tuple[str, str]:
        """(file name, text) of the session's requests as a notebook (`ipynb`) or Markdown (`md`); only those
        named when request_ids are given (required in the shared MCP session)."""
        steps = self.journal.steps(session)
        if request_ids:
            steps = [step for step in steps if step.request_id in set(request_ids)]
        elif session == MCP_SESSION:
            raise InputError("Over MCP, name your answers: pass request_ids (the request_id each answer carries); "
                             "MCP clients share one session here, so a whole session would be everyone's.")
        return export(steps, form)


def _given(request: Request | None) -> str:
    """The task's extra input in words, from what the request carries."""
    if request is None:
        return ""
    parts = []
    if request.target:
        parts.append(f"Into {display_name(request.target)}.")
    for label, text in (("The error message", request.error), ("The code after the cursor", request.suffix),
                        ("Your tests", request.tests)):
        if text.strip():
            parts.append(f"{label}:\n\n```\n{text.strip()}\n```")
    return "\n\n".join(parts)


def _step(asked: Asked, language: str, result: Result | None, failed: bool, said: str) -> Step:
    checks = result.checks if result is not None else None
    if failed or (result is None and not said):
        outcome = "error"
    else:
        outcome = "stopped" if result is not None and result.status is Status.STOPPED else "done"
    title = get_task(asked.task).title + (f", hint step {asked.hint_step}" if asked.hint_step else
                                          ", the error explained" if asked.explained else "")
    return Step(request_id=asked.request_id, created=time.time(), task=title,
                language=language, answer_language=result.language if result is not None else language,
                code=asked.code, given=_given(asked.request),
                answer=result.answer.code if result is not None else "",
                explanation=result.answer.explanation if result is not None else said,
                verdict=checks.summary() if checks is not None and checks.total else "", outcome=outcome)
