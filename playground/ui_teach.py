"""The "How it works" tab: wiring only. The logic lives in teach.py, teach_steps.py, teach_runs.py and
the HTML in teach_html.py."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from functools import wraps
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from .engines import Engine, get_engine_class
from .errors import InputError, PlaygroundError
from .examples import load_examples
from .extract import extract
from .highlight import highlight_html
from .manager import ModelManager
from .params import GenerationParams
from .pipeline import prepare_prompt
from .present import message_html
from .tasks import TASKS, Prompt, get_task
from .teach import (
    NO_LOGPROBS,
    TOP_K_MAX,
    Sampling,
    can_step,
    prompt_anatomy,
    prompt_tokens,
    token_kinds,
    token_text,
)
from .teach_html import anatomy_html, chart_html, confidence_html, grid_html, tree_html, visible
from .teach_runs import GRID_MAX_TOKENS, GRID_SEEDS, GRID_TEMPERATURES, Card, make_card, reproduce, variability_grid
from .teach_steps import Walk, go_to, next_token, start_walk, take
from .ui import language_choices
from .ui_app import AUTO, source_language

log = logging.getLogger(__name__)
RUN_MAX_TOKENS = 128  # "Run to the end" stops here at the latest
INTRO = (
    "A language model writes code **one token at a time**: it reads the whole prompt, gives every token of its "
    "vocabulary a probability, and the sampler picks one. Build the prompt, then press **Next token** to watch "
    "each choice, or click another candidate to see where a different choice leads."
)
_CARDS = Path(tempfile.mkdtemp(prefix="playground-cards-"))


def _task_inputs(task: str, target: str, extra: str) -> dict[str, str]:
    """The one input a task has beyond the code: Translate's target, Debug's error, Complete's suffix."""
    return {"translate": {"target": target}, "debug": {"error": extra}, "complete": {"suffix": extra}}.get(task, {})


def _safe(n_outputs: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Turn errors into the message box (the last output); the other outputs stay as they were."""

    def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(handler)
        def wrapper(*args: Any) -> Any:
            try:
                return handler(*args)
            except PlaygroundError as exc:
                return (*[gr.skip()] * (n_outputs - 1), message_html(str(exc)))
            except Exception as exc:  # a bug must not leave the tab stuck
                log.exception("teaching view")
                return (*[gr.skip()] * (n_outputs - 1),
                        message_html(f"Unexpected error ({type(exc).__name__}). Please report it."))

        return wrapper

    return decorate


class TeachApp:
    """Handlers of the teaching tab, bound to the app's model manager."""

    def __init__(self, manager: ModelManager) -> None:
        self.manager = manager

    def engine(self) -> Engine:
        return self.manager.engine()

    def prompt(self, task: str, code: str, source: str, target: str, extra: str) -> Prompt:
        return prepare_prompt(task, code, self.engine().info, language=source_language(source),
                              **_task_inputs(task, target, extra))

    # ------------------------------------------------------------ prompt anatomy

    def anatomy(self, task: str, code: str, source: str, target: str, extra: str, show_tokens: bool) -> str:
        engine = self.engine()
        prompt = self.prompt(task, code, source, target, extra)
        specials = [t.text for t in (prompt_tokens(engine, prompt.text) or []) if t.special]
        parts = prompt_anatomy(prompt, engine.info, code, extra if task == "complete" else "", specials)
        tokens = prompt_tokens(engine, prompt.text)
        kinds = token_kinds(tokens, parts) if tokens is not None else []
        return anatomy_html(parts, tokens, kinds, engine.context_size, show_tokens)

    def start(self, task: str, code: str, source: str, target: str, extra: str, show_tokens: bool,
              *view: Any) -> tuple:
        """Build the prompt, show its anatomy and start a new walk at its end."""
        anatomy = self.anatomy(task, code, source, target, extra, show_tokens)
        engine = self.engine()
        if not can_step(engine):
            note = NO_LOGPROBS.format(engine=engine.name)
            return (anatomy, None, *self._empty_view(), message_html(note, "notice"))
        walk = start_walk(engine, self.prompt(task, code, source, target, extra))
        return (anatomy, walk, *self.view(walk, *view), "")

    # ------------------------------------------------------------ stepping

    @staticmethod
    def _empty_view() -> tuple:
        return ("", "", gr.update(choices=[], value=None), "", gr.update(choices=[], value=None))

    def view(self, walk: Walk | None, temperature: float, top_k: int, top_p: float, seed: int, shown: int) -> tuple:
        """(answer overlay, chart, candidates, tree, browse) for the walk's current step."""
        if walk is None:
            return self._empty_view()
        engine = self.engine()
        step = walk.steps[walk.current] if walk.current is not None else None
        overlay = confidence_html(walk, walk.prompt.language)
        if step is None:
            chart = '<div class="pg-muted">Press Next token: the candidates for the first token appear here.</div>'
            candidates = gr.update(choices=[], value=None)
        else:
            history = [s.token for s in walk.path(step.parent)] if step.parent is not None else []
            top = step.dist.top(int(shown))
            pieces = {t: token_text(engine, t) for t, _ in top}
            pieces.setdefault(step.token, token_text(engine, step.token))
            chart = (f'<div class="pg-step">Step {step.depth + 1}: the model chose '
                     f'<code>{escape(visible(pieces[step.token]))}</code> ({step.how}).</div>'
                     + chart_html(step.dist, pieces, self.sampling(temperature, top_k, top_p, seed), history,
                                  step.token, int(shown)))
            candidates = gr.update(choices=[(f"{visible(pieces[t])}  {100 * p:.1f}%", str(t)) for t, p in top],
                                   value=str(step.token))
        all_pieces = {s.token: token_text(engine, s.token) for s in walk.steps}
        browse = gr.update(choices=[("At the prompt (no tokens yet)", "start")] + [
            (f"{s.depth + 1}: {visible(all_pieces[s.token])} ({s.how})", str(s.index)) for s in walk.steps],
            value="start" if walk.current is None else str(walk.current))
        return overlay, chart, candidates, tree_html(walk, all_pieces), browse

    @staticmethod
    def sampling(temperature: float, top_k: int, top_p: float, seed: int) -> Sampling:
        params = GenerationParams.build(temperature=temperature, top_k=top_k, top_p=top_p, seed=seed)
        return Sampling.from_params(params)

    def step(self, walk: Walk | None, *view: Any) -> tuple:
        if walk is None:
            raise InputError("Press Build the prompt first.")
        temperature, top_k, top_p, seed, _ = view
        next_token(self.engine(), walk, self.sampling(temperature, top_k, top_p, seed))
        return (walk, *self.view(walk, *view), "")

    def run_to_end(self, walk: Walk | None, *view: Any) -> Iterator[tuple]:
        """Step until the answer ends (or RUN_MAX_TOKENS), showing progress every 8 tokens."""
        try:
            if walk is None:
                raise InputError("Press Build the prompt first.")
            temperature, top_k, top_p, seed, _ = view
            sampling = self.sampling(temperature, top_k, top_p, seed)
            for n in range(RUN_MAX_TOKENS):
                path = walk.path()
                if path and path[-1].end:
                    break
                next_token(self.engine(), walk, sampling)
                if n % 8 == 7:
                    yield (walk, *self.view(walk, *view), "")
            yield (walk, *self.view(walk, *view), "")
        except PlaygroundError as exc:
            yield (walk, *self.view(walk, *view), message_html(str(exc)))

    def branch(self, walk: Walk | None, token: str | None, *view: Any) -> tuple:
        if walk is None or token in (None, ""):
            return (walk, *[gr.skip()] * 5, "")
        if walk.current is not None and str(walk.steps[walk.current].token) == token:
            return (walk, *[gr.skip()] * 5, "")  # the chosen one itself: nothing to do
        take(self.engine(), walk, int(token))
        return (walk, *self.view(walk, *view), "")

    def browse(self, walk: Walk | None, index: str | None, *view: Any) -> tuple:
        if walk is None or index in (None, ""):
            return (walk, *[gr.skip()] * 5, "")
        go_to(walk, None if index == "start" else int(index))
        return (walk, *self.view(walk, *view), "")

    def back(self, walk: Walk | None, *view: Any) -> tuple:
        if walk is None or walk.current is None:
            return (walk, *[gr.skip()] * 5, "")
        go_to(walk, walk.steps[walk.current].parent)
        return (walk, *self.view(walk, *view), "")

    def rechart(self, walk: Walk | None, *view: Any) -> Any:
        """Only the chart, when a sampling slider moves (no model call)."""
        if walk is None or walk.current is None:
            return gr.skip()
        return self.view(walk, *view)[1]

    # ------------------------------------------------------------ grid and card

    def grid(self, task: str, code: str, source: str, target: str, extra: str) -> Iterator[tuple[str, str]]:
        try:
            self.prompt(task, code, source, target, extra)  # input errors now, not twelve times
            yield grid_html([], GRID_TEMPERATURES, GRID_SEEDS), ""
            for cells in variability_grid(self.engine(), task, code, language=source_language(source),  # type: ignore[arg-type]
                                          **_task_inputs(task, target, extra)):
                yield grid_html(cells, GRID_TEMPERATURES, GRID_SEEDS), ""
        except PlaygroundError as exc:
            yield gr.skip(), message_html(str(exc))

    def card(self, task: str, code: str, source: str, target: str, extra: str, temperature: float,
             top_k: int, top_p: float, seed: int) -> tuple:
        engine = self.engine()
        prompt = self.prompt(task, code, source, target, extra)
        params = GenerationParams.build(temperature=temperature, top_k=top_k, top_p=top_p, seed=seed,
                                        max_tokens=GRID_MAX_TOKENS)
        card = make_card(engine, prompt.text, prompt.stop, params)
        path = Path(tempfile.mkdtemp(dir=_CARDS)) / f"card-{task}-seed{card.seed}.json"
        path.write_text(card.to_json(), "utf-8")
        shown = _answer_html(prompt.prefill + card.output, prompt.language)
        return card.to_json(), gr.update(value=str(path), interactive=True), shown, ""

    def upload(self, data: bytes | None) -> tuple[Any, str]:
        if data is None:
            return gr.skip(), ""
        return Card.from_json(data).to_json(), ""

    def replay(self, text: str) -> tuple[str, str]:
        if not text or not text.strip():
            raise InputError("Paste a card's JSON or upload a card file first.")
        card = Card.from_json(text)
        output, same = reproduce(self.engine(), card)
        verdict = ('<div class="pg-pass">Reproduced exactly: the same output, token for token.</div>' if same else
                   '<div class="pg-fail">Different output: this machine or llama.cpp build computes slightly '
                   'different numbers, or the card was edited.</div>')
        return verdict + _answer_html(output, ""), ""


def _answer_html(answer: str, language: str) -> str:
    extracted = extract(answer, language or None)
    return f'<div class="pg-code">{highlight_html(extracted.code or answer, extracted.language or language)}</div>'


def build_teach_tab(manager: ModelManager) -> None:
    """The components and events of the tab (called inside gr.Tab by ui.build_demo)."""
    app = TeachApp(manager)
    limit = int(getattr(get_engine_class(manager.engine_name), "max_concurrency", 1) or 1)
    model = {"concurrency_id": "model", "concurrency_limit": limit, "api_visibility": "private"}
    local = {"queue": False, "api_visibility": "private", "show_progress": "hidden"}
    first = load_examples("translate")
    gr.Markdown(INTRO, elem_classes="pg-intro")
    walk = gr.State(None)
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            task = gr.Radio([(get_task(t).title, t) for t in TASKS], value="translate", label="Task",
                            elem_id="teach-task")
            code = gr.Code(first[0].code if first else "", language="python", lines=8, max_lines=16,
                           label="Code", interactive=True, elem_id="teach-code")
            with gr.Row():
                source = gr.Dropdown(language_choices(True), value=AUTO, label="Language", allow_custom_value=True)
                target = gr.Dropdown(language_choices(False), value="javascript", label="Translate to",
                                     allow_custom_value=True)
            extra = gr.Textbox(label="Error message (Debug) or code after the cursor (Complete)", lines=1,
                               max_lines=6, visible=False)
            build = gr.Button("Build the prompt", variant="primary", elem_id="teach-build")
        with gr.Column(scale=3):
            show_tokens = gr.Checkbox(False, label="Show token boundaries (hover a token for its id)",
                                      elem_id="teach-show-tokens")
            anatomy = gr.HTML('<div class="pg-muted">Press Build the prompt to see exactly what the model reads.</div>',
                              elem_id="teach-anatomy")
    message = gr.HTML(elem_id="teach-message")
    gr.Markdown("### Step through generation")
    with gr.Row():
        step_btn = gr.Button("Next token", variant="primary", elem_id="teach-next")
        run_btn = gr.Button("Run to the end", elem_id="teach-run")
        back_btn = gr.Button("Back one token", elem_id="teach-back")
        over_btn = gr.Button("Start over", elem_id="teach-over")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            overlay = gr.HTML(elem_id="teach-answer")
            tree = gr.HTML(elem_id="teach-tree")
            browse = gr.Dropdown([], label="Browse the branches (go back to any token)", elem_id="teach-browse")
        with gr.Column(scale=3):
            with gr.Row():
                temperature = gr.Slider(0, 2, value=0, step=0.05, label="Temperature", elem_id="teach-temperature")
                top_k = gr.Slider(1, 100, value=40, step=1, label="Top-k")
            with gr.Row():
                top_p = gr.Slider(0.05, 1, value=0.95, step=0.01, label="Top-p")
                seed = gr.Number(42, label="Seed", precision=0, minimum=0)
                shown = gr.Slider(5, TOP_K_MAX, value=10, step=1, label="Candidates shown")
            chart = gr.HTML(elem_id="teach-chart")
            candidates = gr.Radio([], label="Take another candidate at this step (branch)", elem_id="teach-candidates")
    with gr.Accordion("Variability grid: the same task at several temperatures and seeds", open=False):
        grid_btn = gr.Button("Run the grid (12 answers)", elem_id="teach-grid-run")
        grid = gr.HTML(elem_id="teach-grid")
    with gr.Accordion("Reproducibility card", open=False):
        gr.Markdown("A card records the model file (name and SHA-256), engine, exact prompt, settings, seed and "
                    "output. Import it later, or on another machine, to run the same generation again.")
        with gr.Row():
            card_btn = gr.Button("Generate and make a card", elem_id="teach-card-make")
            download = gr.DownloadButton("Download card", interactive=False, elem_id="teach-card-download")
        card_out = gr.HTML(elem_id="teach-card-output")
        card_text = gr.Code(language="json", lines=8, max_lines=20, label="Card (JSON): paste one here to import",
                            interactive=True, elem_id="teach-card-json")
        upload = gr.File(label="…or upload a card file", file_types=[".json"], type="binary", height=90)
        replay_btn = gr.Button("Reproduce this card", elem_id="teach-card-replay")
        replay_out = gr.HTML(elem_id="teach-card-replay-output")

    inputs = [task, code, source, target, extra]
    view = [temperature, top_k, top_p, seed, shown]
    view_outputs = [overlay, chart, candidates, tree, browse]
    walk_outputs = [walk, *view_outputs, message]
    start_outputs = [anatomy, walk, *view_outputs, message]

    task.change(lambda t: gr.update(visible=t in ("debug", "complete"),
                                    label="Error message or traceback" if t == "debug" else "Code after the cursor"),
                inputs=task, outputs=extra, **local)
    for trigger in (build.click, over_btn.click):
        trigger(_safe(len(start_outputs))(app.start), inputs=[*inputs, show_tokens, *view], outputs=start_outputs,
                **model)
    show_tokens.change(_safe(2)(lambda *a: (app.anatomy(*a), "")), inputs=[*inputs, show_tokens],
                       outputs=[anatomy, message], **local)
    step_btn.click(_safe(len(walk_outputs))(app.step), inputs=[walk, *view], outputs=walk_outputs, **model)
    run_btn.click(app.run_to_end, inputs=[walk, *view], outputs=walk_outputs, **model)
    back_btn.click(_safe(len(walk_outputs))(app.back), inputs=[walk, *view], outputs=walk_outputs, **local)
    candidates.input(_safe(len(walk_outputs))(app.branch), inputs=[walk, candidates, *view], outputs=walk_outputs,
                     **local)
    browse.input(_safe(len(walk_outputs))(app.browse), inputs=[walk, browse, *view], outputs=walk_outputs, **local)
    for slider in (temperature, top_k, top_p, shown):
        slider.change(app.rechart, inputs=[walk, *view], outputs=chart, **local)
    grid_btn.click(app.grid, inputs=inputs, outputs=[grid, message], **model)
    card_btn.click(_safe(4)(app.card), inputs=[*inputs, temperature, top_k, top_p, seed],
                   outputs=[card_text, download, card_out, message], **model)
    upload.upload(_safe(2)(app.upload), inputs=upload, outputs=[card_text, message], **local)
    replay_btn.click(_safe(2)(app.replay), inputs=card_text, outputs=[replay_out, message], **model)
