"""The tutor on the page: hints (the Debug and Complete tabs: Task.shows.hints), one step of the ladder at a time
(hints.py), and Explain this error (Debug: Task.shows.explains_errors; explain_error.py); the `/hint` and
`/explain_error` endpoints and MCP tools. Within the class's limits, each kept in the class record."""

from __future__ import annotations

import html
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import gradio as gr
from gradio.events import api

from ..checks import run_snippet
from ..checks.failure import Failure, of_checks, of_run
from ..engines import Engine
from ..errors import PlaygroundError
from ..explain_error import ErrorExplanation, explain_error
from ..hints import WHAT, Hint, Ladder, climb
from ..languages import canonical_language, guess_language, picked_language
from ..limits import Limits
from ..markup.fragments import code_html, message_html
from ..markup.highlight import highlighted
from ..markup.outputs import Outputs
from ..params import GenerationParams
from ..record import new_request_id
from ..record.classroom import Asked, Classroom
from ..settings import get_settings
from ..tasks import TASKS, Request, Task, TaskInputs
from .classroom import owner_of, surface_of
from .present import words_html

LADDERS = 32  # ladders kept (a fix each), the least recently used going first


def _explaining() -> Task:
    """The task that explains errors (Task.shows.explains_errors): Explain this error and Hint on a failure are its."""
    return next(t for t in TASKS.values() if t.shows.explains_errors)


class HintApp:
    """Hints for one app: its model, the class's limits, the record; the ladders made so far."""

    def __init__(self, engine: Callable[[], Engine], limits: Limits, classroom: Classroom) -> None:
        self.engine, self.limits, self.classroom = engine, limits, classroom
        self._ladders: OrderedDict[tuple[str, ...], Ladder] = OrderedDict()
        self._lock = threading.Lock()

    def hint(self, task: str, code: str, language: str, step: int, request: gr.Request | None,
             inputs: TaskInputs) -> Hint:
        """One step for the code (`inputs`: the task's extra input, as Request.build takes it), within the limits
        (a refusal is an AccessError), kept in the record."""
        spec = TASKS[task]
        self.limits.check_task(task, spec.title)
        self.limits.check_hint(step)
        settings = get_settings()
        asked = Request.build(spec, code, language=picked_language(language), **inputs,
                              params=GenerationParams.build(temperature=0.0, candidates=settings.candidates,
                                                            policy=settings.policy))
        key = (task, asked.language, asked.code, asked.error, asked.suffix)
        with self._lock:
            ladder = self._ladders.get(key)
        hint, ladder = climb(asked, step, self.engine(), ladder)
        with self._lock:
            self._ladders[key] = ladder
            self._ladders.move_to_end(key)
            while len(self._ladders) > LADDERS:
                self._ladders.popitem(last=False)
        self.classroom.keep(Asked(new_request_id(), owner_of(request), surface_of(request), task, code, language,
                                  asked, hint_step=step), ladder.fix if step == 4 else None,
                            said="" if step == 4 else hint.text + (f"\n\n`{hint.code}`" if hint.code else ""))
        return hint

    def next_on_page(self, task: str, code: str, language: str, extra: str | None, shown: dict[str, Any] | None,
                     request: gr.Request) -> dict[str, Any]:
        """The Hint button: the next step for the code in the box (step 1 again when the code or the task's extra
        input changed), and the steps climbed so far."""
        same = isinstance(shown, dict) and shown.get("code") == code and shown.get("extra") == (extra or "")
        steps: list[dict[str, Any]] = list(shown["steps"]) if same and shown else []
        step = len(steps) + 1
        if step > 4:
            return {"ladder": ladder_html(steps, language, "That was the whole answer: there is no step after it."),
                    "shown": shown or {}}
        state = {"code": code, "extra": extra or "", "steps": steps}
        try:
            hint = self.hint(task, code, language, step, request, TASKS[task].inputs(extra))
        except PlaygroundError as exc:
            return {"ladder": ladder_html(steps, language, str(exc)), "shown": state}
        steps.append(hint.to_dict())
        return {"ladder": ladder_html(steps, language), "shown": state}

    def explain(self, code: str, language: str, error: str, request: gr.Request | None) -> ErrorExplanation:
        """Explain an error in code (the task that explains errors must be on), kept in the record."""
        spec = _explaining()
        self.limits.check_task(spec.name, spec.title)
        language = picked_language(language) or guess_language(code) or ""
        said = explain_error(code, error, canonical_language(language) if language else "", self.engine())
        try:
            asked: Request | None = Request.build(spec, code, language=language or None, error=error)
        except PlaygroundError:  # a language nobody could tell: kept without it
            asked = None
        self.classroom.keep(Asked(new_request_id(), owner_of(request), surface_of(request), spec.name, code, language,
                                  asked, explained=True), None, said=said.text)
        return said

    def explain_on_page(self, code: str, language: str, error: str | None, request: gr.Request) -> str:
        """The Explain this error button: the explanation, with where it happened and whether it ran here."""
        try:
            said = self.explain(code, language, error or "", request)
        except PlaygroundError as exc:
            return message_html(str(exc), "notice")
        where = f" · line {said.line}" if said.line else " · no line of this code"
        how = f" · reproduced here by running {said.ran}" if said.reproduced else ""
        head = f"{said.exception or 'The error'}{where}{how}"
        return (f'<div class="pg-hint"><div class="pg-hint-head">{html.escape(head)}</div>'
                f'<div class="pg-hint-text">{words_html(said.text)}</div></div>')

    def failure(self, record: dict[str, Any] | None, call: str | None) -> tuple[str, str, Failure]:
        """(the answer's code, its language, what failed): the Run box's call when it raises (run again here, in the
        sandbox), else the answer's first failed check; a PlaygroundError saying so when nothing failed."""
        spec = _explaining()
        try:
            self.limits.check_task(spec.name, spec.title)
        except PlaygroundError as exc:
            raise type(exc)(f"{exc} Explain and Hint on a failure use the {spec.title} task.") from None
        record = record if isinstance(record, dict) else {}
        code, language = str(record.get("code") or ""), str(record.get("language") or "")
        if not code.strip():
            raise PlaygroundError("There is no answer yet: generate one, then Explain or Hint on what fails in it.")
        ran = run_snippet(code, language, call) if call and call.strip() else None
        failed = (of_run(ran, code) if ran is not None else None) or of_checks(record.get("checks"), code)
        if failed is None:
            given = record.get("checks")
            checks = given if isinstance(given, dict) else {}
            passed = f"{checks.get('passed')} check(s) passed" if checks.get("total") else "no check ran on the answer"
            tried = f", and {ran.call} ran without an error" if ran is not None else ""
            raise PlaygroundError(f"Nothing failed: {passed}{tried}. These buttons explain a failed check, or a call "
                                  "in the Run box that raises.")
        return code, language, failed

    def explain_failure(self, record: dict[str, Any] | None, call: str | None, request: gr.Request) -> str:
        """Explain the failure button: the failure explained as an error of the answer's code."""
        try:
            code, language, failed = self.failure(record, call)
        except PlaygroundError as exc:
            return message_html(str(exc), "notice")
        about = f"Explaining `{failed.call}` ({failed.where})"
        return f'<div class="pg-muted">{words_html(about)}</div>' + self.explain_on_page(code, language,
                                                                                         failed.error, request)

    def hint_failure(self, record: dict[str, Any] | None, call: str | None, shown: dict[str, Any] | None,
                     request: gr.Request) -> dict[str, Any]:
        """Hint on the failure button: the next step of the ladder that fixes the answer's code (the task that
        explains errors, with the failure as its error)."""
        try:
            code, language, failed = self.failure(record, call)
        except PlaygroundError as exc:
            return {"ladder": message_html(str(exc), "notice"), "shown": shown}
        task = _explaining().name
        return self.next_on_page(task, code, language, failed.error, shown, request)

    def tools(self) -> list[Callable[..., str]]:
        """The `/hint` and `/explain_error` endpoints and MCP tools."""
        app = self

        def explain_error(code: str, error_message: str, source_language: str = "auto",
                          request: gr.Request | None = None) -> str:
            """Explain an error or traceback to a learner: what it means, at which line, why, and one thing to try.

            Args:
                code: the code the error came from.
                error_message: the error message or traceback.
                source_language: the code's language, or auto to guess it.
            """
            try:
                return json.dumps(app.explain(code, source_language, error_message, request).to_dict())
            except PlaygroundError as exc:
                raise gr.Error(str(exc), print_exception=False) from None

        return [self.tool(), explain_error]

    def tool(self) -> Callable[..., str]:
        """The `/hint` endpoint and MCP tool."""
        app = self
        hinted = [name for name, spec in TASKS.items() if spec.shows.hints]

        def hint(code: str, step: int = 1, error_message: str = "", source_language: str = "auto",
                 task: str = hinted[0], request: gr.Request | None = None) -> str:
            """A hint for code with a bug (or code to finish), one step at a time, without giving the answer away.

            Args:
                code: the student's code.
                step: 1 where to look (a line and a question), 2 what is wrong (in words, no code), 3 the idea of
                    the fix (one changed line), 4 the whole answer (checked).
                error_message: the error or traceback the code gave, if any.
                source_language: the code's language, or auto to guess it.
                task: debug (fix a bug) or complete (finish the code).
            """
            try:
                if task not in hinted:
                    raise PlaygroundError(f"Hints are for {' and '.join(hinted)}, not {task!r}.")
                given = TaskInputs(error=error_message) if error_message else TaskInputs()
                return json.dumps(app.hint(task, code, source_language, int(step), request, given).to_dict())
            except PlaygroundError as exc:
                raise gr.Error(str(exc), print_exception=False) from None

        return hint

    def add_tools(self, limit: int) -> None:
        for tool in self.tools():
            api(tool, api_name=tool.__name__, concurrency_id="model", concurrency_limit=limit)


def ladder_html(steps: list[dict[str, Any]], language: str, message: str = "") -> str:
    """The steps climbed, each under the last (escaped: the model's words are text)."""
    parts = []
    for shown in steps:
        where = f" · line {shown['line']}" if shown.get("line") else ""
        unsure = "" if shown.get("sure", True) else " · unsure"
        head = f"Step {shown['step']} of 4 · {WHAT[int(shown['step'])]}{where}{unsure}"
        code = shown.get("code") or ""
        body = code_html(highlighted(code, picked_language(language) or "python")) if code else ""
        parts.append(f'<div class="pg-hint"><div class="pg-hint-head">{html.escape(head)}</div>'
                     f'<div class="pg-hint-text">{words_html(str(shown["text"]))}</div>{body}</div>')
    if message:
        parts.append(message_html(message, "notice"))
    return "".join(parts)


def failure_row(app: HintApp, task: str, result: gr.JSON, call: gr.Textbox, limit: int) -> tuple[gr.HTML, gr.State]:
    """Under the Run box: Explain and Hint on what failed in the answer (a Run box call that raises, else the first
    failed check). Returns where their words go and the steps climbed (a new answer empties both)."""
    with gr.Row():
        explain = gr.Button("Explain the failure", size="sm", elem_id=f"{task}-explain-failure")
        hint = gr.Button("Hint on the failure (next step)", size="sm", elem_id=f"{task}-hint-failure")
    said = gr.HTML(elem_id=f"{task}-failure-help")
    shown = gr.State(None)
    explain.click(app.explain_failure, inputs=[result, call], outputs=said, concurrency_id="model",
                  concurrency_limit=limit, show_progress="full", api_visibility="private")
    outputs = Outputs(ladder=said, shown=shown)
    hint.click(outputs.bind(app.hint_failure), inputs=[result, call, shown], outputs=outputs.list,
               concurrency_id="model", concurrency_limit=limit, show_progress="full", api_visibility="private")
    return said, shown


def hint_row(app: HintApp, task: str, code: gr.Code, source: gr.Dropdown, extra: gr.components.Component | None,
             limit: int) -> None:
    """The Hint button and the ladder under the tab's inputs; Explain this error beside it where the task explains
    the error its extra input holds."""
    explains = TASKS[task].shows.explains_errors and extra is not None
    with gr.Accordion("Help one step at a time: hints" + (" and the error explained" if explains else ""),
                      open=True, elem_id=f"{task}-hints-box"):
        with gr.Row():
            button = gr.Button("Hint (next step)", size="sm", elem_id=f"{task}-hint")
            explain = gr.Button("Explain this error", size="sm", elem_id=f"{task}-explain-error", visible=explains)
        ladder = gr.HTML(f'<div class="pg-muted">{html.escape(app.limits.describe())} A hint points you at the '
                         'problem; each click goes one step further.</div>', elem_id=f"{task}-hints")
        explained = gr.HTML(elem_id=f"{task}-explained")
    shown = gr.State(None)

    def next_hint(code_text: str, language: str, extra_text: str | None, state: dict[str, Any] | None,
                  request: gr.Request) -> dict[str, Any]:
        return app.next_on_page(task, code_text, language, extra_text, state, request)

    inputs = [code, source, *([extra] if extra is not None else [gr.State(None)]), shown]
    outputs = Outputs(ladder=ladder, shown=shown)
    button.click(outputs.bind(next_hint), inputs=inputs, outputs=outputs.list, concurrency_id="model",
                 concurrency_limit=limit, show_progress="full", api_visibility="private")
    if explains and extra is not None:
        explain.click(app.explain_on_page, inputs=[code, source, extra], outputs=explained, concurrency_id="model",
                      concurrency_limit=limit, show_progress="full", api_visibility="private")
