"""Write a tiny GPT-2 model in the legacy GGML format that ctransformers' `gpt2` loader reads.

The layout is the one of ggml's old examples/gpt-2 (convert-ckpt-to-ggml.py), as read by
ctransformers 0.2.27 (models/llms/gpt2.cc):

    uint32 magic 0x67676d6c ("ggml")
    int32  n_vocab, n_ctx, n_embd, n_head, n_layer, ftype      (ftype 0 = all float32)
    int32  n_vocab, then per token: uint32 length + bytes       (tokens are raw bytes)
    per tensor: int32 n_dims, int32 name length, int32 type (0 = f32),
                int32 ne[0..n_dims) (fastest dimension first), name, float32 data

The weights are designed rather than trained, so the test knows what greedy decoding must say:
the transformer blocks are zero (every block is the identity), and the embeddings turn the model
into a "successor" model. After a lowercase letter the most likely token is the next letter
(a -> b -> ... -> z -> <|endoftext|>), with the next uppercase letter as the runner-up (a -> B,
0.7 of the logit); uppercase letters run A -> ... -> Z -> <|endoftext|>. Every other token has a
random embedding. So greedy decoding from "a" says "bcdefghijklmnopqrstuvwxyz" and ends.
"""

from __future__ import annotations

import math
import string
import struct
from pathlib import Path

import numpy as np

GGML_MAGIC = 0x67676D6C
EOS = "<|endoftext|>"
WORDS = ["    ", "def", " return", "print", "```", "```python\n", EOS]  # a few multi-byte tokens
RUNNER_UP = 0.7
FIM = ["<fim_prefix>", "<fim_suffix>", "<fim_middle>"]  # only in the fim=True GGUF


def vocabulary(fim: bool = False) -> list[bytes]:
    """All 256 single bytes (any UTF-8 text can be tokenized), then a few words (and FIM tokens), EOS last."""
    words = WORDS[:-1] + (FIM if fim else []) + WORDS[-1:]
    return [bytes([b]) for b in range(256)] + [w.encode() for w in words]


def successor(token: str) -> str | None:
    """The token the model predicts after a letter (None for other tokens)."""
    for alphabet in (string.ascii_lowercase, string.ascii_uppercase):
        if token in alphabet:
            i = alphabet.index(token)
            return alphabet[i + 1] if i + 1 < len(alphabet) else EOS
    return None


def _letter_embeddings(n_embd: int, rng: np.random.Generator) -> np.ndarray:
    """52 orthogonal zero-mean vectors of variance 1 (layer norm leaves them as they are)."""
    raw = rng.standard_normal((n_embd, 52))
    raw -= raw.mean(axis=0)
    q, _ = np.linalg.qr(raw)
    q -= q.mean(axis=0)  # already ~0; removes rounding
    return (q * math.sqrt(n_embd)).T.astype(np.float32)


def weights(n_ctx: int, n_embd: int, n_layer: int, scale: float, seed: int,
            fim: bool = False) -> dict[str, np.ndarray]:
    """The tensors by name, in numpy layout (slowest dimension first). With fim, <fim_middle> is embedded
    like "a", so a fill-in-the-middle request continues "bcd..." (what the middle is, the test knows)."""
    vocab = vocabulary(fim)
    index = {tok.decode("latin-1"): i for i, tok in enumerate(vocab)}
    rng = np.random.default_rng(seed)
    wte = rng.standard_normal((len(vocab), n_embd)).astype(np.float32)
    letters = string.ascii_lowercase + string.ascii_uppercase
    wte[[index[c] for c in letters]] = _letter_embeddings(n_embd, rng)
    if fim:
        wte[index["<fim_middle>"]] = wte[index["a"]]
    head = np.zeros_like(wte)
    for c in letters:
        head[index[successor(c) or EOS]] += scale * wte[index[c]]
        nxt = successor(c)
        if c.islower() and nxt and nxt != EOS:
            head[index[nxt.upper()]] += RUNNER_UP * scale * wte[index[c]]
    zeros, ones = np.zeros(n_embd, np.float32), np.ones(n_embd, np.float32)
    tensors = {"model/ln_f/g": ones, "model/ln_f/b": zeros, "model/wte": wte,
               "model/wpe": np.zeros((n_ctx, n_embd), np.float32), "model/lm_head": head}
    for i in range(n_layer):
        p = f"model/h{i}/"
        tensors |= {
            p + "ln_1/g": ones, p + "ln_1/b": zeros, p + "ln_2/g": ones, p + "ln_2/b": zeros,
            p + "attn/c_attn/w": np.zeros((3 * n_embd, n_embd), np.float32),
            p + "attn/c_attn/b": np.zeros(3 * n_embd, np.float32),
            p + "attn/c_proj/w": np.zeros((n_embd, n_embd), np.float32), p + "attn/c_proj/b": zeros,
            p + "mlp/c_fc/w": np.zeros((4 * n_embd, n_embd), np.float32),
            p + "mlp/c_fc/b": np.zeros(4 * n_embd, np.float32),
            p + "mlp/c_proj/w": np.zeros((n_embd, 4 * n_embd), np.float32), p + "mlp/c_proj/b": zeros,
        }
    return tensors


def write_gpt2(path: str | Path, n_ctx: int = 4096, n_embd: int = 128, n_head: int = 4, n_layer: int = 2,
               scale: float = 3.0 / 128, seed: int = 0) -> Path:
    """Write the model to path and return it (about 4 MB with the defaults).

    With scale s the chosen next letter has logit s * n_embd (3.0 by default), the runner-up 0.7 of
    that and every other token 0 - so sampling at temperature 1 is really random.
    """
    path, vocab = Path(path), vocabulary()
    with open(path, "wb") as out:
        out.write(struct.pack("<I", GGML_MAGIC))
        out.write(struct.pack("<6i", len(vocab), n_ctx, n_embd, n_head, n_layer, 0))
        out.write(struct.pack("<i", len(vocab)))
        for token in vocab:
            out.write(struct.pack("<I", len(token)) + token)
        for name, array in weights(n_ctx, n_embd, n_layer, scale, seed).items():
            data = np.ascontiguousarray(array, dtype="<f4")
            raw_name = name.encode()
            out.write(struct.pack("<3i", data.ndim, len(raw_name), 0))
            out.write(struct.pack(f"<{data.ndim}i", *reversed(data.shape)))
            out.write(raw_name + data.tobytes())
    return path


def _byte_chars() -> dict[int, str]:
    """GPT-2's byte -> printable character table (how GGUF BPE vocabularies spell raw bytes)."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    extra = iter(range(256, 512))
    return {b: chr(b) if b in printable else chr(next(extra)) for b in range(256)}


def _gguf_value(value: object) -> bytes:
    if isinstance(value, str):
        raw = value.encode()
        return struct.pack("<IQ", 8, len(raw)) + raw
    if isinstance(value, float):
        return struct.pack("<If", 6, value)
    if isinstance(value, int):
        return struct.pack("<II", 4, value)
    assert isinstance(value, list)
    if value and isinstance(value[0], int):
        return struct.pack("<IIQ", 9, 5, len(value)) + struct.pack(f"<{len(value)}i", *value)
    items = [s.encode() for s in value]
    return struct.pack("<IIQ", 9, 8, len(items)) + b"".join(struct.pack("<Q", len(s)) + s for s in items)


_GGUF_NAMES = {"ln_1/g": "attn_norm.weight", "ln_1/b": "attn_norm.bias", "ln_2/g": "ffn_norm.weight",
               "ln_2/b": "ffn_norm.bias", "attn/c_attn/w": "attn_qkv.weight", "attn/c_attn/b": "attn_qkv.bias",
               "attn/c_proj/w": "attn_output.weight", "attn/c_proj/b": "attn_output.bias",
               "mlp/c_fc/w": "ffn_up.weight", "mlp/c_fc/b": "ffn_up.bias", "mlp/c_proj/w": "ffn_down.weight",
               "mlp/c_proj/b": "ffn_down.bias", "ln_f/g": "output_norm.weight", "ln_f/b": "output_norm.bias",
               "wte": "token_embd.weight", "wpe": "position_embd.weight", "lm_head": "output.weight"}


def write_gguf_gpt2(path: str | Path, n_ctx: int = 4096, n_embd: int = 128, n_head: int = 4, n_layer: int = 2,
                    scale: float = 3.0 / 128, seed: int = 0, fim: bool = False) -> Path:
    """The same model and vocabulary as write_gpt2, as a GGUF v3 file llama.cpp loads (arch gpt2, f32); with
    fim, three FIM tokens too (control tokens, named by the fim_*_token_id keys llama.cpp reads)."""
    path, chars = Path(path), _byte_chars()
    vocab = vocabulary(fim)
    fim_bytes = {name.encode() for name in FIM}
    tokens = [tok.decode() if tok in fim_bytes else "".join(chars[b] for b in tok) for tok in vocab[:-1]] + [EOS]
    kv: dict[str, object] = {
        "general.architecture": "gpt2", "general.name": path.stem, "gpt2.context_length": n_ctx,
        "gpt2.embedding_length": n_embd, "gpt2.feed_forward_length": 4 * n_embd, "gpt2.block_count": n_layer,
        "gpt2.attention.head_count": n_head, "gpt2.attention.layer_norm_epsilon": 1e-5,
        "tokenizer.ggml.model": "gpt2", "tokenizer.ggml.pre": "gpt-2", "tokenizer.ggml.tokens": tokens,
        "tokenizer.ggml.token_type": [3 if t in FIM else 1 for t in tokens[:-1]] + [3],
        "tokenizer.ggml.merges": [],
        "tokenizer.ggml.bos_token_id": len(tokens) - 1, "tokenizer.ggml.eos_token_id": len(tokens) - 1,
    }
    if fim:
        kv |= {f"tokenizer.ggml.fim_{part}_token_id": tokens.index(name) for part, name in zip(("pre", "suf", "mid"),
                                                                                              FIM, strict=True)}
    tensors = {}
    for name, array in weights(n_ctx, n_embd, n_layer, scale, seed, fim).items():
        short = name.removeprefix("model/")
        layer, _, rest = short.partition("/")
        key = f"blk.{layer[1:]}.{_GGUF_NAMES[rest]}" if layer.startswith("h") and rest else _GGUF_NAMES[short]
        tensors[key] = np.ascontiguousarray(array, dtype="<f4")
    header = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kv))
    header += b"".join(struct.pack("<Q", len(k)) + k.encode() + _gguf_value(v) for k, v in kv.items())
    offset, infos = 0, b""
    for name, data in tensors.items():
        infos += struct.pack("<Q", len(name)) + name.encode() + struct.pack("<I", data.ndim)
        infos += struct.pack(f"<{data.ndim}Q", *reversed(data.shape)) + struct.pack("<IQ", 0, offset)
        offset += -(-data.nbytes // 32) * 32
    with open(path, "wb") as out:
        head = header + infos
        out.write(head + bytes(-len(head) % 32))
        for data in tensors.values():
            out.write(data.tobytes() + bytes(-data.nbytes % 32))
    return path
