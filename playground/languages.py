"""The languages the playground knows, one record each: names, extensions, lexer, grammar, sandbox, guessing.

To add a language, add a `Language` to `_REGISTRY` below; highlighting, syntax checks, the sandbox, downloads,
the code box's colouring, the pickers and guessing all read it from there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath

from pygments.lexer import Lexer
from pygments.lexers import find_lexer_class_by_name

from .errors import UnknownLanguageError

AUTO = "auto"  # the language picker's "Auto-detect" value
# The sandboxes code can run in (playground/checks/ maps them to runners).
CPYTHON = "cpython-wasi"  # CPython compiled to WASI, under wasmtime
QUICKJS = "quickjs"  # QuickJS compiled to WASI

# A cheap guessing signal: (rank, regex). Signals of all languages are tried by rank before pygments (whose
# analysers are weak on short snippets: its Python analyser claims anything containing "import "). Shebangs and
# `<?php` come first, then the more specific languages (C++ before C, Swift before Go, TypeScript before
# JavaScript). A pattern may start with `(?i)` to ignore case (SQL).
Sign = tuple[int, str]


@dataclass(frozen=True)
class Language:
    """Everything the playground knows about one language."""

    name: str  # canonical: what the pipeline, the API and the CLI pass around
    display: str  # shown in pickers and messages (also accepted as a spelling)
    lexer: str  # pygments lexer alias: highlighting, and the last resort of guessing
    extensions: tuple[str, ...]  # file extensions, unique across languages; the first names downloads
    aliases: tuple[str, ...] = ()  # other spellings canonical_language() accepts
    grammar: tuple[str, str] | None = None  # tree-sitter: (grammar module, its language function)
    code_box: str | None = None  # gr.Code's name for it; None: the input box shows it uncoloured
    sandbox: str = ""  # where it runs: CPYTHON, QUICKJS, or "" (only its syntax is checked)
    erase_types: bool = False  # it runs in its sandbox once its type annotations are erased (TypeScript)
    linter: str = ""  # "pyflakes": lint beyond syntax; else tree-sitter's syntax errors when it has a grammar
    # Python's own ast reads it: its >>> examples and assert lines are checks, the calls it makes and its
    # signatures give inputs, a Run box line may be a statement, restore.py puts back what a rewrite left out.
    python_ast: bool = False
    signs: tuple[Sign, ...] = ()

    @property
    def download_extension(self) -> str:
        """The extension a downloaded answer gets."""
        return self.extensions[0]

    @property
    def runnable(self) -> bool:
        """Whether its code runs in a sandbox here (else only its syntax is checked)."""
        return bool(self.sandbox)


_REGISTRY = (
    Language("python", "Python", "python", (".py",), ("py", "python3", "py3"),
             ("tree_sitter_python", "language"), "python", CPYTHON, linter="pyflakes", python_ast=True,
             signs=((2, r"^#!.*\bpython"),
                    (18, r"^\s*def\s+\w+\s*\(.*\)\s*(->.*)?:\s*$"
                         r"|^\s*(from\s+[\w.]+\s+)?import\s+[\w.]+(\s+as\s+\w+)?\s*$"
                         r"|^\s*elif\b|^\s*class\s+\w+.*:\s*$|\bprint\(|\bif\s+__name__\s*==|\bself\.\w+\s*="))),
    Language("javascript", "JavaScript", "javascript", (".js", ".mjs", ".cjs"), ("js", "node", "jsx", "ecmascript"),
             ("tree_sitter_javascript", "language"), "javascript", QUICKJS,
             signs=((3, r"^#!.*\bnode\b"),
                    (21, r"\bfunction\b|^\s*(const|let|var)\s+\w+\s*=|\bconsole\.log\b|=>|\brequire\("))),
    Language("typescript", "TypeScript", "typescript", (".ts",), ("ts", "tsx"),
             ("tree_sitter_typescript", "language_typescript"), "typescript", QUICKJS, erase_types=True,
             signs=((20, r":\s*(number|string|boolean|void|any)\b|^\s*(export\s+)?(interface|type)\s+\w+\s*[={<]"),)),
    Language("java", "Java", "java", (".java",), (), ("tree_sitter_java", "language"),
             signs=((14, r"\bpublic\s+static\s+void\s+main|\bSystem\.out\.print|^\s*import\s+java\."),)),
    Language("c", "C", "c", (".c", ".h"), ("h",), ("tree_sitter_c", "language"), "c",
             signs=((11, r"^\s*#include\b|\bint\s+main\s*\("),)),
    Language("cpp", "C++", "cpp", (".cpp", ".cc", ".cxx", ".hpp"), ("c++", "cxx", "hpp"),
             ("tree_sitter_cpp", "language"), "cpp",
             signs=((10, r"^\s*#include\s*<(iostream|vector|string|map|memory|algorithm)>|\bstd::|\bcout\s*<<"
                         r"|^\s*template\s*<"),)),
    Language("csharp", "C#", "csharp", (".cs",), ("c#", "cs"), ("tree_sitter_c_sharp", "language"),
             signs=((15, r"^\s*using\s+System\b|\bConsole\.Write|^\s*namespace\s+[\w.]+\s*[{;]"),)),
    Language("go", "Go", "go", (".go",), ("golang",), ("tree_sitter_go", "language"),
             signs=((12, r"^\s*package\s+main\b|^\s*func\s+(\(\w+\s+\*?\w+\)\s*)?\w+\([^:)]*\)[^:\n]*\{"
                         r"|\bfmt\.\w+\("),)),
    Language("rust", "Rust", "rust", (".rs",), ("rs",), ("tree_sitter_rust", "language"),
             signs=((13, r"\bfn\s+\w+\s*[(<]|\blet\s+mut\b|\bprintln!\(|^\s*impl\b"),)),
    Language("ruby", "Ruby", "ruby", (".rb",), ("rb",), ("tree_sitter_ruby", "language"),
             signs=((19, r"^\s*def\s+[\w.?!]+[^:]*$|\bputs\b|^\s*end\s*$|\.each\s+do\b"),)),
    Language("php", "PHP", "php", (".php",), (), ("tree_sitter_php", "language_php"),
             signs=((0, r"^\s*<\?php\b"),)),
    Language("kotlin", "Kotlin", "kotlin", (".kt",), ("kt", "kts"), ("tree_sitter_kotlin", "language"),
             signs=((17, r"\bfun\s+\w+\s*\(|^\s*val\s+\w+(\s*:\s*\w+)?\s*=|\bprintln\("),)),
    Language("swift", "Swift", "swift", (".swift",), (), ("tree_sitter_swift", "language"),
             signs=((16, r"^\s*import\s+(Foundation|SwiftUI|UIKit)\b|\bfunc\s+\w+\([^)]*\)\s*->|\bguard\s+let\b"),)),
    Language("bash", "Bash", "bash", (".sh", ".bash"), ("sh", "shell", "zsh"), ("tree_sitter_bash", "language"),
             "shell",
             signs=((1, r"^#!.*\b(ba|z)?sh\b"),
                    (23, r"^\s*(echo\b|if\s+\[|for\s+\w+\s+in\b.*;\s*do\b|export\s+\w+=|fi\s*$|done\s*$)"))),
    Language("sql", "SQL", "sql", (".sql",), ("postgresql", "mysql", "sqlite", "postgres"),
             ("tree_sitter_sql", "language"), "sql",
             signs=((22, r"(?i)^\s*(SELECT\b[^;]*?\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
                         r"|CREATE\s+(TABLE|INDEX|VIEW))\b"),)),
)
# The registry: canonical name -> record, in the pickers' order.
LANGUAGES: dict[str, Language] = {language.name: language for language in _REGISTRY}
RUNNABLE: tuple[str, ...] = tuple(name for name, language in LANGUAGES.items() if language.runnable)
# pygments scores a snippet from 0 to 1; below this a guess is not worth offering.
_MIN_SCORE = 0.5


@cache
def _spellings() -> dict[str, str]:
    """Every accepted spelling (lower case) -> canonical name: aliases, names, display names."""
    spellings = {alias: language.name for language in _REGISTRY for alias in language.aliases}
    spellings |= {language.name: language.name for language in _REGISTRY}
    return {language.display.lower(): language.name for language in _REGISTRY} | spellings


def canonical_language(name: str) -> str:
    """Our name for a language given any common spelling; unknown names list the valid ones."""
    key = (name or "").strip().lower()
    if key in _spellings():
        return _spellings()[key]
    shown = name if len(name or "") <= 40 else name[:40] + "…"  # a pasted essay is not echoed back whole
    raise UnknownLanguageError(f"Unknown language {shown!r}: pick one of {', '.join(LANGUAGES)}.")


def find_language(name: str | None) -> Language | None:
    """The record of a language given any common spelling, or None when unknown (or no name)."""
    canonical = _spellings().get((name or "").strip().lower())
    return LANGUAGES[canonical] if canonical else None


def get_language(name: str) -> Language:
    """The record of a language given any common spelling; unknown names list the valid ones."""
    return LANGUAGES[canonical_language(name)]


def has_python_ast(name: str | None) -> bool:
    """Whether Python's `ast` reads code in this language (its examples, calls and helpers); False if unknown."""
    language = find_language(name)
    return language is not None and language.python_ast


def display_name(name: str | None) -> str:
    """How a language is shown ("C++"); an unknown name as given."""
    language = find_language(name)
    return language.display if language else (name or "")


def runnable_names() -> str:
    """The languages that run here, for messages: "Python, JavaScript and TypeScript"."""
    names = [LANGUAGES[name].display for name in RUNNABLE]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


@cache
def _extensions() -> dict[str, str]:
    return {ext: language.name for language in _REGISTRY for ext in language.extensions}


def language_from_filename(path: str) -> str | None:
    """The language a file name's extension says, if we know it."""
    return _extensions().get(PurePath(path).suffix.lower())


@cache
def _signs() -> list[tuple[int, str, str]]:
    return sorted((rank, pattern, language.name) for language in _REGISTRY for rank, pattern in language.signs)


def guess_language(code: str) -> str | None:
    """A guess at a snippet's language, or None when unsure.

    Only a default for the language picker: short snippets are ambiguous (`x = 1` is valid in a
    dozen languages), so the user's choice always wins. Cheap signals first, then pygments'
    analysers restricted to our languages.
    """
    sample = code[:10_000]  # the opening lines decide; bound the regex work on huge pastes
    for _, pattern, language in _signs():
        if re.search(pattern, sample, flags=re.M):
            return language
    scores = {language: _lexer_class(language).analyse_text(sample) for language in LANGUAGES}
    best = max(scores, key=lambda language: scores[language])
    return best if scores[best] >= _MIN_SCORE else None


@cache
def _lexer_class(language: str) -> type[Lexer]:
    return find_lexer_class_by_name(LANGUAGES[language].lexer)


def language_choices(auto: bool) -> list[tuple[str, str]]:
    """(display name, canonical name) pairs for a language picker, with Auto-detect first when asked."""
    choices = [(language.display, language.name) for language in _REGISTRY]
    return [("Auto-detect", AUTO), *choices] if auto else choices


def picked_language(value: str | None) -> str | None:
    """A picker's value as the pipeline takes it: None (guess it) for Auto-detect or nothing."""
    return None if value in (AUTO, "", None) else value


def extension(language: str | None) -> str:
    """The extension a download in the language gets (".txt" when unknown)."""
    known = LANGUAGES.get(language or "")
    return known.download_extension if known else ".txt"


# The first name a piece of code defines, in the languages we know (def, function, class, fn, func, ...).
_DEFINED = re.compile(
    r"^\s*(?:export\s+)?(?:pub\s+)?(?:async\s+)?(?:def|function\*?|class|fn|func|fun|sub|struct|interface|enum|"
    r"module|trait)\s+([A-Za-z_]\w*)|^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_]\w*)\s*=\s*(?:async\s*)?\(",
    re.M)


def defined_name(code: str) -> str:
    """The first function or class the code defines ("" when none)."""
    match = _DEFINED.search(code[:20_000])
    return next((g for g in match.groups() if g), "") if match else ""


def suggested_filename(code: str, language: str | None, fallback: str = "answer") -> str:
    """A file name for code: the first function or class it defines, with the language's extension
    (`fizzbuzz.js`); `fallback` when it defines none."""
    return f"{(defined_name(code) or fallback)[:60]}{extension(language)}"
