"""Code Playground in the browser: `python app.py` locally, and the entry point of a Hugging Face Space.

Host and port come from GRADIO_SERVER_NAME (default 127.0.0.1) and GRADIO_SERVER_PORT (default 7860);
the model from PLAYGROUND_MODEL / PLAYGROUND_ENGINE (see playground/manager.py and the README).
"""

from __future__ import annotations

import os
import threading

from playground.manager import ModelManager
from playground.ui import build_demo, launch_options

manager = ModelManager()
demo = build_demo(manager)

if __name__ == "__main__":
    # Load (or download) the default model while the server starts, not on the first click.
    threading.Thread(target=manager.preload, name="preload-model", daemon=True).start()
    demo.launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        **launch_options(),
    )
