"""The class record on the page: who is asking (an anonymous id per browser), rating an answer, taking the
session home, and the endpoints and MCP tools `/rate`, `/class_csv` and `/export_session`. The teacher's page
is class_page.py. The rules themselves (whose answer a rating may name, the admin token) are the record's."""

from __future__ import annotations

import html
import json
from http.cookies import CookieError, SimpleCookie
from typing import Any

import gradio as gr
from gradio.events import api

from ..errors import PlaygroundError
from ..markup.fragments import message_html
from ..markup.outputs import Outputs
from ..record.classroom import MCP_SESSION, Classroom
from ..scratch import Scratch
from .files import session_of

COOKIE = "pg_session"
# An anonymous id for this browser, kept a year: the same student after a reload (Gradio's session hash is new on
# every page load). crypto.getRandomValues, not randomUUID: a class server on http://10.0.0.5 is no secure context.
SET_COOKIE_JS = f"""() => {{
  if (!document.cookie.split('; ').some((c) => c.startsWith('{COOKIE}='))) {{
    const id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    document.cookie = '{COOKIE}=' + id + '; path=/; max-age=31536000; SameSite=Lax';
  }}
}}"""


def owner_of(request: gr.Request | None) -> str:
    """Who asked, anonymously: the browser's cookie; an MCP client (Gradio's MCP server is stateless: its calls
    come through one shared client, marked `x-gradio-user: mcp`, so MCP clients are one session, MCP_SESSION,
    whose answers a request_id proves: see Classroom.rate); else the Gradio session (one per gradio_client)."""
    headers = getattr(request, "headers", None) or {}
    try:
        cookie = SimpleCookie(headers.get("cookie", ""))
    except CookieError:
        cookie = SimpleCookie()
    if COOKIE in cookie and cookie[COOKIE].value.isalnum():
        return "browser-" + cookie[COOKIE].value[:40]
    if headers.get("x-gradio-user") == "mcp":
        return MCP_SESSION
    return "session-" + session_of(request)[:40]


def surface_of(request: gr.Request | None, default: str = "api") -> str:
    """Where a request came from: the page (it has the browser's cookie), an MCP client, else the HTTP API."""
    owner = owner_of(request)
    return "page" if owner.startswith("browser-") else "mcp" if owner == MCP_SESSION else default


class ClassroomApp:
    """The record's endpoints and page handlers, bound to one Classroom and the app's scratch folder."""

    def __init__(self, classroom: Classroom, files: Scratch) -> None:
        self.classroom = classroom
        self.files = files

    # -- the page
    def rate_on_page(self, result: dict[str, Any] | None, rating: str, comment: str,
                     request: gr.Request | None) -> str:
        """A thumbs button under an answer: rate the answer shown (its record's request_id)."""
        request_id = str((result or {}).get("request_id") or "") if isinstance(result, dict) else ""
        try:
            said = self.classroom.rate(request_id, rating, comment or "", owner_of(request))
        except PlaygroundError as exc:
            return message_html(str(exc), "error")
        return message_html(said, "notice")

    def take_home_on_page(self, form: str, request: gr.Request) -> dict[str, Any]:
        """The session's file for download (`file`), or a message why there is none (`note`)."""
        try:
            name, text = self.classroom.take_home(form, owner_of(request))
        except PlaygroundError as exc:
            return {"file": gr.update(value=None, visible=False), "note": message_html(str(exc), "notice")}
        path = self.files.write(name, text, session_of(request))
        return {"file": gr.update(value=str(path), visible=True), "note": ""}

    def policy_html(self) -> str:
        return f'<div class="pg-muted pg-record-policy">{html.escape(self.classroom.record.policy())}</div>'

    # -- the API and MCP tools
    def tools(self) -> list[Any]:
        """`rate`, `class_csv` and `export_session`, as functions Gradio makes endpoints and MCP tools of."""
        classroom = self.classroom

        def rate(request_id: str, rating: str = "up", comment: str = "", request: gr.Request | None = None) -> str:
            """Rate an answer you asked for: up (it helped) or down (wrong, or no help), with an optional comment.

            Args:
                request_id: the answer's request_id (every answer's result carries it).
                rating: up or down.
                comment: optional, one line, e.g. "the test it wrote is wrong".
            """
            try:
                said = classroom.rate(request_id, rating, comment, owner_of(request))
            except PlaygroundError as exc:
                raise gr.Error(str(exc), print_exception=False) from None
            return json.dumps({"request_id": request_id, "rating": rating, "kept": True, "message": said})

        def class_csv(admin_token: str) -> str:
            """The class record as CSV (every request with its rating): for the teacher, needs the admin token.

            Args:
                admin_token: the app's PLAYGROUND_ADMIN_TOKEN.
            """
            try:
                return classroom.class_csv(admin_token)
            except PlaygroundError as exc:
                raise gr.Error(str(exc), print_exception=False) from None

        def export_session(format: str = "ipynb", request_ids: str = "",  # noqa: A002
                           request: gr.Request | None = None) -> str:
            """Your session's requests and answers to take home, as a Jupyter notebook or Markdown text.

            Args:
                format: ipynb (a Jupyter notebook, JSON text) or md (Markdown).
                request_ids: optional, comma-separated: only these answers (over MCP, required: MCP clients
                    share one session here, so each names its own answers by the request_id they carry).
            """
            try:
                return classroom.take_home(format, owner_of(request), request_ids.replace(",", " ").split())[1]
            except PlaygroundError as exc:
                raise gr.Error(str(exc), print_exception=False) from None

        return [rate, class_csv, export_session]

    def add_tools(self) -> None:
        """Register the tools as endpoints of the Blocks being built."""
        for tool in self.tools():
            api(tool, api_name=tool.__name__, concurrency_id="record", concurrency_limit=8)


def rating_row(app: ClassroomApp, task: str, result: gr.JSON) -> dict[str, Any]:
    """Thumbs up / down and a one-line comment under an answer; returns the row and its note by name. (Words,
    not emoji: a school's browsers may have no emoji font.)"""
    with gr.Column(visible=False, elem_id=f"{task}-rate-row", elem_classes="pg-rate-row") as row:
        gr.HTML('<div class="pg-rate-ask">Did this answer help? Your rating goes to the teacher.</div>',
                padding=False)
        with gr.Row(equal_height=True):
            up = gr.Button("Yes", size="sm", min_width=70, scale=0, elem_id=f"{task}-rate-up")
            down = gr.Button("No: wrong or unhelpful", size="sm", min_width=180, scale=0,
                             elem_id=f"{task}-rate-down")
            comment = gr.Textbox(show_label=False, max_lines=1, max_length=300, scale=3, container=False,
                                 placeholder="Optional: what was wrong? (one line, sent with Yes or No)",
                                 elem_id=f"{task}-rate-comment")
    note = gr.HTML(elem_id=f"{task}-rate-note")
    for button, rating in ((up, "up"), (down, "down")):
        button.click(_rater(app, rating), inputs=[result, comment], outputs=note, queue=False,
                     show_progress="hidden", api_visibility="private")
    return {"rate_row": row, "rate_note": note}


def _rater(app: ClassroomApp, rating: str) -> Any:
    def rate_shown(result: dict[str, Any] | None, comment: str, request: gr.Request) -> str:
        return app.rate_on_page(result, rating, comment, request)

    return rate_shown


def session_panel(app: ClassroomApp) -> gr.HTML:
    """The sidebar's "Your session": what the record keeps (returned: the page refreshes it on load, so a record
    that turned off says so), and the session to download."""
    policy = gr.HTML(app.policy_html(), elem_id="record-policy")
    with gr.Row():
        form = gr.Radio([("Notebook", "ipynb"), ("Markdown", "md")], value="ipynb", show_label=False,
                        elem_id="session-format", scale=2)
        take = gr.Button("Download my session", size="sm", elem_id="session-download", scale=2)
    note = gr.HTML(elem_id="session-note")
    file = gr.File(visible=False, interactive=False, show_label=False, elem_id="session-file", height=60)
    taken = Outputs(file=file, note=note)
    take.click(taken.bind(app.take_home_on_page), inputs=form, outputs=taken.list, queue=False,
               show_progress="hidden", api_visibility="private")
    return policy
