"""A model server over HTTP, as the OpenAI-compatible and the llama-server engines talk to it.

One pooled client; every fault (refused connection, timeout, 401, 404, 5xx, a stream cut short) becomes
an EngineError whose message names the server and the setting that fixes it. The event stream is read
with httpx-sse, by the spec: an event's several data: lines are joined with a newline, comments and
keep-alives are skipped.

A pooled connection can be closed by the server just as we reuse it (llama-server's keep-alive lasts 5 s,
httpx keeps idle connections 5 s too): idle connections here expire after KEEPALIVE_S, and a request the
server dropped before answering anything is sent once more (every request we make can be repeated).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_sse import EventSource, SSEError

from ..errors import EngineError

KEEPALIVE_S = 2.0  # shorter than the servers' own idle timeout (llama-server's is 5 s)
DROPPED = "Server disconnected without sending a response"  # httpx's words when nothing at all came back


@dataclass(frozen=True)
class Hints:
    """What to tell the user per fault: how to start a server, and the settings for the URL, key and timeout."""

    start: str
    url: str = "PLAYGROUND_OPENAI_BASE_URL (or OPENAI_BASE_URL)"
    key: str = "PLAYGROUND_OPENAI_API_KEY (or OPENAI_API_KEY)"
    timeout: str = "PLAYGROUND_OPENAI_READ_TIMEOUT"


class HttpServer:
    """The connection to one model server (the API key goes in a header, never in a message or repr)."""

    def __init__(self, base: str, *, api_key: str = "", connect_timeout: float = 5.0, read_timeout: float = 120.0,
                 connections: int = 4, hints: Hints) -> None:
        self.base, self.hints, self.read_timeout = base, hints, read_timeout
        self.model = ""  # the model name, for the 404 message (set by the engine once it knows it)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout, pool=read_timeout),
            limits=httpx.Limits(max_connections=connections + 2, keepalive_expiry=KEEPALIVE_S),
        )

    def __repr__(self) -> str:
        return f"HttpServer({self.base!r})"

    def close(self) -> None:
        self.client.close()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request; a fault or an HTTP error status is an EngineError."""
        try:
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx.RemoteProtocolError as exc:  # a pooled connection the server had just closed: once more
                if not str(exc).startswith(DROPPED):
                    raise
                response = self.client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise self.transport_error(exc, midway=False) from None
        if response.status_code >= 400:
            raise self.http_error(response, url)
        return response

    def json(self, method: str, url: str, **kwargs: Any) -> Any:
        """The JSON body of a request (a body that is not JSON is an EngineError)."""
        response = self.request(method, url, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise EngineError(f"The model server at {self.base} answered {url} with something that is not JSON "
                              f"({response.text[:80]!r}). Check {self.hints.url}.") from None

    def events(self, url: str, body: dict[str, Any], cancel: threading.Event | None) -> Iterator[dict[str, Any] | None]:
        """The JSON events of a streamed POST; None (then the end) when cancel is set, which closes the stream."""
        try:
            try:
                yield from self._events(url, body, cancel)
            except httpx.RemoteProtocolError as exc:
                if not str(exc).startswith(DROPPED):
                    raise
                yield from self._events(url, body, cancel)  # dropped before answering anything: once more
        except SSEError as exc:
            raise EngineError(f"The model server at {self.base} did not answer with an event stream ({exc}): it "
                              f"does not look like a model server. Check {self.hints.url}.") from None
        except httpx.HTTPError as exc:
            raise self.transport_error(exc, midway=True) from None

    def _events(self, url: str, body: dict[str, Any],
                cancel: threading.Event | None) -> Iterator[dict[str, Any] | None]:
        with self.client.stream("POST", url, json=body) as response:
            if response.status_code >= 400:
                response.read()
                raise self.http_error(response, url)
            for event in EventSource(response).iter_sse():
                if cancel is not None and cancel.is_set():
                    yield None
                    return  # leaving the block closes the connection, which stops the server's generation
                if event.data.strip() == "[DONE]":
                    return
                if event.data.strip():
                    yield self._parse(event.data)

    def _parse(self, data: str) -> dict[str, Any]:
        try:
            event = json.loads(data)
        except ValueError:
            raise EngineError(
                f"The model server at {self.base} sent an event that is not JSON ({data[:80]!r}): it does not look "
                f"like a model server. Check {self.hints.url}.") from None
        if not isinstance(event, dict):
            raise EngineError(f"The model server at {self.base} sent an unexpected event ({data[:80]!r}).")
        if "error" in event:
            error = event["error"]
            message = error.get("message", error) if isinstance(error, dict) else error
            raise EngineError(f"The model server at {self.base} reported an error mid-answer: {message}. Try again.")
        return event

    def transport_error(self, exc: httpx.HTTPError, midway: bool) -> EngineError:
        base, hints = self.base, self.hints
        if isinstance(exc, httpx.ConnectError):
            return EngineError(f"Cannot connect to the model server at {base} ({exc}). Is it running? {hints.start}.")
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            return EngineError(f"The model server at {base} did not accept a connection in time: it may be "
                               f"overloaded or unreachable. Try again, or check {hints.url}.")
        if isinstance(exc, httpx.ReadTimeout):
            return EngineError(
                f"The model server at {base} sent nothing for {self.read_timeout:.0f} s: it is probably "
                f"busy with other requests. Try again, add server slots, or raise {hints.timeout}.")
        where = "in the middle of the answer (the partial answer is kept)" if midway else ""
        return EngineError(f"The connection to the model server at {base} broke {where} "
                           f"({type(exc).__name__}: {exc}). Check that the server is still running, then try again.")

    def http_error(self, response: httpx.Response, url: str) -> EngineError:
        status, base = response.status_code, self.base
        reason = detail(response)
        if status in (401, 403):
            return EngineError(f"The model server at {base} refused the API key (HTTP {status}: {reason}). "
                               f"Check {self.hints.key}.")
        if status == 404:
            model = f" ({self.model!r})" if self.model else ""
            return EngineError(f"The model server at {base} answered 404 Not Found for {url} ({reason}): check the "
                               f"model name{model} and that the base URL ends in /v1.")
        if status >= 500:
            return EngineError(f"The model server at {base} failed (HTTP {status}: {reason}). It may be overloaded "
                               "or out of memory: try again, or look at the server's log.")
        return EngineError(f"The model server at {base} rejected the request (HTTP {status}: {reason}).")


def detail(response: httpx.Response) -> str:
    """The server's own short error message."""
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()[:200] or response.reason_phrase
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", data))
        if isinstance(error, dict):
            error = error.get("message", error)
        return str(error)[:200]
    return str(data)[:200]
