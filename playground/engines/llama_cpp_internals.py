"""What the llama-cpp engine needs of llama-cpp-python beyond its public API, in one place.

Written for llama-cpp-python 0.3.16 to 0.3.36 (requirements.txt keeps it below 0.4). The teaching view
steps one token at a time and reads the whole next-token distribution, which the public `Llama` API does
not offer without evaluating the prompt again, so this module reaches three private attributes:

- `Llama._model.vocab`: the vocabulary handle the low-level API's token functions take;
- `Llama._requires_eval`: true when the last logits are stale (as `Llama.generate` checks);
- `Llama._ctx`: the context, whose KV cache is trimmed to a common prefix and whose last logits are read.

A release that renames one breaks the teaching steps in tests/test_engine_llama_cpp.py first; this file is
then the one to change. Everything else in the engine uses the public API.
"""

from __future__ import annotations

from typing import Any

import numpy as np

WRITTEN_FOR = "llama-cpp-python 0.3.16-0.3.36"


class LlamaInternals:
    """One loaded `Llama` and the low-level module, seen through the private parts the engine needs."""

    def __init__(self, llm: Any, lib: Any) -> None:
        self.llm, self.lib = llm, lib
        self.vocab = llm._model.vocab

    def is_control(self, token: int) -> bool:
        return bool(self.lib.llama_vocab_get_attr(self.vocab, token) & self.lib.LLAMA_TOKEN_ATTR_CONTROL)

    def is_end(self, token: int) -> bool:
        return bool(self.lib.llama_vocab_is_eog(self.vocab, token))

    def logits_current(self) -> bool:
        """Whether the context's last logits belong to its last token (nothing waits to be evaluated)."""
        return not self.llm._requires_eval

    def forget_after(self, keep: int) -> bool:
        """Drop the KV cache from position keep on (False: the cache cannot be trimmed; reset instead)."""
        return bool(self.llm._ctx.kv_cache_seq_rm(-1, keep, -1))

    def last_logits(self) -> np.ndarray:
        """A view of llama.cpp's logits for the last position, valid until the next decode (copy what you keep)."""
        pointer = self.lib.llama_get_logits_ith(self.llm._ctx.ctx, -1)
        return np.ctypeslib.as_array(pointer, shape=(self.llm.n_vocab(),))
