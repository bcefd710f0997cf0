"""The teacher's page ("Class" tab): what the class asked and how the answers did, from the class record.

Nothing shows without the admin token: the tab holds only the token box until the token is given, and every
refresh checks it again (the page keeps no unlocked state a second browser could share). The CSV of what is
shown is a download; the same CSV is the `/class_csv` endpoint and MCP tool (classroom.py).
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from typing import Any

import gradio as gr
import pandas as pd

from ..errors import PlaygroundError
from ..limits import STEP_WORDS, Limits
from ..markup.fragments import message_html
from ..markup.outputs import Outputs
from ..record import check_admin, summary
from ..record.classroom import Classroom
from ..scratch import Scratch
from ..tasks import TASKS
from .files import session_of

PERIODS = {"Last hour": 3600.0, "Today": None, "Last 7 days": 7 * 86400.0, "Everything": 0.0}
IN_WORDS = {"Last hour": "in the last hour", "Today": "today", "Last 7 days": "in the last 7 days",
            "Everything": "in all"}


def since(period: str, now: float) -> float:
    """The Unix time a period of the page starts at ("Today": local midnight)."""
    span = PERIODS.get(period, 0.0)
    if span is None:
        day = time.localtime(now)
        return time.mktime((day.tm_year, day.tm_mon, day.tm_mday, 0, 0, 0, 0, 0, -1))
    return now - span if span else 0.0


class ClassPage:
    """The teacher's page's handler: the summary of the record since a time, for the admin token only."""

    OUTPUTS = ("note", "load", "by_task", "by_hour", "tasks", "errors", "ratings", "slowest", "csv")

    def __init__(self, classroom: Classroom, files: Scratch, slots: int, engine: str,
                 answering: Callable[[], int] = lambda: 0, limits: Limits | None = None) -> None:
        self.classroom, self.files, self.slots, self.engine = classroom, files, slots, engine
        self.answering = answering  # how many requests the model is answering now
        self.limits = limits or Limits(TASKS, TASKS)

    def set_limits(self, token: str, tasks: list[str], step: int) -> str:
        """The teacher's panel: the tasks on and the highest hint step, for everyone, from now (admin token)."""
        try:
            check_admin(token or "", self.classroom.admin_token)
            self.limits.set(tasks, int(step))
        except PlaygroundError as exc:
            return message_html(str(exc), "error")
        return message_html(f"Applied for every student from their next request. {self.limits.describe()}",
                            "notice")

    def show(self, token: str, period: str, request: gr.Request | None = None) -> dict[str, Any]:
        """Every output of the page by name; without the right token, only the refusal."""
        hidden = gr.update(visible=False, value=None)
        try:
            check_admin(token or "", self.classroom.admin_token)
            now = time.time()
            rows = self.classroom.record.rows(since(period, now))
            hour = self.classroom.record.rows(now - 3600)
        except PlaygroundError as exc:
            return dict.fromkeys(self.OUTPUTS, hidden) | {"note": message_html(str(exc), "error"),
                                                          "load": ""}
        record = self.classroom.record
        kept = "with" if record.keep_code else "without"
        head = (f"{len(rows)} request{'s' if len(rows) != 1 else ''} {IN_WORDS.get(period, '')}, kept {kept} their "
                f"code and answers (PLAYGROUND_RECORD_CODE) in {record.where}." if record.on else record.policy())
        load = summary.load(hour, now, self.slots, self.engine)
        tasks = summary.per_task(rows)
        path = self.files.write("class-record.csv", summary.to_csv(rows), session_of(request))
        return {"note": f'<div class="pg-muted">{html.escape(head)}</div>', "load": _load_html(load, self.answering()),
                "by_task": gr.update(value=summary.outcomes(rows), visible=not tasks.empty),
                "by_hour": gr.update(value=summary.per_hour(rows), visible=bool(rows)),
                "tasks": _table(tasks), "errors": _table(summary.errors(rows)),
                "ratings": _table(summary.rated(rows)), "slowest": _table(summary.slowest(rows)),
                "csv": gr.update(value=str(path), visible=True)}


def _table(frame: pd.DataFrame) -> dict[str, Any]:
    return gr.update(value=frame, visible=not frame.empty)


def _load_html(load: summary.Load, answering: int) -> str:
    waits = (f", waits p50 {load.waited_p50:.1f} s, p95 {load.waited_p95:.1f} s"
             if load.waited_p50 is not None and load.waited_p95 is not None else "")
    line = (f"Now: {answering} request{'s' if answering != 1 else ''} being answered. Last hour: {load.last_hour} "
            f"request{'s' if load.last_hour != 1 else ''}, the model busy {load.busy:.0%} of the time per "
            f"slot{waits}.")
    out = f'<div class="pg-load">{html.escape(line)}</div>'
    return out + (message_html(load.advice, "notice") if load.advice else "")


def build_class_page(page: ClassPage) -> None:
    """The tab's content: the token, the period, and (once unlocked) the plots and tables."""
    gr.Markdown("Requests per task and per hour, how many answers passed their checks, the errors students "
                "brought, their ratings and the slowest requests. For the teacher: enter the admin token.")
    with gr.Row(equal_height=True):
        token = gr.Textbox(label="Admin token", type="password", max_lines=1, scale=3, elem_id="class-token")
        period = gr.Dropdown(list(PERIODS), value="Today", label="Period", scale=2, elem_id="class-period")
        show = gr.Button("Show", variant="primary", scale=1, elem_id="class-show")
    parts: dict[str, Any] = {"note": gr.HTML(elem_id="class-note"), "load": gr.HTML(elem_id="class-load")}
    with gr.Row():
        parts["by_task"] = gr.BarPlot(x="task", y="requests", color="answer", title="Requests per task, by how "
                                      "their answer did", visible=False, elem_id="class-by-task")
        parts["by_hour"] = gr.BarPlot(x="hour", y="requests", color="task", title="Requests per hour",
                                      visible=False, elem_id="class-by-hour")
    for name, label in (("tasks", "Per task"), ("errors", "Errors students brought"),
                        ("ratings", "Ratings and comments"), ("slowest", "Slowest requests")):
        parts[name] = gr.Dataframe(label=label, interactive=False, visible=False, wrap=True,
                                   elem_id=f"class-{name}")
    parts["csv"] = gr.File(label="CSV of everything in the record for the period", visible=False,
                           interactive=False, elem_id="class-csv")
    with gr.Accordion("The class's limits (admin token)", open=False, elem_id="class-limits"):
        on = gr.CheckboxGroup([(t.title, name) for name, t in TASKS.items()], value=list(page.limits.tasks),
                              label="Tasks students may use", elem_id="class-tasks")
        step = gr.Radio([(f"{n}: {words}", n) for n, words in STEP_WORDS.items()], value=page.limits.max_hint_step,
                        label="The highest hint step", elem_id="class-hint-step")
        apply = gr.Button("Apply to the class", elem_id="class-apply")
        applied = gr.HTML(elem_id="class-applied")
    apply.click(page.set_limits, inputs=[token, on, step], outputs=applied, queue=False, show_progress="hidden",
                api_visibility="private")
    outputs = Outputs.of(ClassPage.OUTPUTS, parts)
    for trigger in (show.click, token.submit, period.input):
        trigger(outputs.bind(page.show), inputs=[token, period], outputs=outputs.list, concurrency_id="record",
                concurrency_limit=8, show_progress="minimal", api_visibility="private")
