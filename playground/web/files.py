"""Files in and out of the web app: a source file opened into a code box, and the answer as a download.

The downloads go in the app's one scratch folder (playground/scratch.py), which `AppBlocks` owns: a session's
files go when its page is closed (Gradio's unload event), the whole folder when the app is closed.

A file opened (uploaded, or dropped on the file box) goes through the same checks as the CLI's input:
binary and non-UTF-8 files are refused with the CLI's messages, and the code box keeps what it had.
Its language follows the extension. The download is named after what the answer defines
(`fizzbuzz.js`), else what the input defined, else the task, with the answer language's extension.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from ..errors import InputError
from ..inputs import decode_source, validate_code
from ..languages import AUTO, find_language, language_from_filename
from ..markup.fragments import message_html
from ..scratch import Scratch
from ..settings import get_settings


class AppBlocks(gr.Blocks):
    """The page's gr.Blocks, owning the app's scratch folder: close() removes it."""

    def __init__(self, files: Scratch, **options: Any) -> None:
        super().__init__(**options)
        self.files = files
        self.on_close: list[Callable[[], None]] = []  # what else the app frees when closed (the class record)

    def close(self, verbose: bool = True) -> None:
        super().close(verbose)
        self.files.close()
        for free in self.on_close:
            free()

    def forget(self, request: gr.Request) -> None:
        """A page was closed (Gradio's unload): its session's downloads go."""
        self.files.forget(session_of(request))


def session_of(request: gr.Request | None) -> str:
    """The session a request belongs to (its Gradio session hash)."""
    return getattr(request, "session_hash", None) or "anonymous"


def save_answer(files: Scratch, name: str, text: str, session: str = "shared") -> str:
    """Write the answer to a file of the app's scratch folder for the Download button; its path."""
    return str(files.write(name, text, session))


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
    validate_code(text)
    return text, language_from_filename(name)


def open_file(path: str | None, current_language: str) -> dict[str, Any]:
    """The upload handler: the code box, the language picker, the message, the file box and whether the
    language was picked by hand. The file box is emptied, so another file can be opened; a refused file
    changes nothing else but the message. The language the extension says is a guess (not picked by hand)."""
    if not path:
        return {"message": ""}
    try:
        text, language = read_source(path)
    except InputError as exc:
        return {"message": message_html(str(exc)), "file": None}
    except OSError as exc:
        return {"message": message_html(f"Could not read {Path(path).name}: {exc.strerror}."), "file": None}
    picked = language or current_language or AUTO
    known = find_language(picked)
    shown = known.display if known else "its language guessed from the code"
    note = f"Opened {Path(path).name} ({len(text.splitlines())} lines, {shown})."
    return {"code": text, "source": picked, "message": message_html(note, "notice"), "file": None, "by_hand": False}
