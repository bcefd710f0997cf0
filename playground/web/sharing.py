"""Share links: a link that opens the same tab, inputs, settings and answer in another browser.

Gradio's deep links do the saving: the session's component values are snapshotted on the server under a
hash, and opening `?deep_link=<hash>` starts a page from them. The Share button first runs an event with
the tab's inputs (so their current values are in the session), then Gradio's own deep-link script
(what gr.DeepLinkButton runs) copies the link.
"""

from __future__ import annotations

import json
import time

import gradio as gr

from ..languages import AUTO

SHARE_JS = gr.DeepLinkButton(render=False).get_share_link("Share link", "Link copied")
SHARE_ICON = gr.utils.get_icon_path("link.svg")


def share_button(task: str) -> gr.Button:
    return gr.Button("Share link", size="sm", icon=SHARE_ICON, elem_id=f"{task}-share")


def wire_share(share: gr.Button, shared: gr.Textbox, inputs: list[gr.components.Component]) -> None:
    """Share: save the inputs (the answer's record first) in the session, copy the link, label it again."""
    share.click(keep_for_share, inputs=inputs, outputs=shared, queue=False, show_progress="hidden",
                api_visibility="private").then(None, js=SHARE_JS, outputs=share).then(
        _label_again, outputs=share, queue=False, show_progress="hidden", api_visibility="private")


def _label_again() -> str:
    time.sleep(1.5)
    return "Share link"


def keep_for_share(record: dict | None, code: str, source: str, *_rest: object) -> str:
    """What a share link must restore that Gradio's snapshot loses, as JSON text: the code box, the
    language picker and the answer's record (for Copy and Run).

    Being an event with the tab's inputs makes Gradio save their values in the session, which its deep
    link snapshots. But a component the server ever updated (the code box's colouring, a file opened into
    it) is saved under a stale id, and a gr.JSON value is saved as its repr; a hidden text box is not."""
    return json.dumps({"code": code, "source": source, "record": record if isinstance(record, dict) else None})


def restore_shared(shared: str | None) -> tuple:
    """On page load: the code, language and answer record of a share link's run; nothing on a plain visit."""
    try:
        data = json.loads(shared or "")
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("code"), str):
        return gr.skip(), gr.skip(), gr.skip()
    record = data.get("record")
    return data["code"], data.get("source") or AUTO, record if isinstance(record, dict) else gr.skip()
