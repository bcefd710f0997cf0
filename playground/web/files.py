"""Files in and out of the web app: a source file opened into a code box, and the answer as a download.

A file opened (uploaded, or dropped on the file box) goes through the same checks as the CLI's input:
binary and non-UTF-8 files are refused with the CLI's messages, and the code box keeps what it had.
Its language follows the extension. The download is named after what the answer defines
(`fizzbuzz.js`), else what the input defined, else the task, with the answer language's extension.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import gradio as gr

from ..errors import InputError
from ..inputs import check_code, decode_source
from ..languages import AUTO, DISPLAY_NAMES, language_from_filename, suggested_filename
from ..markup.fragments import message_html
from ..settings import get_settings

_DOWNLOADS = Path(tempfile.mkdtemp(prefix="playground-downloads-"))
KEEP_DOWNLOADS_S = 3600


def save_answer(code: str, language: str, original: str, task: str) -> str:
    """Write the answer to a file for the Download button; its path."""
    now = time.time()
    for old in _DOWNLOADS.glob("*/*"):  # Gradio serves its own copy; ours can go after an hour
        if now - old.stat().st_mtime > KEEP_DOWNLOADS_S:
            old.unlink(missing_ok=True)
    name = suggested_filename(code, language, fallback="")
    if name.startswith("."):  # the answer defines nothing: the input's name, else the task's
        name = suggested_filename(original, language, fallback=task)
    path = Path(tempfile.mkdtemp(dir=_DOWNLOADS)) / name
    path.write_text(code, "utf-8")
    return str(path)


def read_source(path: str) -> tuple[str, str | None]:
    """The text of an opened file and the language its extension says; InputError when it cannot be code."""
    name = Path(path).name
    limit = get_settings().max_input_chars
    with open(path, "rb") as handle:
        data = handle.read(4 * limit + 1)  # at most 4 bytes a character: anything longer is too long anyway
    if len(data) > 4 * limit:
        raise InputError(f"{name} has more than {limit:,} characters; the limit is {limit:,}. Open a smaller "
                         "file (one function or class at a time).")
    text = decode_source(data, name)
    check_code(text)
    return text, language_from_filename(name)


def open_file(path: str | None, current_language: str) -> tuple:
    """The upload handler: (code box, language picker, message, file box, picked by hand). The file box is
    emptied, so another file can be opened; a refused file changes nothing else but the message. The
    language the extension says is a guess (not picked by hand)."""
    if not path:
        return gr.skip(), gr.skip(), "", gr.skip(), gr.skip()
    try:
        text, language = read_source(path)
    except InputError as exc:
        return gr.skip(), gr.skip(), message_html(str(exc)), None, gr.skip()
    except OSError as exc:
        return gr.skip(), gr.skip(), message_html(f"Could not read {Path(path).name}: {exc.strerror}."), None, gr.skip()
    picked = language or current_language or AUTO
    shown = DISPLAY_NAMES.get(picked, "its language guessed from the code")
    note = f"Opened {Path(path).name} ({len(text.splitlines())} lines, {shown})."
    return text, picked, message_html(note, "notice"), None, False
