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

import string
import struct
from pathlib import Path

import numpy as np

GGML_MAGIC = 0x67676D6C
EOS = "<|endoftext|>"
WORDS = ["\n", "    ", "def", " return", "print", "```", "```python\n", EOS]  # a few multi-byte tokens
RUNNER_UP = 0.7


def vocabulary() -> list[bytes]:
    """All 256 single bytes (any UTF-8 text can be tokenized), then a few words, EOS last."""
    return [bytes([b]) for b in range(256)] + [w.encode() for w in WORDS]


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
    return (q * np.sqrt(n_embd)).T.astype(np.float32)


def weights(n_ctx: int, n_embd: int, n_layer: int, scale: float, seed: int) -> dict[str, np.ndarray]:
    """The tensors by name, in numpy layout (slowest dimension first)."""
    vocab = vocabulary()
    index = {tok.decode("latin-1"): i for i, tok in enumerate(vocab)}
    rng = np.random.default_rng(seed)
    wte = rng.standard_normal((len(vocab), n_embd)).astype(np.float32)
    letters = string.ascii_lowercase + string.ascii_uppercase
    wte[[index[c] for c in letters]] = _letter_embeddings(n_embd, rng)
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
