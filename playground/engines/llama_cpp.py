"""The default engine: a GGUF model run in-process by llama-cpp-python.

Speed settings, chosen on purpose (see docs/performance.md):
- n_threads = n_threads_batch = all cores (llama-cpp-python defaults to half of them); PLAYGROUND_THREADS overrides.
- n_ctx = the model's training context, capped at PLAYGROUND_N_CTX (default 4096): the KV cache grows with it.
- n_batch = 512; logits_all=False (only the last position's logits, all a next-token view needs);
  use_mmap=True (the weights are mapped, so load is fast and pages are shared).
- The Llama object keeps its KV cache between calls, so a prompt that starts like the previous one
  (same system prompt and examples) only evaluates its new tokens (prefix reuse).

It also implements the Stepper capability for the teaching view; that part keeps llama-cpp-python's own
bookkeeping (n_tokens, input_ids, the KV cache) consistent, so the next generate() still reuses the prefix.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np

from ..errors import EngineError, ModelError
from ..models import ModelInfo, locate, model_info
from ..params import GenerationParams
from ..settings import get_settings
from .base import Chunk, Distribution
from .cpu_backend import choose as choose_kernels
from .llama_cpp_internals import LlamaInternals
from .registry import register_engine
from .streaming import stream_tokens

LOCK_WAIT_S = 60.0  # a teaching step waits this long for a running generation to finish


@register_engine("llama-cpp")
class LlamaCppEngine:
    """llama-cpp-python behind the Engine protocol: one generation at a time per loaded model."""

    name = "llama-cpp"

    def __init__(self, model: str | None = None, n_ctx: int | None = None, n_threads: int | None = None) -> None:
        import llama_cpp

        found = locate(model)
        path = found.path
        self.info: ModelInfo = model_info(path, found.notice)  # validates the header before llama.cpp sees it
        trained = self.info.context_length or get_settings().n_ctx
        n_ctx = n_ctx or min(trained, get_settings().n_ctx)
        threads = n_threads or get_settings().thread_count
        kernels = choose_kernels(path)  # tried in a child process first: kernels this CPU refuses kill the process
        try:
            self.llm = llama_cpp.Llama(
                model_path=str(path), n_ctx=n_ctx, n_batch=512, n_threads=threads,
                n_threads_batch=threads, logits_all=False, use_mmap=True, verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelError(
                f"llama.cpp could not load {path} ({exc}). The file may be corrupt or of an "
                "architecture this llama.cpp build does not know: download it again or pick another model."
            ) from None
        if kernels.variant:
            self.info.metadata = {**self.info.metadata, "runtime": f"llama.cpp, its {kernels.variant} CPU kernels"}
        self.info.notice = " ".join(n for n in (self.info.notice, kernels.notice) if n)
        self._lock = threading.Lock()
        self._internals = LlamaInternals(self.llm, llama_cpp)  # the private parts the teaching steps need

    @classmethod
    def concurrency(cls) -> int:
        return 1

    @property
    def context_size(self) -> int:
        return self.llm.n_ctx()

    def close(self) -> None:
        """Free the model and its context now (waits for a running generation to finish)."""
        with self._lock:
            self.llm.close()

    def wait_idle(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for a running generation to end; whether the model is free."""
        if not self._lock.acquire(timeout=timeout):
            return False
        self._lock.release()
        return True

    def reset(self) -> None:
        """Forget the KV cache, so the next prompt is evaluated from scratch (waits for a running generation)."""
        with self._lock:
            self.llm.reset()

    def tokenize(self, text: str) -> list[int]:
        """Token ids of a prompt, exactly as stream() will feed them."""
        add_bos = not (self.info.bos_token and text.startswith(self.info.bos_token))
        return self.llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def token_bytes(self, token: int) -> bytes:
        return self.llm.detokenize([token], special=True)

    def is_control(self, token: int) -> bool:
        return self._internals.is_control(token)

    def is_end(self, token: int) -> bool:
        return self._internals.is_end(token)

    def _ends_answer(self, token: int) -> bool:
        """End of text or turn, or any other control token: one is never code, and its text is empty here, so
        the stop strings cannot catch it. Qwen2.5-Coder filling in the middle writes <|fim_middle|> when it is
        done and then starts the middle over (a body written twice) unless it ends there."""
        return self._internals.is_end(token) or self._internals.is_control(token)

    def stream(
        self,
        prompt: str,
        params: GenerationParams,
        stop: list[str] | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[Chunk]:
        """Stream the answer token by token; `cancel` is checked before every token."""
        tokens = self.tokenize(prompt)
        with self._lock:
            self.llm.set_seed(params.seed)
            gen = self.llm.generate(
                tokens, top_k=params.top_k, top_p=params.top_p, temp=params.temperature,
                repeat_penalty=params.repeat_penalty,
            )
            try:
                yield from stream_tokens(gen, lambda t: self.llm.detokenize([t]), stop=stop,
                                         max_tokens=params.max_tokens, cancel=cancel, is_end=self._ends_answer)
            finally:
                gen.close()

    def next_distribution(self, ids: list[int], keep: int) -> Distribution:
        """The distribution after ids, reusing the KV cache for the common prefix (see the module's note)."""
        if not self._lock.acquire(timeout=LOCK_WAIT_S):
            raise EngineError("The model is busy with another generation; try again when it has finished.")
        try:
            return Distribution.from_logits(self._logits_after(ids), keep)
        finally:
            self._lock.release()

    def _logits_after(self, ids: list[int]) -> np.ndarray:
        llm = self.llm
        n, cached = len(ids), llm.n_tokens
        m = min(n, cached)
        differ = np.nonzero(llm.input_ids[:m] != np.asarray(ids[:m], dtype=llm.input_ids.dtype))[0]
        common = int(differ[0]) if differ.size else m
        # Same rule as Llama.generate: the current logits are usable only for an exact, live-decoded match.
        if not (common == n == cached and self._internals.logits_current()):
            keep = min(common, n - 1)
            if keep <= 0 or not self._internals.forget_after(keep):
                llm.reset()
                keep = 0
            llm.n_tokens = keep
            llm.eval(ids[keep:])
        # A view of llama.cpp's buffer, valid until the next decode: the caller holds the lock and copies what
        # it keeps (Distribution.from_logits does), so the 151k-float vector is not copied twice.
        return self._internals.last_logits()
