"""A task tab's inputs: the code box, a file to open, the language picker, the task's extra input, the Tests box."""

from __future__ import annotations

import gradio as gr

from ..languages import AUTO, language_choices
from ..tasks import Task


def _extra_input(task: Task) -> gr.components.Component | None:
    """The component for the task's extra input, by its kind."""
    extra = task.extra
    if extra is None:
        return None
    elem_id = f"{task.name}-{extra.name}"
    if extra.kind == "language":
        return gr.Dropdown(language_choices(auto=False), value=extra.default, label=extra.label,
                           allow_custom_value=True, elem_id=elem_id)
    # An initial "" makes the input optional in the HTTP API (view_api lists its default).
    if extra.kind == "code":
        return gr.Code("", language="python", lines=3, max_lines=10, label=extra.label, interactive=True,
                       elem_id=elem_id)
    return gr.Textbox("", label=extra.label, lines=2, max_lines=8,
                      placeholder="e.g. IndexError: list index out of range", elem_id=elem_id)


def input_column(task: Task) -> tuple[gr.Code, gr.File, gr.Dropdown, gr.HTML, gr.components.Component | None]:
    """The code box, a file to open into it, the language picker and the task's extra input (a picker sits
    beside the language)."""
    code = gr.Code(language="python", lines=12, max_lines=24, label="Code", show_line_numbers=True,
                   interactive=True, elem_id=f"{task.name}-code")
    opened = gr.File(label="Open a source file (click, or drop it here)", file_count="single", type="filepath",
                     height=72, elem_id=f"{task.name}-file", elem_classes="pg-file")
    beside = task.extra is not None and task.extra.kind == "language"
    with gr.Row():
        with gr.Column(min_width=160):
            source = gr.Dropdown(language_choices(auto=True), value=AUTO, label="Language", allow_custom_value=True,
                                 elem_id=f"{task.name}-source")
            detected = gr.HTML('<div class="pg-detected">Paste code and its language is guessed.</div>',
                               elem_id=f"{task.name}-detected", padding=False)
        extra = _extra_input(task) if beside else None
    if not beside:
        extra = _extra_input(task)
    return code, opened, source, detected, extra


def tests_input(task: Task) -> gr.Code:
    """The optional Tests box: doctest text or assert lines the answer must pass."""
    # The Tests task writes the tests: its answer is checked against the code, not against tests typed here.
    with gr.Accordion("Tests (optional): >>> examples or assert lines the answer must pass", open=False,
                      visible=task.shows.tests_box):
        return gr.Code("", language="python", lines=3, max_lines=12, show_label=False, interactive=True,
                       elem_id=f"{task.name}-tests")
