"""Files an app writes for the browser to download (answers, reproducibility cards), under one temporary root.

Each app owns one `Scratch`: its root is made on the first write and removed when the app closes. A write
goes in a folder of its own (two answers may have the same name); each session keeps its last
KEEP_PER_SESSION files, since Gradio serves its own copy of a file once it has been sent. Roots still
open when the interpreter exits are removed by one exit hook for the whole process, not one per app.
"""

from __future__ import annotations

import atexit
import itertools
import re
import shutil
import tempfile
import threading
from pathlib import Path

KEEP_PER_SESSION = 8
_OPEN: set[Scratch] = set()
_OPEN_LOCK = threading.Lock()


class Scratch:
    """One app's temporary folder for downloads: `write()` files into it, `close()` removes it."""

    def __init__(self, prefix: str = "playground-") -> None:
        self.prefix = prefix
        self._root: Path | None = None
        self._count = itertools.count()
        self._lock = threading.Lock()

    @property
    def root(self) -> Path | None:
        """The folder, or None before the first write and after close()."""
        return self._root

    def write(self, name: str, text: str, session: str = "shared") -> Path:
        """Write text to a new file called `name` for `session`; that session's older files beyond the
        last KEEP_PER_SESSION go."""
        with self._lock:
            if self._root is None:
                self._root = Path(tempfile.mkdtemp(prefix=self.prefix))
                with _OPEN_LOCK:
                    _OPEN.add(self)
            folder = self._root / _folder_name(session) / f"{next(self._count):08d}"
            folder.mkdir(parents=True)
            for old in sorted(folder.parent.iterdir())[:-KEEP_PER_SESSION]:
                shutil.rmtree(old, ignore_errors=True)
            path = folder / Path(name).name
            path.write_text(text, "utf-8")
        return path

    def forget(self, session: str) -> None:
        """Remove a session's files (its page was closed)."""
        with self._lock:
            if self._root is not None:
                shutil.rmtree(self._root / _folder_name(session), ignore_errors=True)

    def close(self) -> None:
        """Remove the folder and everything in it; a later write starts a new one."""
        with self._lock:
            root, self._root = self._root, None
            with _OPEN_LOCK:
                _OPEN.discard(self)
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)


def _folder_name(session: str) -> str:
    """A session hash as a folder name (it comes from the browser: nothing but letters, digits, - and _)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", session)[:64] or "shared"


def close_all() -> None:
    """Remove every root still open (at interpreter exit)."""
    with _OPEN_LOCK:
        open_now = list(_OPEN)
    for scratch in open_now:
        scratch.close()


atexit.register(close_all)
