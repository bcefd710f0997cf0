"""The sidebar's model panel: the loaded model's card and the form that switches models.

Who may switch: anyone on a machine of one's own; in public mode (a Space) anyone, among the allowed
models; on a shared instance (the app listening beyond loopback, or PLAYGROUND_LOCK_MODEL=1) only who
types the admin token, since a switch changes the model for every visitor.
"""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from ..engines import engine_choices
from ..markup.outputs import Outputs
from .handlers import ModelShown, PlaygroundApp


def model_panel(app: PlaygroundApp) -> dict[str, Any]:
    """The card, the status line and the switch form's components, by name (built inside the sidebar)."""
    manager = app.manager
    panel: dict[str, Any] = {"card": gr.HTML(elem_id="model-card"), "status": gr.HTML(elem_id="model-status")}
    public, locked = manager.public, manager.locked
    with gr.Accordion("Switch model", open=False, elem_id="model-switch"):
        reason = manager.lock_reason
        locked_note = f'<div class="pg-notice pg-lock"><b>Locked.</b> {html.escape(reason)}</div>'
        panel["lock"] = gr.HTML(locked_note if reason else "", elem_id="model-lock", visible=bool(reason))
        frozen = locked and not manager.can_unlock  # nobody can switch: the form is shown, disabled
        choices = manager.choices()
        panel["choice"] = gr.Dropdown(choices, value=choices[0][1], label="Model", elem_id="model-choice",
                                      interactive=not frozen,
                                      info=None if public else "Installed models need no download.")
        panel["source"] = gr.Radio([("A named model", "named"), ("Local .gguf file", "local"),
                                    ("Hugging Face Hub", "hub")], value="named", label="From", visible=not public,
                                   interactive=not frozen, elem_id="model-source")
        panel["path"] = gr.Textbox(label="Path of a .gguf file", placeholder="/models/model.Q4_K_M.gguf",
                                   visible=False, elem_id="model-path")
        panel["repo"] = gr.Textbox(label="Hub repository (OWNER/REPO)", visible=False,
                                   placeholder="Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF", elem_id="model-repo")
        panel["file"] = gr.Textbox(label="File in the repository", visible=False,
                                   placeholder="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", elem_id="model-file")
        panel["engine"] = gr.Dropdown(engine_choices(), value=manager.engine_name, label="Engine",
                                      visible=not public, interactive=not frozen, elem_id="model-engine")
        # Never given a value by the server, so the token is only ever in the visitor's own page.
        panel["token"] = gr.Textbox(label="Admin token", type="password", visible=locked and not frozen,
                                    placeholder="the token set as PLAYGROUND_ADMIN_TOKEN", elem_id="model-token")
        panel["load"] = gr.Button("Load model", interactive=not frozen, elem_id="model-load")
    if not public:
        fields = Outputs.of(("choice", "path", "repo", "file"), panel)
        panel["source"].change(fields.bind(_fields_for), inputs=panel["source"], outputs=fields.list, queue=False,
                               show_progress="hidden", api_visibility="private")
    return panel


def _fields_for(source: str) -> dict[str, Any]:
    """The form's fields for where the model comes from: a named model, a local file, or a Hub file."""
    return {"choice": gr.update(visible=source == "named"), "path": gr.update(visible=source == "local"),
            "repo": gr.update(visible=source == "hub"), "file": gr.update(visible=source == "hub")}


def wire_panel(app: PlaygroundApp, demo: gr.Blocks, panel: dict[str, Any], fim_note: gr.HTML) -> None:
    """Load model switches (with the form's values); each page load shows the model in use."""
    outputs = Outputs.of(ModelShown, {**panel, "fim_note": fim_note})
    form = [panel[name] for name in ("source", "path", "repo", "file", "engine", "choice", "token")]
    panel["load"].click(outputs.bind(app.load_model), inputs=form, outputs=outputs.list, api_visibility="private",
                        concurrency_id="load", concurrency_limit=1, show_progress="full",
                        show_progress_on=[panel["card"]])
    demo.load(outputs.bind(app.show_model), outputs=outputs.list, api_visibility="private", show_progress="minimal")
