"""Any OpenAI-compatible server (llama.cpp's llama-server, llama-cpp-python's server, vLLM, TGI, Ollama).

The four tasks send the exact prompt the pipeline rendered to /v1/completions and stream the answer
back as server-sent events: raw completions keep the pipeline's prefill (an opened code fence, or
Complete's code), which chat completions cannot continue portably. stream_chat() talks to
/v1/chat/completions for callers that hold messages instead of a prompt.

Settings (constructor arguments win over the environment):
- PLAYGROUND_OPENAI_BASE_URL   the server, e.g. http://127.0.0.1:8080/v1 (/v1 is added to a bare host)
- PLAYGROUND_OPENAI_MODEL      the server's model name ("default": this, else the first one listed)
- PLAYGROUND_OPENAI_API_KEY    sent as a bearer token; never logged, shown, or part of a repr
- PLAYGROUND_OPENAI_CONCURRENCY  how many generations the app runs at once against the server (4)
- PLAYGROUND_OPENAI_N_CTX      the server's context size, when the server does not report it
- PLAYGROUND_OPENAI_TEMPLATE_MODEL  a local model spec ("default" = the bundled GGUF, or a .gguf path)
  whose chat template renders prompts for the server's model; else llama-server's /props, else a
  plain instruction layout
- PLAYGROUND_OPENAI_CONNECT_TIMEOUT / PLAYGROUND_OPENAI_READ_TIMEOUT  seconds (5 / 120)
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..errors import EngineError
from ..params import GenerationParams
from . import Chunk, ModelInfo, register_engine

DEFAULT_BASE_URL = "http://127.0.0.1:8080/v1"
DEFAULT_N_CTX = 2048
CHARS_PER_TOKEN = 3.0  # a deliberately low estimate, so an estimated count errs on the long side
START_HINT = ("Start one, e.g. `python -m llama_cpp.server --model MODEL.gguf --port 8080` or "
              "`llama-server -m MODEL.gguf --port 8080 -np 4`, or set PLAYGROUND_OPENAI_BASE_URL")


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"PLAYGROUND_OPENAI_{name}", default).strip()


def _number(value: Any, name: str, kind: type = int) -> Any:
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise EngineError(f"PLAYGROUND_OPENAI_{name} must be a number, not {value!r}.") from None


def normalize_base_url(url: str) -> str:
    """The API root, ending in /v1 when the URL named only a host."""
    url = url.strip().rstrip("/")
    if not urlsplit(url).scheme:
        url = "http://" + url
    return url if urlsplit(url).path else url + "/v1"


@dataclass(frozen=True)
class ServerSettings:
    """Where the server is and how to talk to it (the key is left out of repr)."""

    base_url: str
    model: str = "default"
    api_key: str = field(default="", repr=False)
    concurrency: int = 4
    context_size: int = 0
    template_model: str = ""
    connect_timeout: float = 5.0
    read_timeout: float = 120.0

    @classmethod
    def from_env(cls, model: str | None = None, **options: Any) -> ServerSettings:
        """Settings from options, then PLAYGROUND_OPENAI_* variables, then defaults."""
        def pick(key: str, env: str, default: str) -> Any:
            value = options.get(key)
            return value if value not in (None, "") else _env(env, default)

        return cls(
            base_url=normalize_base_url(pick("base_url", "BASE_URL", DEFAULT_BASE_URL)),
            model=(model if model not in (None, "", "default") else _env("MODEL")) or "default",
            api_key=pick("api_key", "API_KEY", ""),
            concurrency=max(1, _number(pick("concurrency", "CONCURRENCY", "4"), "CONCURRENCY")),
            context_size=_number(pick("context_size", "N_CTX", "0"), "N_CTX"),
            template_model=pick("template_model", "TEMPLATE_MODEL", ""),
            connect_timeout=_number(pick("connect_timeout", "CONNECT_TIMEOUT", "5"), "CONNECT_TIMEOUT", float),
            read_timeout=_number(pick("read_timeout", "READ_TIMEOUT", "120"), "READ_TIMEOUT", float),
        )

    @property
    def root(self) -> str:
        """The server's root URL (where llama.cpp's /tokenize and /props live)."""
        return self.base_url.removesuffix("/v1")


@register_engine("openai")
class OpenAIEngine:
    """An OpenAI-compatible server behind the Engine protocol: N generations at once."""

    name = "openai"
    can_logprobs = False
    can_infill = False
    # The app sizes its queue from the class, so the environment's setting is read here too.
    max_concurrency = max(1, int(_env("CONCURRENCY", "4"))) if _env("CONCURRENCY", "4").isdigit() else 4

    def __init__(self, model: str | None = "default", **options: Any) -> None:
        self.settings = ServerSettings.from_env(model, **options)
        self.max_concurrency = self.settings.concurrency
        headers = {"Authorization": f"Bearer {self.settings.api_key}"} if self.settings.api_key else {}
        read = self.settings.read_timeout
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(connect=self.settings.connect_timeout, read=read, write=read, pool=read),
            limits=httpx.Limits(max_connections=self.settings.concurrency + 2),
        )
        self._slots = threading.BoundedSemaphore(self.settings.concurrency)
        models = self._list_models()
        self.model = self._choose_model(models)
        self._counter = self._find_token_counter()
        self.info = self._describe(models)

    # -- discovery ---------------------------------------------------------------------------
    def _list_models(self) -> list[dict[str, Any]]:
        data = self._request("GET", self.settings.base_url + "/models").json()
        models = data.get("data") if isinstance(data, dict) else None
        if not isinstance(models, list):
            raise EngineError(f"{self.settings.base_url}/models did not answer with a model list: "
                              "is PLAYGROUND_OPENAI_BASE_URL an OpenAI-compatible server (ending in /v1)?")
        return [m for m in models if isinstance(m, dict) and "id" in m]

    def _choose_model(self, models: list[dict[str, Any]]) -> str:
        ids = [str(m["id"]) for m in models]
        wanted = self.settings.model
        if wanted == "default":
            if not ids:
                raise EngineError(f"The server at {self.settings.base_url} lists no models: load one on the server.")
            return ids[0]
        # Some servers (llama-cpp-python's) silently answer with another model: check the name here.
        if ids and wanted not in ids:
            raise EngineError(
                f"The server at {self.settings.base_url} has no model {wanted!r}. "
                f"It has: {', '.join(ids)}. Set PLAYGROUND_OPENAI_MODEL to one of them (or 'default')."
            )
        return wanted

    def _find_token_counter(self) -> str | None:
        """Which tokenize endpoint the server has: llama-cpp-python, llama-server or vLLM; None = estimate."""
        for kind in ("extras", "content", "prompt"):
            try:
                self._count_with(kind, "hello")
                return kind
            except EngineError:
                continue
        return None

    def _count_with(self, kind: str, text: str) -> int:
        root, model = self.settings.root, self.model
        if kind == "extras":  # llama-cpp-python's server
            data = self._request("POST", root + "/extras/tokenize/count", json={"input": text, "model": model})
            return int(data.json()["count"])
        body = {"content": text} if kind == "content" else {"model": model, "prompt": text}
        data = self._request("POST", root + "/tokenize", json=body).json()
        return int(data["count"]) if "count" in data else len(data["tokens"])

    def _describe(self, models: list[dict[str, Any]]) -> ModelInfo:
        entry = next((m for m in models if m["id"] == self.model), {})
        meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
        props = self._props()
        n_ctx = (self.settings.context_size or int(entry.get("max_model_len") or 0)
                 or int(props.get("default_generation_settings", {}).get("n_ctx") or 0)
                 or int(meta.get("n_ctx_train") or 0))
        notes = {"base_url": self.settings.base_url,
                 "tokens": "counted by the server" if self._counter else "estimated (about 3 characters a token)",
                 "context": "reported" if n_ctx else f"assumed {DEFAULT_N_CTX}: set PLAYGROUND_OPENAI_N_CTX"}
        template, bos, eos, source = props.get("chat_template"), "", "", "the server (/props)"
        if self.settings.template_model:
            from ..models import model_info, resolve

            local = model_info(resolve(self.settings.template_model))
            template, bos, eos, source = local.chat_template, local.bos_token, local.eos_token, local.name
        notes["chat_template"] = source if template else "none known: a plain instruction layout is used"
        return ModelInfo(name=self.model.rsplit("/", 1)[-1], path=self.settings.base_url, architecture="remote",
                         context_length=n_ctx or DEFAULT_N_CTX, chat_template=template or None,
                         bos_token=bos, eos_token=eos, metadata=notes)

    def _props(self) -> dict[str, Any]:
        """llama-server's /props (chat template, n_ctx); {} for servers without it."""
        try:
            data = self._request("GET", self.settings.root + "/props").json()
        except (EngineError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    # -- the Engine protocol -----------------------------------------------------------------
    @property
    def context_size(self) -> int:
        return self.info.context_length

    def count_tokens(self, text: str) -> int:
        if self._counter is not None:
            return self._count_with(self._counter, text)
        return math.ceil(len(text) / CHARS_PER_TOKEN)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def stream(self, prompt: str, params: GenerationParams, stop: list[str] | None = None,
               cancel: threading.Event | None = None) -> Iterator[Chunk]:
        """Stream a completion of prompt from /v1/completions."""
        yield from self._stream("/completions", {"prompt": prompt}, params, stop, cancel)

    def stream_chat(self, messages: list[dict[str, str]], params: GenerationParams, stop: list[str] | None = None,
                    cancel: threading.Event | None = None) -> Iterator[Chunk]:
        """Stream an answer to chat messages from /v1/chat/completions (the server applies its template)."""
        yield from self._stream("/chat/completions", {"messages": messages}, params, stop, cancel)

    def _body(self, params: GenerationParams, stop: list[str] | None) -> dict[str, Any]:
        # top_k and the repeat penalty are extensions: llama.cpp, llama-cpp-python and vLLM read them.
        body: dict[str, Any] = {
            "model": self.model, "stream": True, "stream_options": {"include_usage": True},
            "temperature": params.temperature, "top_p": params.top_p, "max_tokens": params.max_tokens,
            "seed": params.seed, "top_k": params.top_k, "repeat_penalty": params.repeat_penalty,
            "repetition_penalty": params.repeat_penalty,
        }
        stops = [s for s in (stop or []) if s][:4]  # the OpenAI API takes at most four
        if stops:
            body["stop"] = stops
        return body

    def _stream(self, path: str, payload: dict[str, Any], params: GenerationParams, stop: list[str] | None,
                cancel: threading.Event | None) -> Iterator[Chunk]:
        body = {**self._body(params, stop), **payload}
        url = self.settings.base_url + path
        with self._slots:
            try:
                with self._client.stream("POST", url, json=body) as response:
                    if response.status_code >= 400:
                        response.read()
                        raise self._http_error(response, url)
                    yield from _read_events(response, cancel, self.settings.base_url)
            except httpx.HTTPError as exc:
                raise self._transport_error(exc, midway=True) from None

    # -- errors ------------------------------------------------------------------------------
    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, midway=False) from None
        if response.status_code >= 400:
            raise self._http_error(response, url)
        return response

    def _transport_error(self, exc: httpx.HTTPError, midway: bool) -> EngineError:
        base = self.settings.base_url
        if isinstance(exc, httpx.ConnectError):
            return EngineError(f"Cannot connect to the model server at {base} ({exc}). Is it running? {START_HINT}.")
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            return EngineError(f"The model server at {base} did not accept a connection in time: it may be "
                               "overloaded or unreachable. Try again, or check PLAYGROUND_OPENAI_BASE_URL.")
        if isinstance(exc, httpx.ReadTimeout):
            return EngineError(
                f"The model server at {base} sent nothing for {self.settings.read_timeout:.0f} s: it is probably "
                "busy with other requests. Try again, add server slots, or raise PLAYGROUND_OPENAI_READ_TIMEOUT.")
        where = "in the middle of the answer (the partial answer is kept)" if midway else ""
        return EngineError(f"The connection to the model server at {base} broke {where} "
                           f"({type(exc).__name__}: {exc}). Check that the server is still running, then try again.")

    def _http_error(self, response: httpx.Response, url: str) -> EngineError:
        status, base = response.status_code, self.settings.base_url
        detail = _detail(response)
        if status in (401, 403):
            return EngineError(f"The model server at {base} refused the API key (HTTP {status}: {detail}). "
                               "Check PLAYGROUND_OPENAI_API_KEY.")
        if status == 404:
            return EngineError(
                f"The model server at {base} answered 404 Not Found for {url} ({detail}): check the model name "
                f"({getattr(self, 'model', self.settings.model)!r}) and that the base URL ends in /v1.")
        if status >= 500:
            return EngineError(f"The model server at {base} failed (HTTP {status}: {detail}). It may be overloaded "
                               "or out of memory: try again, or look at the server's log.")
        return EngineError(f"The model server at {base} rejected the request (HTTP {status}: {detail}).")


def _detail(response: httpx.Response) -> str:
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


def _read_events(response: httpx.Response, cancel: threading.Event | None, base: str) -> Iterator[Chunk]:
    """Turn a server-sent event stream into Chunks; an answer that ends without a reason is an error."""
    sent = reason = None
    count = 0
    for line in response.iter_lines():
        if cancel is not None and cancel.is_set():
            yield Chunk("", n_tokens=0, finish_reason="cancelled")
            return  # leaving the block closes the connection, which stops the server's generation
        if not line.startswith("data:"):
            continue  # blank separators, ": ping" comments, event:/id:/retry: fields
        data = line[5:].strip()
        if data == "[DONE]":
            break
        event = _parse_event(data, base)
        choices = event.get("choices") or []
        usage = event.get("usage")
        if choices:
            choice = choices[0]
            text = choice.get("text")
            if text is None:
                text = (choice.get("delta") or {}).get("content") or ""
            reason = choice.get("finish_reason") or reason
            count += 1 if text else 0
            yield Chunk(text, n_tokens=1 if text else 0, finish_reason=choice.get("finish_reason"))
        if isinstance(usage, dict) and usage.get("completion_tokens") is not None and sent is None:
            sent = int(usage["completion_tokens"])
            if sent > count:  # servers that send several tokens per event: make the total right
                yield Chunk("", n_tokens=sent - count)
    if reason is None:
        raise EngineError(
            f"The model server at {base} ended the answer early without a reason (the partial answer is kept). "
            "llama-cpp-python's server does this when another request arrives: start it with "
            "--interrupt_requests false, or use a server with parallel slots (llama-server -np N, vLLM).")


def _parse_event(data: str, base: str) -> dict[str, Any]:
    try:
        event = json.loads(data)
    except ValueError:
        raise EngineError(
            f"The model server at {base} sent an event that is not JSON ({data[:80]!r}): it does not look "
            "like an OpenAI-compatible server. Check PLAYGROUND_OPENAI_BASE_URL.") from None
    if not isinstance(event, dict):
        raise EngineError(f"The model server at {base} sent an unexpected event ({data[:80]!r}).")
    if "error" in event:
        error = event["error"]
        message = error.get("message", error) if isinstance(error, dict) else error
        raise EngineError(f"The model server at {base} reported an error mid-answer: {message}. Try again.")
    return event
