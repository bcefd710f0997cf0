"""What a task tab shows at one moment: a View, and its outputs by name (the names of layout.py's components).

The records below are the tab's outputs. Their field order is the order of the event's outputs, so Live's
is the order of the returns of the HTTP API's streaming endpoints (/translate, ...): result, answer,
explanation, stats, message. The functions return dicts keyed by those names; layout.py maps the names to
components once (playground/markup/outputs.py), so a component moved in the page moves nothing else.
"""

from __future__ import annotations

from typing import Any, NamedTuple, TypedDict

import gradio as gr

from ..checks import RUNNABLE
from ..lint import Finding
from ..markup.fragments import code_html, message_html
from ..markup.highlight import highlighted
from ..result import Result, Status
from ..tasks import get_task
from .attempts import attempts_html
from .present import (
    CHECKS_PENDING,
    LINT_PENDING,
    checks_html,
    diff_html,
    example_call,
    explanation_html,
    lint_rows,
    lint_summary,
    stats_line,
)


class View(NamedTuple):
    """What a tab shows at one moment of a generation (a state of the answer, or a message without one)."""

    task: str
    code: str
    state: Result | None
    message: str = ""
    kind: str = "error"
    request_id: str = ""  # the class record's key of this request (rating an answer names it)

    @property
    def error(self) -> str:
        return self.message if self.kind == "error" else ""

    @property
    def final(self) -> bool:
        return self.state is None or self.state.status.finished or bool(self.error)

    @property
    def answered(self) -> bool:
        """An answer to download, share and run: one that ended by itself (not cut short by Stop or an error:
        its few words are no answer to pass on; Copy still takes them)."""
        state = self.state
        return self.final and state is not None and state.status is Status.DONE and bool(self.content.strip())

    @property
    def content(self) -> str:
        """What of the answer Copy copies and Download saves (Explain: the explanation; the others: the code)."""
        return get_task(self.task).content(self.state.answer) if self.state is not None else ""


class Live(TypedDict):
    """The outputs that change while the answer streams (in the order of the API's returns)."""

    result: dict[str, Any] | None  # the answer's record (Copy, Run and share links read it)
    answer: str  # the highlighted code
    explanation: str
    stats: str
    message: str


class Update(Live, total=False):
    """One update of a generation: the live outputs, and once, at the end, the View the panels are drawn from."""

    ended: View


class Panels(TypedDict):
    """The outputs shown once the answer has ended."""

    lint_note: str
    lint_table: dict[str, Any]
    diff: str
    prompt: str
    download: dict[str, Any]
    copy: dict[str, Any]
    checks: str
    share: dict[str, Any]
    share_note: str
    run_row: dict[str, Any]
    call: dict[str, Any]
    ran: str
    failure_help: str
    failure_shown: None  # the steps climbed on the last answer's failure: none on a new answer
    rate_row: dict[str, Any]
    rate_note: str


class Shown(Live, Panels):
    """Every output of a tab (what Stop shows)."""


def live(view: View) -> Live:
    """The outputs that change while the answer streams.

    Only these are sent on every update. Gradio postprocesses each output of each update in a worker
    thread, so the final panels (see panels()) come once, from an event that runs after the stream.
    Every value here is plain: Gradio answers a gr.update (even gr.skip()) by rebuilding the component
    and its config, which took ~8 ms of the server per update and paused decoding."""
    state, error = view.state, view.error
    if state is None:
        record = {"error": error, "request_id": view.request_id} if error else None
        return Live(result=record, answer=code_html(""), explanation="", stats="",
                    message=message_html(view.message, view.kind))
    note = message_html(view.message, view.kind) if view.message else message_html(state.notice, "notice")
    answer = state.answer
    return Live(result={**state.to_dict(), "done": state.status.finished, "error": error,
                        "request_id": view.request_id},
                answer=code_html(highlighted(answer.code, state.language)),
                explanation=explanation_html(answer.explanation), stats=stats_line(state), message=note)


def _code_html(code: str, language: str) -> str:
    return code_html(highlighted(code, language))


def panels(view: View, download: str | None = None) -> Panels:
    """The outputs shown once the answer has ended: lint, diff, prompt, download, checks, Share, the Run box;
    download: the answer's file, if saved."""
    state = view.state
    if state is None:
        return Panels(lint_note="", lint_table=_table([]), diff="", prompt="", download=_no_download(),
                      copy=gr.update(interactive=False), checks="", share=gr.update(interactive=False), share_note="",
                      **_run_box(None), rate_row=gr.update(visible=False), rate_note="")
    lint_line = "Lint did not run." if view.error and not state.status.finished else lint_summary(state)
    answered, task = view.answered, get_task(view.task)
    return Panels(
        lint_note=message_html(lint_line, "lint"), lint_table=_table(list(state.answer.lint)),
        diff=diff_html(view.code, state.answer.code) if task.shows.diff and view.final else "",
        prompt=state.prompt,
        download=gr.update(value=download, interactive=True) if answered and download else _no_download(),
        copy=gr.update(interactive=view.final and bool(view.content.strip())),  # a stopped answer too
        checks=attempts_html(state.attempts, state.candidate if state.rejected is None else 0,
                             view.code if task.shows.diff else None,
                             state.language, _code_html) + checks_html(state, _code_html),
        share=gr.update(interactive=answered), share_note="",
        **_run_box(state if answered and state.answer.code.strip() else None),  # a call runs on code
        rate_row=gr.update(visible=view.final and bool(view.request_id)), rate_note="")


def pending_panels() -> Panels:
    """The panels while an answer is on its way: the previous answer's lint, diff, prompt, download, checks,
    share link and Run box go."""
    return Panels(lint_note=message_html(LINT_PENDING, "lint"), lint_table=_table([]), diff="", prompt="",
                  download=_no_download(), copy=gr.update(interactive=False),
                  checks=f'<div class="pg-muted">{CHECKS_PENDING}</div>', share=gr.update(interactive=False),
                  share_note="", **_run_box(None), rate_row=gr.update(visible=False), rate_note="")


def render(view: View, download: str | None = None) -> Shown:
    """Every output of a tab (what Stop shows)."""
    return Shown(**live(view), **panels(view, download))


class _RunBox(TypedDict):
    run_row: dict[str, Any]
    call: dict[str, Any]
    ran: str
    failure_help: str
    failure_shown: None


def _run_box(state: Result | None) -> _RunBox:
    """The Run row, its call box, its output and Explain / Hint on a failure: shown only under an answer in a
    language that runs here, the placeholder a call of the answer's own function."""
    if state is None or state.language not in RUNNABLE:
        return _RunBox(run_row=gr.update(visible=False), call=gr.update(value=""), ran="", failure_help="",
                       failure_shown=None)
    return _RunBox(run_row=gr.update(visible=True),
                   call=gr.update(value="", placeholder=f"Run a call, e.g. {example_call(state)}"), ran="",
                   failure_help="", failure_shown=None)


def _no_download() -> dict[str, Any]:
    return gr.update(value=None, interactive=False)


def _table(findings: list[Finding]) -> dict[str, Any]:
    """The lint table, shown only when there is something in it."""
    return gr.update(value=lint_rows(findings), visible=bool(findings))
