"""llama.cpp's llama-server: many generations decoded at once (continuous batching over parallel slots).

The engine starts the server (server_process.py) with the chosen model, or talks to one someone else
runs (PLAYGROUND_LLAMA_SERVER_URL). It tokenizes with the server, sends the pipeline's exact prompt as
token ids to the native /completion endpoint (the same tokens the in-process engine would feed), and
reads the server's timings, including how many prompt tokens came from its cache. It is a Stepper
(the teaching view: /completion with n_probs gives the next-token distribution, log-softmax over the
whole vocabulary) and an Infiller (/infill) for models with FIM tokens.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import EngineError
from ..gguf import read_metadata
from ..models import ModelInfo, locate, model_info
from ..params import MIN_P, PENALTY_WINDOW, GenerationParams
from ..settings import get_settings
from .base import Chunk, Distribution, StopReason
from .http import Hints, HttpServer
from .openai_http import normalize_base_url
from .registry import register_engine
from .server_process import ServerProcess

MAX_PROBS = 256  # candidates a teaching step asks for (the teaching sliders' top-k goes to 100)
END_TEXTS = ("<|im_end|>", "<|endoftext|>", "<end_of_turn>", "<|eot_id|>", "<|end|>", "</s>")
CONTROL = re.compile(r"^<\|[^|]*\|>$|^<(fim|file|repo)_[a-z]+>$|^<(start|end)_of_turn>$")
FINISH = {"eos": StopReason.STOP, "word": StopReason.STOP, "limit": StopReason.LENGTH}
HINTS = Hints("Set PLAYGROUND_LLAMA_SERVER_URL to a running llama-server, or unset it to let the app start one",
              url="PLAYGROUND_LLAMA_SERVER_URL", key="the server's --api-key", timeout="PLAYGROUND_OPENAI_READ_TIMEOUT")


@register_engine("llama-server")
class LlamaServerEngine:
    """A llama-server (started here, or given by URL) behind the Engine, Stepper and Infiller protocols."""

    name = "llama-server"

    def __init__(self, model: str | None = None, url: str | None = None, slots: int | None = None,
                 threads: int | None = None, n_ctx: int | None = None) -> None:
        settings = get_settings()
        url = url if url is not None else settings.llama_server_url
        self.process: ServerProcess | None = None
        self.speculation = ""  # the speculative decoding of a server started here (PLAYGROUND_SPECULATION)
        notice = ""
        self._vocab_types: list[int] = []
        if url:
            base = normalize_base_url(url).removesuffix("/v1")
        else:
            found = locate(model)
            path, notice = found.path, found.notice
            local = model_info(path)  # validates the header before the server sees it
            slot_ctx = min(local.context_length or settings.n_ctx, n_ctx or settings.n_ctx)
            self.speculation = settings.speculation
            self.process = ServerProcess(path, slots or settings.slot_count, slot_ctx,
                                         threads or settings.thread_count,
                                         extra=("--spec-type", self.speculation) if self.speculation else ())
            base = self.process.url
            self._vocab_types = list(read_metadata(path).get("tokenizer.ggml.token_type") or [])
        self.http = HttpServer(base, read_timeout=settings.openai_read_timeout, hints=HINTS,
                               connections=max(4, slots or settings.slot_count))
        props = self.http.json("GET", base + "/props")
        self.slots = int(props.get("total_slots") or 1)
        self.build = str(props.get("build_info") or "unknown")
        self.info = self._describe(props)
        self.info.notice = notice
        self.http.model = self.info.name
        self._slots = threading.BoundedSemaphore(self.slots)
        self._bytes: dict[int, bytes] = {}
        self._ends = self._end_tokens()
        self._fresh = threading.Event()

    def _describe(self, props: dict[str, Any]) -> ModelInfo:
        n_ctx = int(props.get("default_generation_settings", {}).get("n_ctx") or 0)
        if self.process is not None:
            info = model_info(self.process.model)
        else:
            name = Path(str(props.get("model_path") or "remote")).name
            info = ModelInfo(name=name, path="", architecture="remote", chat_template=props.get("chat_template"),
                             bos_token=str(props.get("bos_token") or ""), eos_token=str(props.get("eos_token") or ""))
        info.context_length = n_ctx or info.context_length
        origin = self.process.origin if self.process is not None else ""
        build = f"{self.build} ({origin})" if origin else self.build
        runtime = f"llama-server {build}, {self.slots} slots of {n_ctx} tokens"
        if self.speculation:
            runtime += f", {self.speculation} speculative decoding"
        info.metadata = {**info.metadata, "runtime": runtime, "server": self.base}
        return info

    @property
    def base(self) -> str:
        return self.process.url if self.process is not None else self.http.base

    @classmethod
    def concurrency(cls) -> int:
        return get_settings().slot_count

    @property
    def context_size(self) -> int:
        return self.info.context_length

    def shutdown(self) -> None:
        """Stop the server we started, once its generations have ended (the Service capability)."""
        self.close()

    def close(self, wait: float = 60.0) -> None:
        """Stop after the generations in flight have ended (at most `wait` seconds), then stop our server."""
        deadline = time.monotonic() + wait
        taken = sum(self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())) for _ in range(self.slots))
        self.http.close()
        if self.process is not None:
            self.process.close()
        for _ in range(taken):
            self._slots.release()

    def _ready(self) -> None:
        """Start a server of ours again if it died (the request before this one failed with a message)."""
        if self.process is not None and self.process.ensure_running():
            self.http.base = self.process.url

    # -- tokens ----------------------------------------------------------------------------
    def tokenize(self, text: str) -> list[int]:
        """Token ids of a prompt, as the in-process engine makes them (a BOS unless the text starts with it)."""
        self._ready()
        add_bos = not (self.info.bos_token and text.startswith(self.info.bos_token))
        data = self.http.json("POST", self.base + "/tokenize",
                              json={"content": text, "add_special": add_bos, "parse_special": True,
                                    "with_pieces": True})
        ids = []
        for entry in data.get("tokens", []):
            token = int(entry["id"]) if isinstance(entry, dict) else int(entry)
            piece = entry.get("piece") if isinstance(entry, dict) else None
            if isinstance(piece, str):
                self._bytes.setdefault(token, piece.encode("utf-8"))
            elif isinstance(piece, list):
                self._bytes.setdefault(token, bytes(piece))
            ids.append(token)
        return ids

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def token_bytes(self, token: int) -> bytes:
        if token not in self._bytes:
            data = self.http.json("POST", self.base + "/detokenize", json={"tokens": [token]})
            self._bytes[token] = str(data.get("content", "")).encode("utf-8")
        return self._bytes[token]

    def is_control(self, token: int) -> bool:
        if 0 <= token < len(self._vocab_types):
            return self._vocab_types[token] == 3  # llama.cpp's LLAMA_TOKEN_TYPE_CONTROL
        return bool(CONTROL.match(self.token_bytes(token).decode("utf-8", "replace")))

    def is_end(self, token: int) -> bool:
        return token in self._ends

    def _end_tokens(self) -> set[int]:
        ends = set()
        for text in {*END_TEXTS, self.info.eos_token} - {""}:
            data = self.http.json("POST", self.base + "/tokenize",
                                  json={"content": text, "add_special": False, "parse_special": True})
            ids = data.get("tokens", [])
            if len(ids) == 1:
                ends.add(int(ids[0]["id"] if isinstance(ids[0], dict) else ids[0]))
        return ends

    # -- generation --------------------------------------------------------------------------
    def _body(self, params: GenerationParams, stop: list[str] | None) -> dict[str, Any]:
        return {"n_predict": params.max_tokens, "temperature": params.temperature, "top_k": params.top_k,
                "top_p": params.top_p, "min_p": MIN_P, "repeat_penalty": params.repeat_penalty,
                "repeat_last_n": PENALTY_WINDOW,
                "seed": params.seed, "stream": True, "cache_prompt": self._cache_prompt(),
                "stop": [s for s in (stop or []) if s]}

    def stream(self, prompt: str, params: GenerationParams, stop: list[str] | None = None,
               cancel: threading.Event | None = None) -> Iterator[Chunk]:
        """Stream the answer from /completion (one slot); Stop closes the stream, which frees the slot."""
        body = {**self._body(params, stop), "prompt": self.tokenize(prompt)}
        yield from self._generate("/completion", body, cancel)

    def infill(self, prefix: str, suffix: str, params: GenerationParams,
               cancel: threading.Event | None = None, stop: list[str] | None = None) -> Iterator[Chunk]:
        """Fill in the middle with /infill (the server lays out the model's own FIM tokens)."""
        self._ready()
        body = {**self._body(params, stop), "input_prefix": prefix, "input_suffix": suffix}
        yield from self._generate("/infill", body, cancel)

    def _generate(self, path: str, body: dict[str, Any], cancel: threading.Event | None) -> Iterator[Chunk]:
        with self._slots:
            try:
                for event in self.http.events(self.base + path, body, cancel):
                    if event is None:
                        yield Chunk("", n_tokens=0, finish_reason=StopReason.CANCELLED)
                        return
                    yield self._chunk(event)
            except EngineError as exc:
                raise self._died(exc) from None

    def _chunk(self, event: dict[str, Any]) -> Chunk:
        text = str(event.get("content") or "")
        n = len(event.get("tokens") or []) or (1 if text else 0)
        if not event.get("stop"):
            return Chunk(text, n_tokens=n)
        timings = event.get("timings") or {}
        usage = {"prompt_tokens": int(timings.get("prompt_n", 0)) + int(timings.get("cache_n", 0)),
                 "cached_tokens": int(timings.get("cache_n", 0))}
        reason = FINISH.get(str(event.get("stop_type")), StopReason.STOP)
        return Chunk(text, n_tokens=n, finish_reason=reason, usage=usage)

    def _died(self, exc: EngineError) -> EngineError:
        """A broken stream from a server of ours that exited: say so; the next request starts it again."""
        if self.process is None or not self.process.died():
            return exc
        return EngineError(f"The llama-server process stopped in the middle of the answer (exit code "
                           f"{self.process.exit_code()}; {self.process.tail(2)}). The partial answer is kept; "
                           "the server starts again with the next request.")

    # -- the teaching view -----------------------------------------------------------------
    def next_distribution(self, ids: list[int], keep: int) -> Distribution:
        """The next-token distribution after ids: /completion for one token with n_probs (raw log-softmax)."""
        self._ready()
        body = {"prompt": list(ids), "n_predict": 1, "n_probs": min(keep, MAX_PROBS), "temperature": 0,
                "cache_prompt": self._cache_prompt(), "post_sampling_probs": False, "stream": False}
        with self._slots:
            data = self.http.json("POST", self.base + "/completion", json=body)
        rows = data.get("completion_probabilities") or []
        if not rows:
            raise EngineError(f"The llama-server at {self.base} gave no token probabilities; is it llama.cpp's server?")
        top = rows[0].get("top_logprobs") or []
        for entry in top:
            self._bytes.setdefault(int(entry["id"]), bytes(entry.get("bytes") or []))
        token_ids = np.asarray([int(e["id"]) for e in top], dtype=np.int64)
        logprobs = np.asarray([float(e["logprob"]) for e in top], dtype=np.float64)
        n_vocab = len(self._vocab_types) or int(token_ids.max(initial=0)) + 1
        return Distribution(token_ids, logprobs, 0.0, n_vocab)

    def reset(self) -> None:
        """Evaluate the next prompt from scratch (not from a slot's cache), as a first run would."""
        self._fresh.set()

    def _cache_prompt(self) -> bool:
        """Whether this request may reuse a slot's cached prompt (not right after reset())."""
        if self._fresh.is_set():
            self._fresh.clear()
            return False
        return True
