"""A tiny stand-in for the Hugging Face Hub on loopback, so the real huggingface_hub download
code runs in tests with no internet: HEAD/GET /OWNER/REPO/resolve/REV/FILE, with Range support,
and a switch to cut the connection half-way (a network that drops mid-download)."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMMIT = "0123456789abcdef0123456789abcdef01234567"


class FakeHub:
    """Serves files under /<repo_id>/resolve/<rev>/<filename>; `cut_after` bytes, then hangs up."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files  # "owner/repo/filename" -> local file
        self.cut_after: int | None = None
        self.requests = 0
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _target(self) -> Path | None:
                parts = self.path.split("?")[0].strip("/").split("/")
                if len(parts) < 5 or parts[2] != "resolve":
                    return None
                return hub.files.get("/".join(parts[:2] + parts[4:]))

            def _headers(self, path: Path, start: int, status: int) -> None:
                size = path.stat().st_size
                self.send_response(status)
                self.send_header("X-Repo-Commit", COMMIT)
                self.send_header("ETag", '"' + hashlib.sha1(str(path).encode()).hexdigest() + '"')
                self.send_header("Content-Length", str(size - start))
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
                self.end_headers()

            def _not_found(self) -> None:
                # What the real Hub answers for a missing file in an existing repository.
                self.send_response(404)
                self.send_header("X-Error-Code", "EntryNotFound")
                self.send_header("X-Error-Message", "Entry not found")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_HEAD(self) -> None:  # noqa: N802 (http.server's name)
                hub.requests += 1
                path = self._target()
                if path is None:
                    self._not_found()
                    return
                self._headers(path, 0, 200)

            def do_GET(self) -> None:  # noqa: N802
                hub.requests += 1
                path = self._target()
                if path is None:
                    self._not_found()
                    return
                rng = self.headers.get("Range", "")
                start = int(rng.split("=")[1].split("-")[0]) if rng.startswith("bytes=") else 0
                self._headers(path, start, 206 if start else 200)
                with open(path, "rb") as fh:
                    fh.seek(start)
                    sent = 0
                    while chunk := fh.read(1 << 20):
                        if hub.cut_after is not None and sent + len(chunk) > hub.cut_after:
                            self.wfile.write(chunk[: max(hub.cut_after - sent, 0)])
                            self.wfile.flush()
                            self.close_connection = True
                            return
                        self.wfile.write(chunk)
                        sent += len(chunk)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
