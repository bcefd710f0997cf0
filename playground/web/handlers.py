"""The web app's event handlers: generators streaming pipeline Results into the outputs of a tab.

Every PlaygroundError becomes a message in the tab (and a toast), never a traceback; the partial
answer stays visible. Stop and a closed browser tab set the generation's cancel Event.
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from enum import StrEnum
from typing import Any, TypedDict, cast

import gradio as gr

from .. import pipeline
from ..checks import run_snippet
from ..errors import PlaygroundError
from ..languages import AUTO, display_name, find_language, guess_language, picked_language
from ..limits import Limits
from ..markup.fragments import message_html
from ..params import GenerationParams
from ..record import OFF, Record, new_request_id
from ..record.classroom import Asked, Classroom
from ..result import Result
from ..scratch import Scratch
from ..tasks import TASKS, Request, Task, get_task
from .classroom import owner_of, surface_of
from .feed import Latest, Pace
from .files import save_answer, session_of
from .manager import ModelManager, model_spec
from .present import fim_note, in_page_words, model_card_html, run_html, speed_line
from .sessions import Runs
from .signatures import REQUIRED, signed_stream
from .view import Live, Panels, Shown, Update, View, live, panels, render
from .waits import Queued, starts

log = logging.getLogger(__name__)

SAMPLING = ("temperature", "top_p", "top_k", "max_tokens", "repeat_penalty", "seed", "candidates", "policy")
# The API's types: a choice (the policy) is its name, a string.
SAMPLING_TYPES: dict[str, type] = {name: str if issubclass(kind, StrEnum) else kind for name in SAMPLING
                                   if (kind := cast(type, GenerationParams.model_fields[name].annotation))}


class ModelShown(TypedDict):
    """The model panel's outputs: its card and status line, the Complete tab's note, the line under the title."""

    card: str
    status: str
    fim_note: str
    speed: str


def _toast(message: str) -> None:
    """Show a message as a toast; Gradio renders toasts as (sanitized) HTML, so escape it to stay text."""
    gr.Warning(html.escape(message))


class PlaygroundApp:
    """The handlers, bound to one model manager, the generations in progress and the folder for downloads."""

    def __init__(self, manager: ModelManager, files: Scratch | None = None, classroom: Classroom | None = None,
                 limits: Limits | None = None) -> None:
        self.manager = manager
        self.files = files or Scratch()
        self.classroom = classroom or Classroom(Record(OFF))
        self.limits = limits or Limits(TASKS, TASKS)  # the class's: which tasks are on (the teacher's panel)
        self.runs = Runs()
        self.pace = Pace()  # the updates per second all generations share
        self.queued = Queued()  # when each session's request joined the model's queue (the record's waits)

    def generate(self, task: str, code: str, source: str, extra: str | None, tests: str | None,
                 sampling: tuple[float | str, ...],
                 request: gr.Request | None) -> Iterator[Live | Update]:
        """Stream one task's live outputs (every 50 ms; less often when many stream at once, see Pace), then
        the final View for panels() as `ended`; errors become a message, never a traceback."""
        key = (session_of(request), task)
        cancel = self.runs.start(key)
        rid = new_request_id()
        view = View(task, code, None, "Starting…" if self.manager.loaded else "Loading the model…", "notice",
                    request_id=rid)
        asked = Asked(rid, owner_of(request), surface_of(request), task, code, source,
                      waited=self.queued.started(key[0]))
        states: Latest[Result] | None = None
        try:
            yield live(view)
            spec = TASKS[task]
            self.limits.check_task(task, spec.title)
            built = Request.build(spec, code, language=picked_language(source), tests=tests,
                                  params=GenerationParams.build(**dict(zip(SAMPLING, sampling, strict=True))),
                                  **spec.inputs(extra))
            asked = replace(asked, request=built)
            # The model generates in a thread of its own, so Gradio's work on one update does not pause it.
            states = Latest(pipeline.stream_request(built, engine=self.manager.engine(), cancel=cancel),
                            name=f"generate-{task}", pace=self.pace)
            for state in states:
                view = View(task, code, state, request_id=rid)
                if state.status.finished:
                    self.manager.speeds.add(state.engine, state.model, state.stats)
                # The session's View is set once, with the final state (setting it costs Gradio a config).
                yield Update(**live(view), ended=view) if state.status.finished else live(view)
        except PlaygroundError as exc:
            message = in_page_words(str(exc))
            _toast(message)
            view = View(task, code, exc.partial if isinstance(exc.partial, Result) else None, message,
                        request_id=rid)
            yield Update(**live(view), ended=view)
        except Exception as exc:  # a bug must not leave the tab stuck: say so, log it, and stay usable
            log.exception("a %s request failed unexpectedly", task)
            view = View(task, code, None, f"Unexpected error ({type(exc).__name__}: {exc}). Please report it.",
                        request_id=rid)
            yield Update(**live(view), ended=view)
        finally:
            cancel.set()  # Stop, or Gradio closing this generator because the browser tab went away
            if states is not None:
                view = _drain(view, states)
            # kept before Stop's handler may show the rating row: a rating finds the request in line before it
            self.classroom.keep(asked, view.state, failed=bool(view.error))
            self.runs.finish(key, cancel, view)

    def queue_waits(self, running: list[float], slots: int | None, waiting: Sequence[str]) -> list[float] | None:
        """Seconds until each queued request starts (see waits.py), or None before any answer was timed;
        `waiting`: the queued requests' sessions, in order."""
        self.queued.joined(waiting)
        per_request = self.manager.speeds.per_request()
        return None if per_request is None else starts(running, slots, len(waiting), per_request)

    def stop(self, task: str, request: gr.Request) -> Shown | dict[str, Any]:
        """Stop this session's generation in a tab and show where it ended (every output; none without one)."""
        ran, last = self.runs.stop((session_of(request), task))
        return render(last, self.save(last, request)) if ran and isinstance(last, View) else {}

    def show_panels(self, view: View | None, request: gr.Request | None = None) -> Panels | dict[str, Any]:
        """The final panels, after a generation's stream has ended (none when it set no View)."""
        return panels(view, self.save(view, request)) if isinstance(view, View) else {}

    def save(self, view: View, request: gr.Request | None) -> str | None:
        """The answer's file for the Download button (the session's older ones go), or None without an answer."""
        state = view.state
        if state is None or not view.answered:
            return None
        task = get_task(view.task)
        return save_answer(self.files, task.file_name(state.answer, state.language, view.code),
                           task.content(state.answer), session_of(request))

    def endpoint(self, task: Task) -> Callable[..., Iterator[Live | Update]]:
        """The task's streaming endpoint (api_name = the task), made from the task list: its parameters are the
        HTTP API's, `code`, `source_language`, the task's extra input by its API name (Extra.api_name), `tests`,
        then the sampling settings."""
        extra = [task.extra.api_name] if task.extra is not None else []
        parameters: list[tuple[str, type, Any]] = [(name, str, REQUIRED)
                                                   for name in ("code", "source_language", *extra, "tests")]
        parameters += [(name, SAMPLING_TYPES[name], REQUIRED) for name in SAMPLING] + [("request", gr.Request, None)]

        def body(given: Mapping[str, Any]) -> Iterator[Live | Update]:
            yield from self.generate(task.name, given["code"], given["source_language"],
                                     given[extra[0]] if extra else None, given["tests"],
                                     tuple(given[name] for name in SAMPLING), given["request"])

        return signed_stream(body, task.name, task.description, parameters, Iterator[Live | Update])

    @staticmethod
    def run_call(record: dict[str, Any] | None, call: str) -> str:
        """The Run box: run a call against the answer shown, in the sandbox."""
        record = record if isinstance(record, dict) else {}
        try:
            report = run_snippet(str(record.get("code") or ""), str(record.get("language") or ""), call)
        except PlaygroundError as exc:
            return message_html(str(exc))
        return run_html(report)

    def show_model(self, progress: gr.Progress = gr.Progress()) -> ModelShown:  # noqa: B008
        """The model panel, the Complete tab's note and the line under the page's title (loads the default
        model on first page load, showing the progress of a first start that joins or downloads it)."""
        while (preparing := self.manager.preparing) is not None and not self.manager.loaded:
            progress(preparing, desc="Preparing the model (first start: joining its parts)", unit="bytes")
            time.sleep(0.5)
        try:
            card = self.manager.card()
        except PlaygroundError as exc:
            return ModelShown(card="", status=message_html(in_page_words(str(exc))), fim_note="", speed="")
        return ModelShown(card=model_card_html(card), status="", fim_note=message_html(fim_note(card), "notice"),
                          speed=speed_line(card, self.manager.speeds.median(card.engine, card.name),
                                           self.manager.speeds.per_request()))

    def load_model(self, source: str, path: str, repo: str, filename: str, engine: str, choice: str,
                   token: str = "", progress: gr.Progress = gr.Progress()) -> Iterator[ModelShown | dict[str, str]]:  # noqa: B008
        """Switch models; a model that fails to load leaves the previous one working (gr.Progress() as a
        default is Gradio's idiom). A locked app first checks the admin token."""
        yield {"status": message_html("Loading the model…", "notice")}
        try:
            # switch() enforces the token; checking it first answers a locked form with the lock, not with a
            # complaint about the path or repository it was sent with.
            self.manager.check_token(token or "")
            spec = choice if self.manager.public else model_spec(source, path or "", repo or "", filename or "",
                                                                  choice or "")

            def report(done: int, total: int | None) -> None:
                progress((done, total), desc="Preparing the model (joining or downloading it)", unit="bytes")

            card = self.manager.switch(spec, engine, report, token=token or "")
        except PlaygroundError as exc:
            message = f"{in_page_words(str(exc))} The previous model is still loaded."
            _toast(message)
            yield {"status": message_html(message, "error")}
            return
        yield ModelShown(card=model_card_html(card), status=message_html(f"Loaded {card.name}.", "notice"),
                         fim_note=message_html(fim_note(card), "notice"), speed=speed_line(card, None))


def _drain(view: View, states: Latest[Result]) -> View:
    """Wait for a cancelled stream to end (one token at most) so the final state is shown."""
    try:
        state = states.rest()
    except PlaygroundError as exc:
        return View(view.task, view.code, exc.partial if isinstance(exc.partial, Result) else None, str(exc),
                    request_id=view.request_id)
    return View(view.task, view.code, state, request_id=view.request_id) if state is not None else view


def detect_language(code: str, source: str) -> dict[str, Any]:
    """The line under the language picker (the language guessed for the code), and the code box coloured
    for the chosen language, else the guessed one: one guess for both."""
    guess = guess_language(code) if code and code.strip() else None
    info = f"Detected: {display_name(guess)}." if guess else "Paste code and its language is guessed."
    known = find_language(guess if source == AUTO else source)
    # gr.Code colours only some languages (Language.code_box); the others are shown uncoloured.
    return {"detected": f'<div class="pg-detected">{html.escape(info)}</div>',
            "code": gr.update(language=known.code_box if known else None)}


def guess_again(source: str, by_hand: bool) -> dict[str, str]:
    """The user edited the code: a language that a file or an example set goes back to Auto-detect (and the
    file's notice goes); one picked by hand stays."""
    if by_hand or source == AUTO:
        return {}
    return {"source": AUTO, "message": ""}
