"""Input checks before any model call: empty, too long, binary, not UTF-8, unencodable text."""

from __future__ import annotations

from .errors import InputError
from .settings import get_settings


def validate_code(code: str) -> str:
    """Refuse input the model cannot use, before any model call."""
    limit = get_settings().max_input_chars
    if not isinstance(code, str) or not code.strip():
        raise InputError("The code box is empty: paste or type some code first.")
    if len(code) > limit:
        raise InputError(
            f"The input has {len(code):,} characters; the limit is {limit:,}. "
            "Send a smaller piece of code (one function or class at a time)."
        )
    if "\x00" in code:
        raise InputError("The input contains NUL bytes, so it looks like a binary file, not code.")
    validate_text(code, "The code")
    return code


def validate_text(text: str, what: str) -> str:
    """Refuse a text input (code, error message, suffix) over the size cap or with unencodable characters."""
    limit = get_settings().max_input_chars
    if len(text) > limit:
        raise InputError(f"{what} has {len(text):,} characters; the limit is {limit:,}. Send less text.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate (JSON can carry one) cannot be tokenized
        raise InputError(
            f"{what} contains a character that is not valid text (at position {exc.start}): paste it as UTF-8 text."
        ) from None
    return text


def decode_source(data: bytes, name: str = "input") -> str:
    """Text of an uploaded or read file: UTF-8 (with or without BOM), refusing binary data."""
    if b"\x00" in data[:8192]:
        raise InputError(f"{name} looks like a binary file (it contains NUL bytes): open a source code file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not UTF-8 text (invalid byte at position {exc.start}). Save it as UTF-8 and try again."
        ) from None
