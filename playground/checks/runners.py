"""Which sandbox runs a language's code and cases: CPython under wasmtime, or QuickJS (TypeScript once its
types are erased)."""

from __future__ import annotations

from collections.abc import Callable

from ..languages import CPYTHON, QUICKJS, get_language
from .cases import Case, Run
from .javascript import run_javascript
from .python import run_python
from .typescript import strip_types

# The runner of each sandbox a language may name (Language.sandbox).
RUNNERS: dict[str, Callable[[str, list[Case]], Run]] = {CPYTHON: run_python, QUICKJS: run_javascript}


def run_cases(code: str, language: str, cases: list[Case]) -> Run:
    """Run code and its cases in the sandbox of its language (Python: CPython under wasmtime, JavaScript:
    QuickJS, TypeScript: QuickJS once its types are erased; Unstrippable when they cannot be)."""
    known = get_language(language)
    return RUNNERS[known.sandbox](strip_types(code) if known.erase_types else code, cases)
