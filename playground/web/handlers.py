"""The web app's event handlers: generators streaming pipeline Results into the outputs of a tab.

Every PlaygroundError becomes a message in the tab (and a toast), never a traceback; the partial
answer stays visible. Stop and a closed browser tab set the generation's cancel Event.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterator
from typing import NamedTuple

import gradio as gr

from .. import pipeline
from ..checks import RUNNABLE, run_snippet
from ..errors import PlaygroundError
from ..languages import AUTO, DISPLAY_NAMES, guess_language, picked_language
from ..markup.fragments import code_html, message_html
from ..markup.highlight import highlighted
from ..params import GenerationParams
from ..result import Result
from ..tasks import TASKS, get_task
from .feed import Latest, Pace
from .files import save_answer
from .manager import ModelManager, model_spec
from .present import (
    CHECKS_PENDING,
    LINT_PENDING,
    checks_html,
    diff_html,
    example_call,
    explanation_html,
    fim_note,
    in_page_words,
    lint_rows,
    lint_summary,
    model_card_html,
    run_html,
    speed_line,
    stats_line,
)
from .sessions import Runs

SAMPLING = ("temperature", "top_p", "top_k", "max_tokens", "repeat_penalty", "seed", "candidates")
# gr.Code colours only these; other languages are shown uncoloured in the input box.
CODE_LANGUAGES = {"python": "python", "javascript": "javascript", "typescript": "typescript", "c": "c",
                  "cpp": "cpp", "sql": "sql", "bash": "shell"}


class View(NamedTuple):
    """What a tab shows at one moment of a generation (a state of the answer, or a message without one)."""

    task: str
    code: str
    state: Result | None
    message: str = ""
    kind: str = "error"

    @property
    def error(self) -> str:
        return self.message if self.kind == "error" else ""

    @property
    def final(self) -> bool:
        return self.state is None or self.state.status.finished or bool(self.error)


def live(view: View) -> tuple:
    """The outputs that change while the answer streams: (result, code, explanation, stats, message).

    Only these are sent on every update. Gradio postprocesses each output of each update in a worker
    thread, so the five final panels (see panels()) come once, from an event that runs after the stream.
    Every value here is plain: Gradio answers a gr.update (even gr.skip()) by rebuilding the component
    and its config, which took ~8 ms of the server per update and paused decoding."""
    state, error = view.state, view.error
    if state is None:
        record = {"error": error} if error else None
        return record, code_html(""), "", "", message_html(view.message, view.kind)
    record = {**state.to_dict(), "done": state.status.finished, "error": error}
    note = message_html(view.message, view.kind) if view.message else message_html(state.notice, "notice")
    answer = state.answer
    return (record, code_html(highlighted(answer.code, state.language)), explanation_html(answer.explanation),
            stats_line(state), note)


def panels(view: View) -> tuple:
    """The outputs shown once the answer has ended: (lint note, lint table, diff, prompt, download, checks,
    share button, share note, Run row, Run call box, Run output)."""
    state = view.state
    if state is None:
        return "", _table([]), "", "", _no_download(), "", gr.update(interactive=False), "", *_run_box(None)
    answer = state.answer
    lint_line = "Lint did not run." if view.error and not state.status.finished else lint_summary(state)
    diff = diff_html(view.code, answer.code) if get_task(view.task).diff and view.final else ""
    answered = view.final and bool(answer.code.strip())
    download = (gr.update(value=save_answer(answer.code, state.language, view.code, view.task), interactive=True)
                if answered else _no_download())
    checks = checks_html(state, lambda code, language: code_html(highlighted(code, language)))
    return (message_html(lint_line, "lint"), _table(list(answer.lint)), diff, state.prompt, download, checks,
            gr.update(interactive=answered), "", *_run_box(state if answered else None))


def pending_panels() -> tuple:
    """The panels while an answer is on its way: the previous answer's lint, diff, prompt, download, checks,
    share link and Run box go."""
    return (message_html(LINT_PENDING, "lint"), _table([]), "", "", _no_download(),
            f'<div class="pg-muted">{CHECKS_PENDING}</div>', gr.update(interactive=False), "", *_run_box(None))


def _no_download() -> dict:
    return gr.update(value=None, interactive=False)


def _run_box(state: Result | None) -> tuple:
    """The Run row, its call box and its output: shown only under an answer in a language that runs here,
    the placeholder a call of the answer's own function."""
    if state is None or state.language not in RUNNABLE:
        return gr.update(visible=False), gr.update(value=""), ""
    return (gr.update(visible=True), gr.update(value="", placeholder=f"Run a call, e.g. {example_call(state)}"),
            "")


def render(view: View) -> tuple:
    """Every output of a tab, live ones first (what Stop shows)."""
    return (*live(view), *panels(view))


def _toast(message: str) -> None:
    """Show a message as a toast; Gradio renders toasts as (sanitized) HTML, so escape it to stay text."""
    gr.Warning(html.escape(message))


def _table(findings: list) -> dict:
    """The lint table, shown only when there is something in it."""
    return gr.update(value=lint_rows(findings), visible=bool(findings))


def _session(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or "anonymous"


N_OUTPUTS = len(render(View("translate", "", None)))
N_PANELS = N_OUTPUTS - len(live(View("translate", "", None)))


class PlaygroundApp:
    """The handlers, bound to one model manager and the generations in progress."""

    def __init__(self, manager: ModelManager) -> None:
        self.manager = manager
        self.runs = Runs()
        self.pace = Pace()  # the updates per second all generations share

    def generate(self, task: str, code: str, source: str, extra: str | None, tests: str | None, sampling: tuple,
                 request: gr.Request | None) -> Iterator[tuple]:
        """Stream one task's live outputs (every 50 ms; less often when many stream at once, see Pace), then
        the final View for panels(); errors become a message, never a traceback."""
        key = (_session(request), task)
        cancel = self.runs.start(key)
        view = View(task, code, None, "Starting…" if self.manager.loaded else "Loading the model…", "notice")
        states: Latest[Result] | None = None
        try:
            yield *live(view), gr.skip()
            params = GenerationParams.build(**dict(zip(SAMPLING, sampling, strict=True)))
            language = picked_language(source)
            # The model generates in a thread of its own, so Gradio's work on one update does not pause it.
            states = Latest(pipeline.stream(task, code, language=language, params=params,
                                            engine=self.manager.engine(), cancel=cancel, tests=tests or "",
                                            **TASKS[task].inputs(extra)),
                            copy=Result.snapshot, name=f"generate-{task}", pace=self.pace)
            for state in states:
                view = View(task, code, state)
                if state.status.finished:
                    self.manager.speeds.add(state.engine, state.model, state.stats)
                # The session's View is set once, with the final state (setting it costs Gradio a config).
                yield *live(view), (view if state.status.finished else gr.skip())
        except PlaygroundError as exc:
            message = in_page_words(str(exc))
            _toast(message)
            view = View(task, code, exc.partial if isinstance(exc.partial, Result) else None, message)
            yield *live(view), view
        except Exception as exc:  # a bug must not leave the tab stuck: say so and stay usable
            view = View(task, code, None, f"Unexpected error ({type(exc).__name__}: {exc}). Please report it.")
            yield *live(view), view
        finally:
            cancel.set()  # Stop, or Gradio closing this generator because the browser tab went away
            if states is not None:
                view = _drain(view, states)
            self.runs.finish(key, cancel, view)

    def stop(self, task: str, request: gr.Request) -> tuple:
        """Stop this session's generation in a tab and show where it ended (every output)."""
        ran, last = self.runs.stop((_session(request), task))
        return render(last) if ran and isinstance(last, View) else tuple(gr.skip() for _ in range(N_OUTPUTS))

    @staticmethod
    def show_panels(view: View | None) -> tuple:
        """The final panels, after a generation's stream has ended."""
        return panels(view) if isinstance(view, View) else tuple(gr.skip() for _ in range(N_PANELS))

    # The four endpoints (api_name = the task). Their parameter names are the HTTP API's, so they are spelled out.
    def translate(self, code: str, source_language: str, target_language: str, tests: str, temperature: float,
                  top_p: float, top_k: int, max_tokens: int, repeat_penalty: float, seed: int, candidates: int,
                  request: gr.Request) -> Iterator[tuple]:
        """Translate code into another language."""
        sampling = (temperature, top_p, top_k, max_tokens, repeat_penalty, seed, candidates)
        yield from self.generate("translate", code, source_language, target_language, tests, sampling, request)

    def simplify(self, code: str, source_language: str, tests: str, temperature: float, top_p: float, top_k: int,
                 max_tokens: int, repeat_penalty: float, seed: int, candidates: int,
                 request: gr.Request) -> Iterator[tuple]:
        """Rewrite code shorter and clearer, keeping its behaviour."""
        sampling = (temperature, top_p, top_k, max_tokens, repeat_penalty, seed, candidates)
        yield from self.generate("simplify", code, source_language, None, tests, sampling, request)

    def debug(self, code: str, source_language: str, error_message: str, tests: str, temperature: float,
              top_p: float, top_k: int, max_tokens: int, repeat_penalty: float, seed: int, candidates: int,
              request: gr.Request) -> Iterator[tuple]:
        """Find and fix a bug (optionally given the error message or traceback)."""
        sampling = (temperature, top_p, top_k, max_tokens, repeat_penalty, seed, candidates)
        yield from self.generate("debug", code, source_language, error_message, tests, sampling, request)

    def complete(self, code: str, source_language: str, suffix: str, tests: str, temperature: float, top_p: float,
                 top_k: int, max_tokens: int, repeat_penalty: float, seed: int, candidates: int,
                 request: gr.Request) -> Iterator[tuple]:
        """Continue unfinished code (fill in the middle when a suffix is given and the model can)."""
        sampling = (temperature, top_p, top_k, max_tokens, repeat_penalty, seed, candidates)
        yield from self.generate("complete", code, source_language, suffix, tests, sampling, request)

    @staticmethod
    def run_call(record: dict | None, call: str) -> str:
        """The Run box: run a call against the answer shown, in the sandbox."""
        record = record if isinstance(record, dict) else {}
        try:
            report = run_snippet(str(record.get("code") or ""), str(record.get("language") or ""), call)
        except PlaygroundError as exc:
            return message_html(str(exc))
        return run_html(report)

    def show_model(self, progress: gr.Progress = gr.Progress()) -> tuple[str, str, str, str]:  # noqa: B008
        """The model panel, the Complete tab's note and the line under the page's title (loads the default
        model on first page load, showing the progress of a first start that joins or downloads it)."""
        while (preparing := self.manager.preparing) is not None and not self.manager.loaded:
            progress(preparing, desc="Preparing the model (first start: joining its parts)", unit="bytes")
            time.sleep(0.5)
        try:
            card = self.manager.card()
        except PlaygroundError as exc:
            return "", message_html(in_page_words(str(exc))), "", ""
        return (model_card_html(card), "", message_html(fim_note(card), "notice"),
                speed_line(card, self.manager.speeds.median(card.engine, card.name)))

    def load_model(self, source: str, path: str, repo: str, filename: str, engine: str, choice: str,
                   token: str = "", progress: gr.Progress = gr.Progress()) -> Iterator[tuple]:  # noqa: B008
        """Switch models; a model that fails to load leaves the previous one working (gr.Progress() as a
        default is Gradio's idiom). A locked app first checks the admin token."""
        yield gr.skip(), message_html("Loading the model…", "notice"), gr.skip(), gr.skip()
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
            yield gr.skip(), message_html(message, "error"), gr.skip(), gr.skip()
            return
        note = message_html(fim_note(card), "notice")
        yield model_card_html(card), message_html(f"Loaded {card.name}.", "notice"), note, speed_line(card, None)


def _drain(view: View, states: Latest[Result]) -> View:
    """Wait for a cancelled stream to end (one token at most) so the final state is shown."""
    try:
        state = states.rest()
    except PlaygroundError as exc:
        return View(view.task, view.code, exc.partial if isinstance(exc.partial, Result) else None, str(exc))
    return View(view.task, view.code, state) if state is not None else view


def detect_language(code: str, source: str) -> tuple[str, dict]:
    """The line under the language picker (the language guessed for the code), and the code box coloured
    for the chosen language, else the guessed one: one guess for both."""
    guess = guess_language(code) if code and code.strip() else None
    info = f"Detected: {DISPLAY_NAMES[guess]}." if guess else "Paste code and its language is guessed."
    language = guess if source == AUTO else source
    return (f'<div class="pg-detected">{html.escape(info)}</div>',
            gr.update(language=CODE_LANGUAGES.get(language or "")))


def guess_again(source: str, by_hand: bool) -> tuple:
    """The user edited the code: a language that a file or an example set goes back to Auto-detect (with the
    file's notice); one picked by hand stays."""
    if by_hand or source == AUTO:
        return gr.skip(), gr.skip()
    return AUTO, ""
