"""The web app: Gradio components and their wiring. Handlers stream pipeline Results; nothing else lives here.

Other tabs (the teaching view) are given to build_demo() by the page's composition (app.py), so this
package does not import them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple, cast

import gradio as gr
from gradio.blocks import Block
from gradio.components import Component

from ..engines import engine_concurrency
from ..limits import Limits
from ..markup.fragments import PLACEHOLDER
from ..markup.highlight import highlight_css
from ..markup.outputs import Outputs
from ..record import open_record
from ..record.classroom import Classroom
from ..scratch import Scratch
from ..settings import get_settings
from ..tasks import TASKS, get_task, what_it_does
from ..tasks.examples import load_examples
from .class_page import ClassPage, build_class_page
from .classroom import SET_COOKIE_JS, ClassroomApp, rating_row, session_panel
from .controls import sampling_controls
from .files import AppBlocks, open_file
from .gradio_internals import estimate_waits, keep_off_mcp_tools, slow_queue_poll
from .handlers import PlaygroundApp, detect_language, guess_again
from .input_column import input_column, tests_input
from .manager import ModelManager
from .panel import model_panel, wire_panel
from .sharing import COPY_LABEL, COPY_WORDS_LABEL, restore_shared, share_button, wire_share
from .tools import add_tools
from .tutor_panel import HintApp, failure_row, hint_row
from .view import Panels, Shown, Update, pending_panels
from .waits import QUEUE_WORDS_JS

CSS_FILE = Path(__file__).with_name("ui.css")
PLACEHOLDER_WORDS = '<div class="pg-explanation pg-placeholder">The explanation appears here.</div>'
INTRO = (
    "# Code Playground\n"
    f"{what_it_does()} with a code model running on this machine's CPU. It is right on most short functions and "
    "wrong on many longer ones: each answer is run against its examples, your tests and the original code in a "
    "WebAssembly sandbox, and the Checks panel says whether it passed."
)


def launch_options() -> dict[str, Any]:
    """Theme and CSS for demo.launch() (Gradio 6 takes them there, not in gr.Blocks), and the MCP server."""
    css = CSS_FILE.read_text("utf-8") + "\n" + highlight_css()
    return {"theme": gr.themes.Soft(primary_hue="indigo", secondary_hue="green"), "css": css,
            "mcp_server": get_settings().mcp}


# What a share link restores in a tab: the saved text, and the outputs restore_shared gives by name (the code
# box, the language, the answer record, Share and the Run row).
Restore = tuple[gr.Textbox, Outputs]


class ExtraTab(NamedTuple):
    """A tab the page adds after the task tabs: its title, id, and a function that builds its content."""

    title: str
    id: str
    build: Callable[[], None]


# Copy takes what Download saves: the code, or an Explain answer's explanation (its record has no code).
COPY_JS = ("(result) => { const text = result && (result.code || result.explanation); "
           "if (text) { navigator.clipboard.writeText(text); } }")


def _outputs(task: str, record: ClassroomApp, hints: HintApp, limit: int) -> dict[str, Block]:
    """The output column's components, by the names view.py's records give their values (the live outputs
    and the final panels). Labels name the outputs in the HTTP API."""
    result = gr.JSON(visible=False, label="result")
    stats = gr.HTML(elem_id=f"{task}-stats", elem_classes="pg-stats", label="stats")
    message = gr.HTML(elem_id=f"{task}-message", label="message")
    shows = get_task(task).shows
    answer = gr.HTML(PLACEHOLDER, elem_id=f"{task}-output", label="answer", visible=shows.code_answer)
    # beside the code it explains; a prose answer (Explain) is only this, and Copy and Download take it
    explanation = gr.HTML("" if shows.code_answer else PLACEHOLDER_WORDS, elem_id=f"{task}-explanation",
                          label="explanation")
    with gr.Row():
        copy = gr.Button(COPY_LABEL if shows.code_answer else COPY_WORDS_LABEL, size="sm", elem_id=f"{task}-copy",
                         interactive=False)
        download = gr.DownloadButton("Download", size="sm", interactive=False, elem_id=f"{task}-download")
        share = share_button(task)
    share_note = gr.HTML(elem_id=f"{task}-share-note")
    copy.click(None, inputs=[result], js=COPY_JS)
    rating = rating_row(record, task, result)
    with gr.Accordion("Checks (run in a sandbox)", open=True):
        checks = gr.HTML(elem_id=f"{task}-checks")
        with gr.Column(visible=False, elem_id=f"{task}-run-row") as run_row:
            with gr.Row(equal_height=True):
                call = gr.Textbox(show_label=False, placeholder="Run a call on the answer", scale=4, max_lines=3,
                                  elem_id=f"{task}-run-call")
                run = gr.Button("Run", size="sm", scale=1, min_width=80, elem_id=f"{task}-run")
            ran = gr.HTML(elem_id=f"{task}-run-output")
            failure_help, failure_shown = failure_row(hints, task, result, call, limit)
    for trigger in (run.click, call.submit):
        trigger(PlaygroundApp.run_call, inputs=[result, call], outputs=ran, api_visibility="private",
                concurrency_id="sandbox", concurrency_limit=2, show_progress="minimal")
    with gr.Accordion("Before / after", visible=shows.diff, open=True):
        diff = gr.HTML(elem_id=f"{task}-diff")
    with gr.Accordion("Lint", open=True, visible=shows.code_answer):
        lint_note = gr.HTML(elem_id=f"{task}-lint-note")
        lint_table = gr.Dataframe(headers=["Line", "Column", "Message"], datatype=["number", "number", "str"],
                                  interactive=False, elem_id=f"{task}-lint", visible=False,
                                  column_widths=["70px", "80px", "auto"])
    with gr.Accordion("Show prompt", open=False):
        prompt = gr.Textbox(show_label=False, lines=6, max_lines=30, interactive=False, buttons=["copy"],
                            elem_id=f"{task}-prompt", elem_classes="pg-prompt")
    return {"result": result, "answer": answer, "explanation": explanation, "stats": stats, "message": message,
            "lint_note": lint_note, "lint_table": lint_table, "diff": diff, "prompt": prompt, "download": download,
            "copy": copy, "checks": checks, "share": share, "share_note": share_note, "run_row": run_row,
            "call": call, "ran": ran, "failure_help": failure_help,
            "failure_shown": failure_shown, **rating}


def _examples(task: str, inputs: list[gr.components.Component]) -> None:
    examples = load_examples(task)
    if not examples:
        return
    rows = [[e.code, e.language, *([e.extra or ""] if e.extra is not None else []), e.tests] for e in examples]
    gr.Examples(rows, inputs=inputs, example_labels=[e.name.replace("_", " ") for e in examples],
                label="Examples (click to fill in)")


def _tab_endpoint(app: PlaygroundApp, task: str, outputs: Outputs) -> Callable[..., Iterator[dict[Block, Any]]]:
    """The tab's streaming endpoint (api_name = the task, for gradio_client), kept out of the MCP tools. Its
    returns are the outputs' components in order (view.Update: the live ones, then the final View, which
    the API leaves out: a gr.State).

    Gradio makes every public endpoint an MCP tool; agents get tools.py's typed tools instead of these
    five-output streams (tests/test_mcp.py checks the list).
    """
    endpoint = outputs.bind(app.endpoint(get_task(task)))
    endpoint.__name__ = f"{task}_tab"
    keep_off_mcp_tools(endpoint)
    return endpoint


def _stopper(app: PlaygroundApp, task: str) -> Callable[[gr.Request], Shown | dict[str, Any]]:
    def stop(request: gr.Request) -> Shown | dict[str, Any]:
        return app.stop(task, request)

    return stop


def _task_tab(app: PlaygroundApp, record: ClassroomApp, hints: HintApp, task: str,
              sampling: list[gr.components.Component], limit: int, tabs: gr.Tabs,
              restores: list[Restore]) -> gr.HTML | None:
    """One tab: inputs, Generate / Stop, outputs, examples; generation has api_name=task. Returns the FIM note."""
    spec = get_task(task)
    note = None
    with gr.Tab(spec.title, id=task, elem_id=f"tab-{task}"):
        with gr.Row(equal_height=False):
            with gr.Column(scale=1):
                code, opened, source, detected, extra = input_column(spec)
                with gr.Row():
                    generate = gr.Button("Generate", variant="primary", elem_id=f"{task}-generate")
                    stop = gr.Button("Stop", variant="stop", elem_id=f"{task}-stop")
                if spec.shows.fills_middle:
                    note = gr.HTML(elem_id="complete-fim-note")
                if spec.shows.hints:
                    hint_row(hints, task, code, source, extra, limit)
                tests = tests_input(spec)
                inputs = [code, source, *([extra] if extra is not None else []), tests]
                _examples(task, inputs)
            with gr.Column(scale=1):
                parts = _outputs(task, record, hints, limit)
        ended = gr.State()  # the generation's final View, for the panels (inside the Tab: Tabs hold only Tabs)
        shared = gr.Textbox(visible=False)  # what a share link restores beyond Gradio's snapshot (keep_for_share)
        by_hand = gr.State(False)  # whether the language was picked by hand (see guess_again)
    parts |= {"code": code, "file": opened, "source": source, "detected": detected, "ended": ended,
              "by_hand": by_hand}
    final = Outputs.of(Panels, parts)
    restores.append((shared, Outputs.of(("code", "source", "result", "share", "copy", "run_row"), parts)))
    # The previous answer's panels go when Generate is clicked (registered first, so the page sends it
    # before the generation), and the new ones come once the stream has ended; a stream cancelled by
    # Stop ends in Stop's handler, which draws them.
    generate.click(final.bind(pending_panels), outputs=final.list, queue=False, show_progress="hidden",
                   api_visibility="private")
    # The tab that generated is the session's selected tab, so a share link opens on it.
    generate.click(lambda: gr.Tabs(selected=task), outputs=tabs, queue=False, show_progress="hidden",
                   api_visibility="private")
    streamed = Outputs.of(Update, parts)
    run = generate.click(_tab_endpoint(app, task, streamed), inputs=[*inputs, *sampling], outputs=streamed.list,
                         api_name=task, concurrency_id="model", concurrency_limit=limit, show_progress="full",
                         show_progress_on=[cast(Component, parts["answer"])])
    run.success(final.bind(app.show_panels), inputs=[ended], outputs=final.list, queue=False, show_progress="hidden",
                api_visibility="private")
    shown = Outputs.of(Shown, parts)
    stop.click(shown.bind(_stopper(app, task)), inputs=None, outputs=shown.list, queue=False,
               api_visibility="private", cancels=[run])
    wire_share(cast(gr.Button, parts["share"]), shared, cast(gr.HTML, parts["share_note"]),
               [cast(Component, parts["result"]), *inputs, *sampling])
    # A language set by a file (or an example) is a guess: a new paste guesses again, unless it was picked by hand.
    source.input(lambda: True, outputs=by_hand, queue=False, show_progress="hidden", api_visibility="private")
    read = Outputs.of(("code", "source", "message", "file", "by_hand"), parts)
    opened.upload(read.bind(open_file), inputs=[opened, source], outputs=read.list, queue=False,
                  show_progress="hidden", api_visibility="private")
    guessed = Outputs.of(("source", "message"), parts)
    code.input(guessed.bind(guess_again), inputs=[source, by_hand], outputs=guessed.list, queue=False,
               show_progress="hidden", trigger_mode="always_last", api_visibility="private")
    coloured = Outputs.of(("detected", "code"), parts)
    for trigger in (code.change, source.change):
        trigger(coloured.bind(detect_language), inputs=[code, source], outputs=coloured.list, queue=False,
                show_progress="hidden", trigger_mode="always_last", api_visibility="private")
    return note


def build_demo(manager: ModelManager | None = None, extra_tabs: Sequence[ExtraTab] = (),
               files: Scratch | None = None) -> AppBlocks:
    """The whole app: sidebar (model, sampling), one tab per task, then extra_tabs; the engine's concurrency.
    files: the app's scratch folder for downloads (shared with extra tabs), removed when the app is closed."""
    settings = get_settings()
    manager = manager or ModelManager()
    classroom = Classroom(open_record(), manager.admin_token)
    limits = Limits.from_setting(settings.tasks, TASKS, settings.max_hint_step)
    app = PlaygroundApp(manager, files or Scratch(), classroom, limits)
    hints = HintApp(manager.engine, limits, classroom)
    record = ClassroomApp(classroom, app.files)
    limit = engine_concurrency(app.manager.engine_name)
    # delete_cache: Gradio's copies of downloads older than a day go, checked every hour.
    demo = AppBlocks(app.files, title="Code Playground", fill_width=True, analytics_enabled=False,
                     delete_cache=(3600, 86400))
    demo.on_close.append(classroom.record.close)
    with demo:
        with gr.Sidebar(label="Model and settings", open=True, width=340):
            gr.Markdown("### Model")
            panel = model_panel(app)
            gr.Markdown("### Sampling")
            sampling = sampling_controls()
            gr.Markdown("### Your session")
            policy = session_panel(record)
        gr.Markdown(INTRO, elem_classes="pg-intro")
        panel["speed"] = gr.HTML(elem_id="model-speed")  # the loaded model and its speed here (show_model)
        restores: list[Restore] = []
        with gr.Tabs() as tabs:
            notes = [_task_tab(app, record, hints, task, sampling, limit, tabs, restores) for task in TASKS]
            for tab in extra_tabs:
                with gr.Tab(tab.title, id=tab.id, elem_id=f"tab-{tab.id}"):
                    tab.build()
            with gr.Tab("Class (teacher)", id="class", elem_id="tab-class"):
                build_class_page(ClassPage(classroom, app.files, limit or 1, app.manager.engine_name,
                                           app.runs.active, limits))
        wire_panel(app, demo, panel, next(n for n in notes if n is not None))
        for shared, restored in restores:
            demo.load(restored.bind(restore_shared), inputs=shared, outputs=restored.list, queue=False,
                      show_progress="hidden", api_visibility="private")
        add_tools(app.manager, limit, classroom, limits)
        record.add_tools()
        hints.add_tools(limit)
        demo.load(None, js=SET_COOKIE_JS)  # the browser's anonymous id for the class record
        demo.load(record.policy_html, outputs=policy, queue=False, show_progress="hidden", api_visibility="private")
        demo.load(None, js=QUEUE_WORDS_JS)  # a queued request's place and wait, in words
        demo.unload(demo.forget)
    demo.queue(max_size=settings.queue_size)
    _gentle_queue(demo)
    estimate_waits(demo, "model", app.queue_waits)  # from the measured time per request (waits.py)
    return demo


QUEUE_POLL_S = 0.01


def _gentle_queue(demo: gr.Blocks) -> None:
    """Let Gradio's queue look for new events every 10 ms instead of every 1 ms.

    On Linux its scheduler loop sleeps 1 ms between looks (`Queue.sleep_when_free`), which took 4-7% of a
    core with nobody using the app and kept taking it during a generation, where on a 2-core machine (a
    free CPU Space) every core is decoding. 10 ms more before a queued request starts is not noticeable.
    """
    slow_queue_poll(demo, QUEUE_POLL_S)
