"""The "How it works" tab: its components and events (the handlers are in handlers.py). The page (app.py)
puts the tab in; it reaches the model through a function that returns the current engine, so it knows
nothing about the web app's model manager."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import gradio as gr

from ..engines import Engine
from ..languages import AUTO, language_choices
from ..markup.outputs import Outputs
from ..scratch import Scratch
from ..tasks import TASKS, get_task
from ..tasks.examples import load_examples
from .handlers import TeachApp, WalkView, safe
from .sampling import TOP_K_MAX

INTRO = (
    "A language model writes code **one token at a time**: it reads the whole prompt, gives every token of its "
    "vocabulary a probability, and the sampler picks one. Build the prompt, then press **Next token** to watch "
    "each choice, or click another candidate to see where a different choice leads."
)
_TITLES = [t.title for t in TASKS.values()]
SETTINGS_NOTE = (
    "These sliders are this view's own: they start greedy (temperature 0) so each step is reproducible, and "
    "stepping and the reproducibility card use them. The sidebar's sampling settings apply to the task tabs "
    f"({', '.join(_TITLES[:-1])} and {_TITLES[-1]}) only."
)


def _extra_box(task: str) -> dict[str, object]:
    """The task's input beyond the code: its text box (Debug's error message, Complete's code after the
    cursor) with the label the task gives it, or the target-language picker (Translate); neither for the rest."""
    extra = get_task(task).extra
    shown = extra is not None and extra.kind != "language"
    return {"extra": gr.update(visible=shown, label=extra.label if extra is not None and shown else ""),
            "target": gr.update(visible=extra is not None and extra.kind == "language")}


def _prompt_panel() -> SimpleNamespace:
    """Task, code and languages, and the prompt anatomy beside them."""
    first = load_examples("translate")
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
    return SimpleNamespace(task=task, code=code, source=source, target=target, extra=extra, build=build,
                           show_tokens=show_tokens, anatomy=anatomy)


def _step_panel() -> SimpleNamespace:
    """The step buttons, the answer overlay and the branch tree, the sliders and the candidate chart."""
    gr.Markdown("### Step through generation")
    with gr.Row():
        step = gr.Button("Next token", variant="primary", elem_id="teach-next")
        run = gr.Button("Run to the end", elem_id="teach-run")
        back = gr.Button("Back one token", elem_id="teach-back")
        over = gr.Button("Start over", elem_id="teach-over")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            overlay = gr.HTML(elem_id="teach-answer")
            tree = gr.HTML(elem_id="teach-tree")
            browse = gr.Dropdown([], label="Browse the branches (go back to any token)", elem_id="teach-browse")
        with gr.Column(scale=3):
            gr.Markdown(SETTINGS_NOTE, elem_id="teach-settings-note", elem_classes="pg-muted")
            with gr.Row():
                temperature = gr.Slider(0, 2, value=0, step=0.05, label="Temperature", elem_id="teach-temperature")
                top_k = gr.Slider(1, 100, value=40, step=1, label="Top-k")
            with gr.Row():
                top_p = gr.Slider(0.05, 1, value=0.95, step=0.01, label="Top-p")
                seed = gr.Number(42, label="Seed", precision=0, minimum=0)
                shown = gr.Slider(5, TOP_K_MAX, value=10, step=1, label="Candidates shown")
            chart = gr.HTML(elem_id="teach-chart")
            candidates = gr.Radio([], label="Take another candidate at this step (branch)", elem_id="teach-candidates")
    return SimpleNamespace(step=step, run=run, back=back, over=over, overlay=overlay, tree=tree, browse=browse,
                           temperature=temperature, top_k=top_k, top_p=top_p, seed=seed, shown=shown, chart=chart,
                           candidates=candidates)


def _runs_panel() -> SimpleNamespace:
    """The variability grid, the repair turn and the reproducibility card."""
    with gr.Accordion("Variability grid: the same task at several temperatures and seeds", open=False):
        grid_tests = gr.Code(language="python", lines=2, max_lines=8, interactive=True, elem_id="teach-grid-tests",
                             label="Tests each answer must pass (optional; the code's >>> examples count too)")
        grid_btn = gr.Button("Run the grid (12 answers, each checked)", elem_id="teach-grid-run")
        grid = gr.HTML(elem_id="teach-grid")
    with gr.Accordion("A repair turn: how the model is shown what failed", open=False):
        gr.Markdown("The task tabs check every answer in a sandbox; when one fails, the next answer can be a *repair "
                    "turn*: the same conversation, continued with the answer and what failed. This answers the code "
                    "above once (greedy), checks it, and shows the exact prompt of the repair turn if it failed.")
        repair_btn = gr.Button("Answer, check, and repair once", elem_id="teach-repair-run")
        repair_out = gr.HTML(elem_id="teach-repair")
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
    return SimpleNamespace(grid_btn=grid_btn, grid=grid, grid_tests=grid_tests, card_btn=card_btn, download=download,
                           card_out=card_out, repair_btn=repair_btn, repair_out=repair_out,
                           card_text=card_text, upload=upload, replay_btn=replay_btn, replay_out=replay_out)


def build_teach_tab(engine: Callable[[], Engine], concurrency: int = 1, files: Scratch | None = None) -> None:
    """The components and events of the tab (called inside gr.Tab); concurrency: generations at once; files:
    the app's scratch folder, where reproducibility cards are written for download."""
    app = TeachApp(engine, files)
    model = {"concurrency_id": "model", "concurrency_limit": concurrency, "api_visibility": "private"}
    local = {"queue": False, "api_visibility": "private", "show_progress": "hidden"}
    gr.Markdown(INTRO, elem_classes="pg-intro")
    walk = gr.State(None)
    p = _prompt_panel()
    message = gr.HTML(elem_id="teach-message")
    s = _step_panel()
    r = _runs_panel()

    inputs = [p.task, p.code, p.source, p.target, p.extra]
    view = [s.temperature, s.top_k, s.top_p, s.seed, s.shown]
    parts = {**vars(p), **vars(s), **vars(r), "walk": walk, "message": message}  # every component, by name
    stepped = Outputs.of(("walk", *WalkView.__annotations__, "message"), parts)
    started = Outputs.of(("anatomy",), parts) + stepped
    anatomy = Outputs.of(("anatomy", "message"), parts)
    grid = Outputs.of(("grid", "message"), parts)
    card = Outputs.of(("card_text", "download", "card_out", "message"), parts)
    card_text = Outputs.of(("card_text", "message"), parts)
    replayed = Outputs.of(("replay_out", "message"), parts)

    task_inputs = Outputs(extra=p.extra, target=p.target)
    p.task.change(task_inputs.bind(_extra_box), inputs=p.task, outputs=task_inputs.list, **local)
    for trigger in (p.build.click, s.over.click):
        trigger(started.bind(safe(app.start)), inputs=[*inputs, p.show_tokens, *view], outputs=started.list, **model)
    p.show_tokens.change(anatomy.bind(safe(lambda *a: {"anatomy": app.anatomy(*a), "message": ""})),
                         inputs=[*inputs, p.show_tokens], outputs=anatomy.list, **local)
    s.step.click(stepped.bind(safe(app.step)), inputs=[walk, *view], outputs=stepped.list, **model)
    s.run.click(stepped.bind(app.run_to_end), inputs=[walk, *view], outputs=stepped.list, **model)
    s.back.click(stepped.bind(safe(app.back)), inputs=[walk, *view], outputs=stepped.list, **local)
    s.candidates.input(stepped.bind(safe(app.branch)), inputs=[walk, s.candidates, *view], outputs=stepped.list,
                       **local)
    s.browse.input(stepped.bind(safe(app.browse)), inputs=[walk, s.browse, *view], outputs=stepped.list, **local)
    chart = Outputs.of(("chart",), parts)
    for slider in (s.temperature, s.top_k, s.top_p, s.shown):
        slider.change(chart.bind(app.rechart), inputs=[walk, *view], outputs=chart.list, **local)
    r.grid_btn.click(grid.bind(app.grid), inputs=[*inputs, r.grid_tests], outputs=grid.list, **model)
    repaired = Outputs.of(("repair_out", "message"), parts)
    r.repair_btn.click(repaired.bind(app.repair), inputs=inputs, outputs=repaired.list, **model)
    r.card_btn.click(card.bind(safe(app.card)), inputs=[*inputs, s.temperature, s.top_k, s.top_p, s.seed],
                     outputs=card.list, **model)
    r.upload.upload(card_text.bind(safe(app.upload)), inputs=r.upload, outputs=card_text.list, **local)
    r.replay_btn.click(replayed.bind(safe(app.replay)), inputs=r.card_text, outputs=replayed.list, **model)
