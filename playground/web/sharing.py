"""Share links: a link that opens the same tab, inputs, settings and answer in another browser.

Gradio's deep links do the saving: the session's component values are snapshotted on the server under a
hash, and opening `?deep_link=<hash>` starts a page from them. The Share button first runs an event with
the tab's inputs (so their current values are in the session), then a script of ours asks Gradio for the
deep link (the endpoint gr.DeepLinkButton's script asks), copies it and shows it under the button.
"""

from __future__ import annotations

import json
from typing import Any

import gradio as gr

from ..checks import RUNNABLE
from ..languages import AUTO

SHARE_ICON = gr.utils.get_icon_path("link.svg")
# Gradio's deep link (what gr.DeepLinkButton fetches), then the clipboard; the note under the button says
# what happened, with the link itself (the clipboard needs https or localhost: elsewhere the link is shown to
# copy by hand). Gradio awaits an async js function and puts what it returns in the outputs.
SHARE_LABEL, COPY_LABEL, COPY_WORDS_LABEL = "Share link", "Copy code", "Copy"  # Copy: a prose answer (Explain)
SHARE_JS = """
async () => {
    const escape = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
    let link;
    try {
        const response = await fetch(`gradio_api/deep_link?session_hash=${window.__gradio_session_hash__}`);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const url = new URL(window.location.href);
        url.searchParams.set("deep_link", (await response.text()).replace(/^"|"$/g, ""));
        link = url.toString();
    } catch (error) {
        return `<div class="pg-error">Could not make a share link (${escape(String(error))}). Try again.</div>`;
    }
    const shown = `<input class="pg-share-link" readonly value="${escape(link)}" onfocus="this.select()">`;
    try {
        await navigator.clipboard.writeText(link);
        return `<div class="pg-notice pg-share">✓ Link copied: it opens this tab with this answer. ${shown}</div>`;
    } catch (error) {
        return `<div class="pg-notice pg-share">Copy this link (the browser did not allow copying it): ${shown}</div>`;
    }
}
"""


def share_button(task: str) -> gr.Button:
    """The tab's Share link button: off until there is an answer to share."""
    return gr.Button(SHARE_LABEL, size="sm", icon=SHARE_ICON, interactive=False, elem_id=f"{task}-share")


def wire_share(share: gr.Button, shared: gr.Textbox, note: gr.HTML, inputs: list[gr.components.Component]) -> None:
    """Share: save the inputs (the answer's record first) in the session, then make and copy the link."""
    share.click(keep_for_share, inputs=inputs, outputs=shared, queue=False, show_progress="hidden",
                api_visibility="private").then(None, js=SHARE_JS, outputs=note, queue=False, show_progress="hidden")


def keep_for_share(record: dict[str, Any] | None, code: str, source: str, *_rest: object) -> str:
    """What a share link must restore that Gradio's snapshot loses, as JSON text: the code box, the
    language picker and the answer's record (for Copy and Run).

    Being an event with the tab's inputs makes Gradio save their values in the session, which its deep
    link snapshots. But a component the server ever updated (the code box's colouring, a file opened into
    it) is saved under a stale id, and a gr.JSON value is saved as its repr; a hidden text box is not."""
    return json.dumps({"code": code, "source": source, "record": record if isinstance(record, dict) else None})


def restore_shared(shared: str | None) -> dict[str, Any]:
    """On page load: the code, language and answer record of a share link's run, its Share button on and its
    Run box shown (when the answer's language runs here); nothing on a plain visit."""
    try:
        data = json.loads(shared or "")
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("code"), str):
        return {}
    restored: dict[str, Any] = {"code": data["code"], "source": data.get("source") or AUTO}
    record = data.get("record")
    if not isinstance(record, dict):
        return restored
    code = bool(record.get("code"))
    answered = code or bool(record.get("explanation"))  # Explain's answer is its explanation
    # Gradio's snapshot can give a button another's label (Share link read "Run"): each label is set again.
    return {**restored, "result": record, "share": gr.update(value=SHARE_LABEL, interactive=answered),
            "copy": gr.update(value=COPY_LABEL if code else COPY_WORDS_LABEL, interactive=answered),
            "run_row": gr.update(visible=code and record.get("language") in RUNNABLE)}
