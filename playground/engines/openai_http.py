"""Any OpenAI-compatible server (llama.cpp's llama-server, llama-cpp-python's server, vLLM, TGI, Ollama).

The tasks send the exact prompt the pipeline rendered to /v1/completions and stream the answer
back as server-sent events: raw completions keep the pipeline's prefill (an opened code fence, or
Complete's code), which chat completions cannot continue portably. stream_chat() talks to
/v1/chat/completions for callers that hold messages instead of a prompt.

Settings: the PLAYGROUND_OPENAI_* variables (docs/configuration.md); constructor arguments win over them.
The API key is never logged, shown, or part of a repr.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..errors import EngineError
from ..models import ModelInfo, model_info, resolve
from ..params import GenerationParams
from ..settings import get_settings
from .base import Chunk
from .events import openai_chunks
from .http import Hints, HttpServer
from .registry import register_engine

DEFAULT_N_CTX = 2048
CHARS_PER_TOKEN = 3.0  # a deliberately low estimate, so an estimated count errs on the long side
START_HINT = ("Start one, e.g. `GGML_BACKEND_PATH=$(python -m playground cpu --path) python -m llama_cpp.server "
              "--model MODEL.gguf --port 8080` or "
              "`llama-server -m MODEL.gguf --port 8080 -np 4`, or set PLAYGROUND_OPENAI_BASE_URL")


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
    origin: str = ""  # which variables gave the URL and the key, for the model panel

    @classmethod
    def resolve(cls, model: str | None = None, **options: Any) -> ServerSettings:
        """Settings from options, then the PLAYGROUND_OPENAI_* settings."""
        env = get_settings()

        def pick(key: str, default: Any) -> Any:
            value = options.get(key)
            return value if value not in (None, "") else default

        def origin(key: str, what: str) -> str:
            used = "an argument" if options.get(key) not in (None, "") else env.source(f"openai_{key}")
            return f"{what} from {used}" if used else ""

        return cls(
            origin="; ".join(o for o in (origin("base_url", "URL"), origin("api_key", "key")) if o),
            base_url=normalize_base_url(pick("base_url", env.openai_base_url)),
            model=(model if model not in (None, "", "default") else env.openai_model) or "default",
            api_key=pick("api_key", env.openai_api_key.get_secret_value()),
            concurrency=max(1, int(pick("concurrency", env.openai_concurrency))),
            context_size=int(pick("context_size", env.openai_n_ctx)),
            template_model=pick("template_model", env.openai_template_model),
            connect_timeout=float(pick("connect_timeout", env.openai_connect_timeout)),
            read_timeout=float(pick("read_timeout", env.openai_read_timeout)),
        )

    @property
    def root(self) -> str:
        """The server's root URL (where llama.cpp's /tokenize and /props live)."""
        return self.base_url.removesuffix("/v1")


@register_engine("openai")
class OpenAIEngine:
    """An OpenAI-compatible server behind the Engine protocol: N generations at once."""

    name = "openai"

    def __init__(self, model: str | None = "default", **options: Any) -> None:
        self.settings = ServerSettings.resolve(model, **options)
        self.http = HttpServer(self.settings.base_url, api_key=self.settings.api_key,
                               connect_timeout=self.settings.connect_timeout, read_timeout=self.settings.read_timeout,
                               connections=self.settings.concurrency, hints=Hints(START_HINT))
        self._slots = threading.BoundedSemaphore(self.settings.concurrency)
        models = self._list_models()
        self.model = self.http.model = self._choose_model(models)
        self._counter = self._find_token_counter()
        self.info = self._describe(models)

    @classmethod
    def concurrency(cls) -> int:
        return get_settings().openai_concurrency

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
        meta: dict[str, Any] = entry["meta"] if isinstance(entry.get("meta"), dict) else {}
        props = self._props()
        n_ctx = (self.settings.context_size or int(entry.get("max_model_len") or 0)
                 or int(props.get("default_generation_settings", {}).get("n_ctx") or 0)
                 or int(meta.get("n_ctx_train") or 0))
        origin = f" ({self.settings.origin})" if self.settings.origin else ""
        notes = {"base_url": self.settings.base_url, "runtime": f"OpenAI-compatible server at "
                 f"{self.settings.base_url}{origin}",
                 "tokens": "counted by the server" if self._counter else "estimated (about 3 characters a token)",
                 "context": "reported" if n_ctx else f"assumed {DEFAULT_N_CTX}: set PLAYGROUND_OPENAI_N_CTX"}
        template, bos, eos, source = props.get("chat_template"), "", "", "the server (/props)"
        if self.settings.template_model:
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
        self.http.close()

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
        with self._slots:
            yield from openai_chunks(self.http.events(self.settings.base_url + path, body, cancel),
                                     self.settings.base_url)

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, url, **kwargs)
