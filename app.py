"""Code Playground in the browser: `python app.py` locally, and the entry point of a Hugging Face Space.

This is where the page is composed: the web app's task tabs plus the teaching view's tab. Host and port
come from Gradio's own GRADIO_SERVER_NAME (default 127.0.0.1) and GRADIO_SERVER_PORT (7860); everything
else from the PLAYGROUND_* settings (docs/configuration.md).
"""

from __future__ import annotations

import signal
import sys
import threading

import gradio as gr

from playground import checks
from playground.engines import engine_concurrency
from playground.scratch import Scratch
from playground.settings import get_settings
from playground.teach.tab import build_teach_tab
from playground.web import ExtraTab, ModelManager, build_demo, launch_options


def build_page(manager: ModelManager) -> gr.Blocks:
    """The whole page: the task tabs, then "How it works" on the same model; both write their downloads in
    one scratch folder, which closing the page removes."""
    files = Scratch()
    teach = ExtraTab("How it works", "teach",
                     lambda: build_teach_tab(manager.engine, engine_concurrency(manager.engine_name), files))
    return build_demo(manager, extra_tabs=[teach], files=files)


get_settings()  # a bad PLAYGROUND_* value stops the start here, with a message naming it
manager = ModelManager()
demo = build_page(manager)

if __name__ == "__main__":
    # `docker stop`, a Space restart and `kill` send SIGTERM, which by default ends Python without its exit
    # handlers: a llama-server the engine started would outlive the app. Exit properly instead.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    # Load (or download) the default model, and compile (or load from the cache) the sandbox, while the
    # server starts, not on the first click.
    threading.Thread(target=manager.preload, name="preload-model", daemon=True).start()
    if get_settings().checks:
        threading.Thread(target=checks.warm, name="warm-sandbox", daemon=True).start()
    demo.launch(**launch_options())
