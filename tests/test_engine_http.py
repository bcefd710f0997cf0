"""The HTTP layer the server engines share, against raw loopback servers that misbehave on purpose.

A real socket server here, byte by byte, because what is tested is how we read what servers really send:
an event stream by the spec (several data: lines, comments, keep-alives, CRLF), and a pooled connection
the server closes just as it is reused.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from playground.engines.http import Hints, HttpServer
from playground.errors import EngineError

Reply = Callable[[int, bytes], bytes | None]  # (connection number, request) -> bytes to send, None: drop it


class RawServer:
    """Accepts connections on loopback; each request's reply comes from `reply`; one request per connection."""

    def __init__(self, reply: Reply) -> None:
        self.reply, self.connections = reply, 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                request = b""
                while b"\r\n\r\n" not in request:
                    data = conn.recv(65536)
                    if not data:
                        break
                    request += data
                head, _, body = request.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length")), 0)
                while len(body) < length:
                    body += conn.recv(65536)
                answer = self.reply(self.connections, head + b"\r\n\r\n" + body)
                self.connections += 1
                if answer is not None:
                    conn.sendall(answer)

    def close(self) -> None:
        self.sock.close()


Serve = Callable[[Reply], tuple[RawServer, HttpServer]]  # the serve fixture: a server replying so, its client


def response(body: bytes, content_type: str = "application/json") -> bytes:
    return (f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n").encode() + body


def stream(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + body


@pytest.fixture
def serve() -> Iterator[Serve]:
    made: list[tuple[RawServer, HttpServer]] = []

    def make(reply: Reply) -> tuple[RawServer, HttpServer]:
        raw = RawServer(reply)
        made.append((raw, HttpServer(raw.url, read_timeout=5, hints=Hints("Start one"))))
        return made[-1]

    yield make
    for raw, http in made:
        http.close()
        raw.close()


def test_a_request_the_server_dropped_unanswered_is_sent_once_more(serve: Serve) -> None:
    raw, http = serve(lambda n, _req: None if n == 0 else response(b'{"tokens": [1, 2]}'))
    assert http.json("POST", raw.url + "/tokenize", json={"content": "hi"}) == {"tokens": [1, 2]}
    assert raw.connections == 2


def test_a_server_that_keeps_dropping_is_a_clear_error(serve: Serve) -> None:
    raw, http = serve(lambda _n, _req: None)
    with pytest.raises(EngineError, match="connection to the model server at .* broke .*still running"):
        http.json("GET", raw.url + "/props")
    assert raw.connections == 2  # once, then once more, then the message


def test_a_stream_dropped_before_any_event_is_sent_once_more(serve: Serve) -> None:
    raw, http = serve(lambda n, _req: None if n == 0 else stream(b'data: {"content": "x"}\n\n'))
    assert list(http.events(raw.url + "/completion", {"prompt": [1]}, None)) == [{"content": "x"}]
    assert raw.connections == 2


def test_a_stream_cut_midway_is_not_repeated(serve: Serve) -> None:
    cut = b'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 500\r\n\r\ndata: {"content": "x"}\n\n'
    raw, http = serve(lambda _n, _req: cut)
    seen: list[dict[str, Any] | None] = []
    with pytest.raises(EngineError, match="broke in the middle of the answer"):
        seen.extend(http.events(raw.url + "/completion", {"prompt": [1]}, None))
    assert seen == [{"content": "x"}] and raw.connections == 1  # the answer already begun is not asked again


def test_events_are_read_by_the_spec(serve: Serve) -> None:
    """Several data: lines join with a newline; comments, keep-alives, event names, ids, retry and CRLF are fine."""
    body = (b": keep-alive\n\n"
            b"event: message\r\nid: 1\r\nretry: 1000\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\n"
            b":\n\n"
            b"data:{\"b\": \"two\\nlines\"}\n\n"
            b"data: \n\n"  # an empty event is skipped
            b"data: [DONE]\n\n"
            b"data: {\"after\": \"done\"}\n\n")
    raw, http = serve(lambda _n, _req: stream(body))
    assert list(http.events(raw.url + "/v1/completions", {}, None)) == [{"a": 1}, {"b": "two\nlines"}]


def test_an_event_split_across_packets_is_whole(serve: Serve) -> None:
    event = json.dumps({"content": "é" * 3000}).encode()
    raw, http = serve(lambda _n, _req: stream(b"data: " + event + b"\n\n"))
    assert list(http.events(raw.url + "/completion", {}, None)) == [{"content": "é" * 3000}]


def test_cancel_stops_reading(serve: Serve) -> None:
    events = b"".join(b'data: {"n": %d}\n\n' % i for i in range(50))
    raw, http = serve(lambda _n, _req: stream(events))
    cancel, seen = threading.Event(), []
    for event in http.events(raw.url + "/completion", {}, cancel):
        seen.append(event)
        if len(seen) == 2:
            cancel.set()
    assert seen == [{"n": 0}, {"n": 1}, None]


@pytest.mark.parametrize(("body", "message"), [
    (b"data: <html>oops</html>\n\n", "sent an event that is not JSON .*<html>oops"),
    (b'data: {"error": {"message": "context full"}}\n\n', "reported an error mid-answer: context full"),
    (b"data: [1, 2]\n\n", "sent an unexpected event"),
])
def test_bad_events_are_clear_errors(serve: Serve, body: bytes, message: str) -> None:
    raw, http = serve(lambda _n, _req: stream(body))
    with pytest.raises(EngineError, match=message):
        list(http.events(raw.url + "/completion", {}, None))


def test_a_page_instead_of_a_stream_says_it_is_not_a_model_server(serve: Serve) -> None:
    raw, http = serve(lambda _n, _req: response(b"<html>router login</html>", "text/html"))
    with pytest.raises(EngineError, match="did not answer with an event stream.*not look like a model server"):
        list(http.events(raw.url + "/completion", {}, None))
