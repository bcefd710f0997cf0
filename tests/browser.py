"""Helpers for the web app tests: a real Gradio server on a free loopback port, and Chromium pages."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # tests make no calls beyond loopback

import gradio as gr  # noqa: E402
from gradio_client import Client  # noqa: E402

from app import build_page  # noqa: E402
from playground.web import ModelManager, launch_options  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
XSS = '</textarea><script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


def free_port() -> int:
    """A TCP port nobody listens on right now (loopback)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(manager: ModelManager) -> Iterator[tuple[str, gr.Blocks]]:
    """Build the page (app.py's composition) on `manager`, serve it on loopback, yield (url, demo), then close it."""
    demo = build_page(manager)
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                **launch_options())
    try:
        yield f"http://127.0.0.1:{port}/", demo
    finally:
        demo.close()


def ensure_chromium() -> str | None:
    """Install Debian's chromium with apt-get when missing; the reason it is unavailable, or None."""
    if os.path.exists(CHROMIUM):
        return None
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return f"{CHROMIUM} is missing and cannot be installed here (needs apt-get as root)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            return f"`{' '.join(cmd)}` failed: {done.stderr.strip()[-300:]}"
    return None if os.path.exists(CHROMIUM) else f"apt-get installed chromium but {CHROMIUM} is missing"


def fill_code(page: Page, elem_id: str, text: str) -> None:
    """Replace the text of a gr.Code editor (CodeMirror) as a user would, by typing into it."""
    editor = page.locator(f"#{elem_id} .cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def choose(page: Page, elem_id: str, value: str) -> None:
    """Pick a value in a gr.Dropdown by typing it and pressing Enter."""
    box = page.locator(f"#{elem_id} input")
    box.click()
    box.fill(value)
    box.press("Enter")


def stats_text(page: Page, task: str) -> str:
    """The live stats line of a tab."""
    return page.locator(f"#{task}-stats").inner_text()


def wait_finished(page: Page, task: str, timeout_s: float = 180) -> str:
    """Wait until the tab's stats line says Done or Stopped (or an error is shown) and, after an answer,
    until its panels (drawn once the stream has ended) are there; return the stats line."""
    page.wait_for_function(
        """(task) => {
            const s = document.querySelector(`#${task}-stats`);
            const m = document.querySelector(`#${task}-message .pg-error`);
            const lint = document.querySelector(`#${task}-lint-note .pg-lint`);
            const drawn = lint && !/when the answer is complete/.test(lint.innerText);
            return (s && /^(Done|Stopped)/.test(s.innerText.trim()) && drawn) || !!m;
        }""",
        arg=task, timeout=timeout_s * 1000,
    )
    return stats_text(page, task)


def use_example(page: Page, task: str, index: int = 0) -> None:
    """Open a task's tab and click one of its examples (fills the inputs)."""
    page.locator(f"#tab-{task}-button").click()
    page.locator(f"#tab-{task} button.gallery-item").nth(index).click()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def client(url: str) -> Client:
    """A gradio_client for the app at url (no telemetry, no file downloads)."""
    return Client(url, verbose=False, analytics_enabled=False, download_files=False)
