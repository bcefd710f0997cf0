"""The default engine: a GGUF model run in-process by llama-cpp-python.

Speed settings, chosen on purpose (override with environment variables):
- n_threads = n_threads_batch = all cores (llama-cpp-python defaults to half of them);
  PLAYGROUND_THREADS overrides.
- n_ctx = the model's training context, capped at PLAYGROUND_N_CTX (default 4096): the KV cache
  grows with it, and classroom inputs are short.
- n_batch = 512: the prompt is evaluated in batches this large.
- logits_all=False: only the last position's logits are computed (the teaching view reads them).
- use_mmap=True: the weights are mapped, not copied, so load is fast and pages are shared.
- The Llama object keeps its KV cache between calls, so a prompt that starts like the previous
  one (same system prompt and examples) only evaluates its new tokens (prefix reuse).
"""

from __future__ import annotations

import codecs
import os
import threading
from collections.abc import Iterator

from ..errors import ModelError
from ..models import model_info, resolve
from ..params import GenerationParams
from . import Chunk, ModelInfo, register_engine

DEFAULT_N_CTX = 4096


def _default_threads() -> int:
    return int(os.environ.get("PLAYGROUND_THREADS", "0")) or os.cpu_count() or 1


def _held_back(text: str, stops: list[str]) -> int:
    """How many trailing characters could be the start of a stop sequence (hold them back)."""
    keep = 0
    for stop in stops:
        for n in range(min(len(stop) - 1, len(text)), keep, -1):
            if text.endswith(stop[:n]):
                keep = n
                break
    return keep


@register_engine("llama-cpp")
class LlamaCppEngine:
    """llama-cpp-python behind the Engine protocol: one generation at a time per loaded model."""

    name = "llama-cpp"
    can_logprobs = True
    can_infill = True
    max_concurrency = 1

    def __init__(self, model: str | None = None, n_ctx: int | None = None, n_threads: int | None = None) -> None:
        import llama_cpp

        path = resolve(model)
        self.info: ModelInfo = model_info(path)  # validates the header before llama.cpp sees it
        trained = self.info.context_length or DEFAULT_N_CTX
        n_ctx = n_ctx or min(trained, int(os.environ.get("PLAYGROUND_N_CTX", DEFAULT_N_CTX)))
        threads = n_threads or _default_threads()
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
        self.can_infill = self.info.fim_tokens is not None
        self._lock = threading.Lock()
        self._vocab = self.llm._model.vocab
        self._is_eog = llama_cpp.llama_vocab_is_eog

    @property
    def context_size(self) -> int:
        return self.llm.n_ctx()

    def close(self) -> None:
        """Free the model and its context now (waits for a running generation to finish)."""
        with self._lock:
            self.llm.close()

    def reset_cache(self) -> None:
        """Forget the KV cache, so the next prompt is evaluated from scratch (waits for a running generation)."""
        with self._lock:
            self.llm.reset()

    def tokenize(self, text: str) -> list[int]:
        """Token ids of a prompt, exactly as stream() will feed them."""
        add_bos = not (self.info.bos_token and text.startswith(self.info.bos_token))
        return self.llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def stream(
        self,
        prompt: str,
        params: GenerationParams,
        stop: list[str] | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[Chunk]:
        """Stream the answer token by token; `cancel` is checked before every token."""
        stops = [s for s in (stop or []) if s]
        tokens = self.tokenize(prompt)
        with self._lock:
            self.llm.set_seed(params.seed)
            decoder = codecs.getincrementaldecoder("utf-8")("replace")  # holds a split character
            text, sent, count, reason = "", 0, 0, "length"
            gen = self.llm.generate(
                tokens, top_k=params.top_k, top_p=params.top_p, temp=params.temperature,
                repeat_penalty=params.repeat_penalty,
            )
            try:
                for token in gen:
                    if cancel is not None and cancel.is_set():
                        reason = "cancelled"
                        break
                    if self._is_eog(self._vocab, token):
                        reason = "stop"
                        break
                    count += 1
                    text += decoder.decode(self.llm.detokenize([token]))
                    hit = min((i for i in (text.find(s, max(0, sent - len(s))) for s in stops) if i >= 0),
                              default=-1)
                    if hit >= 0:
                        yield Chunk(text[sent:hit], finish_reason="stop")
                        return
                    upto = len(text) - _held_back(text, stops)
                    yield Chunk(text[sent:upto])
                    sent = upto
                    if count >= params.max_tokens:
                        break
                text += decoder.decode(b"", final=True)
                yield Chunk(text[sent:], n_tokens=0, finish_reason=reason)
            finally:
                gen.close()
