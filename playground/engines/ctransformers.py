"""GGML-era models (GPT-2, GPT-J, GPT-NeoX, StarCoder, MPT, Falcon, Replit, LLaMA GGML) via ctransformers.

ctransformers is an optional extra (`pip install ctransformers==0.2.27`), imported on first use. Its
last release predates current GGUF files, so GGUF models belong to the llama.cpp engine; this engine
reads the file header first and says which engine fits, instead of loading by trial and error.

A GGML file does not name its architecture: pass model_type (load_engine("ctransformers", path,
model_type="gpt2")), set PLAYGROUND_CTRANSFORMERS_MODEL_TYPE, or keep the architecture in the file
name (starcoder-1b.ggmlv3.q4_0.bin). ctransformers aborts the whole process on some broken files, so
a GGML file is first loaded once in a child process (PLAYGROUND_CTRANSFORMERS_PROBE=0 skips that).
"""

from __future__ import annotations

import ctypes
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ModelError
from ..gguf import file_format, read_metadata
from ..models import ModelInfo, resolve
from ..params import GenerationParams
from ..settings import get_settings
from .base import Chunk
from .registry import register_engine
from .streaming import stream_tokens

MODEL_TYPES = ("gpt2", "gptj", "gpt_neox", "dolly-v2", "starcoder", "mpt", "falcon", "replit", "llama")
# File-name fragments that name an architecture, most specific first.
_NAME_HINTS = (
    ("starcoder", "starcoder"), ("santacoder", "starcoder"), ("bigcode", "starcoder"), ("wizardcoder", "starcoder"),
    ("gpt-j", "gptj"), ("gptj", "gptj"), ("neox", "gpt_neox"), ("pythia", "gpt_neox"), ("redpajama", "gpt_neox"),
    ("dolly", "dolly-v2"), ("mpt", "mpt"), ("falcon", "falcon"), ("replit", "replit"), ("gpt2", "gpt2"),
    ("gpt-2", "gpt2"), ("llama", "llama"), ("vicuna", "llama"), ("alpaca", "llama"),
)
LLAMA_HINT = "Use the llama.cpp engine for it (--engine llama-cpp, the default)."
# The ggml compute code in ctransformers keeps process-wide static buffers: one generation at a time.
_CT_LOCK = threading.Lock()


def guess_model_type(path: Path, fmt: str) -> str | None:
    """The ctransformers model_type a GGML-era file probably has, from its format and name."""
    if fmt in ("ggmf", "ggjt"):
        return "llama"  # these two formats were only ever used for LLaMA-family models
    name = path.name.lower()
    return next((kind for hint, kind in _NAME_HINTS if hint in name), None)


def check_file(path: Path, model_type: str | None) -> str:
    """The model_type to load path with; ModelError (naming the right engine) when ctransformers cannot."""
    fmt = file_format(path)
    if fmt == "gguf":
        meta = read_metadata(path)
        arch, version = meta.get("general.architecture", "?"), meta.get("GGUF.version")
        if arch != "llama" or version not in (1, 2):
            raise ModelError(
                f"{path.name} is a GGUF v{version} file ({arch}); ctransformers 0.2.27 only reads early "
                f"(v1/v2) LLaMA GGUF files. {LLAMA_HINT}")
        return "llama"
    if fmt == "unknown":
        raise ModelError(f"{path} is neither a GGML-era nor a GGUF model file (unknown header). "
                         "Pass a .bin GGML model for ctransformers, or a .gguf file for the llama.cpp engine.")
    kind = (model_type or get_settings().ctransformers_model_type).strip().lower()
    kind = kind or guess_model_type(path, fmt) or ""
    if kind not in MODEL_TYPES:
        raise ModelError(
            f"{path.name} is a GGML-era file ({fmt.upper()}) that does not say its architecture"
            + (f" ({kind!r} is not one ctransformers knows)" if kind else "")
            + f": pass model_type, one of {', '.join(MODEL_TYPES)} (or set PLAYGROUND_CTRANSFORMERS_MODEL_TYPE).")
    if kind == "gpt2":
        _check_gpt2_header(path)
    return kind


def _check_gpt2_header(path: Path) -> None:
    """GPT-2 GGML files repeat n_vocab after the hyperparameters; anything else is another architecture."""
    with open(path, "rb") as fh:
        head = fh.read(32)
    values = struct.unpack("<8i", head) if len(head) == 32 else ()
    if not values or values[1] != values[7] or not all(0 < v < 1 << 24 for v in values[1:6]):
        raise ModelError(f"{path.name} does not have a GPT-2 GGML header: pick its real model_type "
                         f"({', '.join(MODEL_TYPES)}), or download the file again if it is damaged.")


def probe(path: Path, model_type: str, timeout: float | None = None) -> None:
    """Load the model once in a child process, so a file that crashes ctransformers cannot take the app down.

    Some wrong model_types crash (mpt, replit: segfault) or hang (gpt_neox, dolly-v2) on another
    architecture's file, hence the child process and its time limit (30 s + 20 s per GB).
    """
    timeout = timeout or 30.0 + 20.0 * path.stat().st_size / 1e9
    code = "import sys; from ctransformers.llm import LLM; LLM(sys.argv[1], sys.argv[2])"
    try:
        done = subprocess.run([sys.executable, "-c", code, str(path), model_type],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ModelError(f"ctransformers did not finish loading {path.name} as {model_type!r} in {timeout:.0f} s: "
                         f"the file is damaged or of another architecture; pick its model_type "
                         f"({', '.join(MODEL_TYPES)}).") from None
    if done.returncode != 0:
        how = f"crashed (signal {-done.returncode})" if done.returncode < 0 else "failed"
        last = (done.stderr.strip().splitlines() or ["no message"])[-1][:300]
        raise ModelError(
            f"ctransformers {how} loading {path.name} as {model_type!r} ({last}). The file is damaged or of another "
            f"architecture: pick its model_type ({', '.join(MODEL_TYPES)}); for GGUF files, {LLAMA_HINT.lower()}")


def ctransformers_options(params: GenerationParams, vocab_size: int) -> dict[str, Any]:
    """GenerationParams in ctransformers' names; temperature 0 becomes top_k=1 (its sampler divides by it)."""
    greedy = params.temperature == 0.0
    top_k = vocab_size if params.top_k == 0 else min(params.top_k, vocab_size)  # more than the vocabulary crashes
    return {
        "temperature": 1.0 if greedy else params.temperature, "top_k": 1 if greedy else top_k,
        "top_p": params.top_p, "repetition_penalty": params.repeat_penalty, "seed": params.seed,
        "max_new_tokens": params.max_tokens,
    }


@register_engine("ctransformers")
class CTransformersEngine:
    """ctransformers behind the Engine protocol: one generation at a time, no logprobs."""

    name = "ctransformers"

    def __init__(self, model: str | None = None, model_type: str | None = None, context_length: int | None = None,
                 threads: int | None = None) -> None:
        try:
            from ctransformers.llm import LLM, Config
        except ImportError:
            raise ModelError("The ctransformers engine needs the optional ctransformers package: "
                             "pip install ctransformers==0.2.27") from None
        path = resolve(model)
        kind = check_file(path, model_type)
        if file_format(path) != "gguf" and get_settings().ctransformers_probe:
            probe(path, kind)
        threads = threads or get_settings().thread_count
        config = Config(context_length=context_length or -1, threads=threads, batch_size=32)
        try:
            self.llm = LLM(str(path), kind, config=config)
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"ctransformers could not load {path.name} as {kind!r} ({exc}). "
                             + (LLAMA_HINT if kind == "llama" else "Check model_type, or download the file again.")
                             ) from None
        eos = self.llm.detokenize([self.llm.eos_token_id])
        self.info = ModelInfo(name=path.name, path=str(path), architecture=self.llm.model_type,
                              context_length=self.llm.context_length, size_bytes=path.stat().st_size,
                              eos_token=eos, metadata={"format": file_format(path), "model_type": kind})

    @classmethod
    def concurrency(cls) -> int:
        return 1

    @property
    def context_size(self) -> int:
        return self.info.context_length

    def tokenize(self, text: str) -> list[int]:
        """Token ids of text (ctransformers' own tokenize() sizes its buffer in characters, not bytes)."""
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 2))()
        n = self.llm.ctransformers_llm_tokenize(raw, self.llm.model_type == "llama", out)
        return list(out[:n])

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def close(self) -> None:
        """Nothing to free early: ctransformers frees the model when the engine object goes."""

    def stream(self, prompt: str, params: GenerationParams, stop: list[str] | None = None,
               cancel: threading.Event | None = None) -> Iterator[Chunk]:
        """Stream the answer token by token; `cancel` is checked before every token."""
        options = ctransformers_options(params, self.llm.vocab_size)
        limit = options.pop("max_new_tokens")
        tokens = self.tokenize(prompt)
        with _CT_LOCK:
            gen = self.llm.generate(tokens, **options)  # it ends by itself at end of text
            try:
                yield from stream_tokens(gen, lambda t: self.llm.detokenize([t], decode=False), stop=stop,
                                         max_tokens=limit, cancel=cancel)
            finally:
                gen.close()
