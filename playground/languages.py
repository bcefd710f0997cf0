"""The languages the playground knows: canonical names, display names, aliases, file extensions, guessing."""

from __future__ import annotations

import re
from functools import cache
from pathlib import PurePath

from pygments.lexer import Lexer
from pygments.lexers import find_lexer_class_by_name

from .errors import UnknownLanguageError

AUTO = "auto"  # the language picker's "Auto-detect" value

# Our canonical language names -> pygments lexer aliases.
LANGUAGES: dict[str, str] = {
    "python": "python", "javascript": "javascript", "typescript": "typescript", "java": "java",
    "c": "c", "cpp": "cpp", "csharp": "csharp", "go": "go", "rust": "rust", "ruby": "ruby",
    "php": "php", "kotlin": "kotlin", "swift": "swift", "bash": "bash", "sql": "sql",
}
DISPLAY_NAMES: dict[str, str] = {
    "python": "Python", "javascript": "JavaScript", "typescript": "TypeScript", "java": "Java", "c": "C",
    "cpp": "C++", "csharp": "C#", "go": "Go", "rust": "Rust", "ruby": "Ruby", "php": "PHP",
    "kotlin": "Kotlin", "swift": "Swift", "bash": "Bash", "sql": "SQL",
}
ALIASES: dict[str, str] = {
    "py": "python", "python3": "python", "js": "javascript", "node": "javascript", "ts": "typescript",
    "c++": "cpp", "cxx": "cpp", "c#": "csharp", "cs": "csharp", "golang": "go", "rs": "rust", "rb": "ruby",
    "kt": "kotlin", "sh": "bash", "shell": "bash", "zsh": "bash", "postgresql": "sql", "mysql": "sql",
    "sqlite": "sql", "postgres": "sql", "jsx": "javascript", "tsx": "typescript", "h": "c", "hpp": "cpp",
    "py3": "python", "ecmascript": "javascript", "kts": "kotlin",
}
EXTENSIONS: dict[str, str] = {
    ".py": "python", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".ts": "typescript",
    ".java": "java", ".c": "c", ".h": "c", ".cpp": "cpp", ".cc": "cpp", ".cxx": "cpp", ".hpp": "cpp",
    ".cs": "csharp", ".go": "go", ".rs": "rust", ".rb": "ruby", ".php": "php", ".kt": "kotlin",
    ".swift": "swift", ".sh": "bash", ".bash": "bash", ".sql": "sql",
}
# Cheap signals, tried in order before pygments (whose analysers are weak on short snippets: its
# Python analyser claims anything containing "import "). More specific languages come first
# (C++ before C, Swift before Go, TypeScript before JavaScript).
_SIGNS: list[tuple[str, str]] = [
    (r"^\s*<\?php\b", "php"),
    (r"^#!.*\b(ba|z)?sh\b", "bash"),
    (r"^#!.*\bpython", "python"),
    (r"^#!.*\bnode\b", "javascript"),
    (r"^\s*#include\s*<(iostream|vector|string|map|memory|algorithm)>|\bstd::|\bcout\s*<<|^\s*template\s*<", "cpp"),
    (r"^\s*#include\b|\bint\s+main\s*\(", "c"),
    (r"^\s*package\s+main\b|^\s*func\s+(\(\w+\s+\*?\w+\)\s*)?\w+\([^:)]*\)[^:\n]*\{|\bfmt\.\w+\(", "go"),
    (r"\bfn\s+\w+\s*[(<]|\blet\s+mut\b|\bprintln!\(|^\s*impl\b", "rust"),
    (r"\bpublic\s+static\s+void\s+main|\bSystem\.out\.print|^\s*import\s+java\.", "java"),
    (r"^\s*using\s+System\b|\bConsole\.Write|^\s*namespace\s+[\w.]+\s*[{;]", "csharp"),
    (r"^\s*import\s+(Foundation|SwiftUI|UIKit)\b|\bfunc\s+\w+\([^)]*\)\s*->|\bguard\s+let\b", "swift"),
    (r"\bfun\s+\w+\s*\(|^\s*val\s+\w+(\s*:\s*\w+)?\s*=|\bprintln\(", "kotlin"),
    (r"^\s*def\s+\w+\s*\(.*\)\s*(->.*)?:\s*$|^\s*(from\s+[\w.]+\s+)?import\s+[\w.]+(\s+as\s+\w+)?\s*$"
     r"|^\s*elif\b|^\s*class\s+\w+.*:\s*$|\bprint\(|\bif\s+__name__\s*==|\bself\.\w+\s*=", "python"),
    (r"^\s*def\s+[\w.?!]+[^:]*$|\bputs\b|^\s*end\s*$|\.each\s+do\b", "ruby"),
    (r":\s*(number|string|boolean|void|any)\b|^\s*(export\s+)?(interface|type)\s+\w+\s*[={<]", "typescript"),
    (r"\bfunction\b|^\s*(const|let|var)\s+\w+\s*=|\bconsole\.log\b|=>|\brequire\(", "javascript"),
    (r"^\s*(SELECT\b[^;]*?\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|VIEW))\b", "sql"),
    (r"^\s*(echo\b|if\s+\[|for\s+\w+\s+in\b.*;\s*do\b|export\s+\w+=|fi\s*$|done\s*$)", "bash"),
]
# pygments scores a snippet from 0 to 1; below this a guess is not worth offering.
_MIN_SCORE = 0.5


def canonical_language(name: str) -> str:
    """Our name for a language given any common spelling; unknown names list the valid ones."""
    key = (name or "").strip().lower()
    key = ALIASES.get(key, key)
    if key in LANGUAGES:
        return key
    for canonical, display in DISPLAY_NAMES.items():
        if key == display.lower():
            return canonical
    shown = name if len(name or "") <= 40 else name[:40] + "…"  # a pasted essay is not echoed back whole
    raise UnknownLanguageError(f"Unknown language {shown!r}: pick one of {', '.join(LANGUAGES)}.")


def language_from_filename(path: str) -> str | None:
    """The language a file name's extension says, if we know it."""
    return EXTENSIONS.get(PurePath(path).suffix.lower())


def guess_language(code: str) -> str | None:
    """A guess at a snippet's language, or None when unsure.

    Only a default for the language picker: short snippets are ambiguous (`x = 1` is valid in a
    dozen languages), so the user's choice always wins. Cheap signals first, then pygments'
    analysers restricted to our languages.
    """
    sample = code[:10_000]  # the opening lines decide; bound the regex work on huge pastes
    for pattern, language in _SIGNS:
        if re.search(pattern, sample, flags=re.M | (re.I if language == "sql" else 0)):
            return language
    scores = {language: _lexer_class(language).analyse_text(sample) for language in LANGUAGES}
    best = max(scores, key=lambda language: scores[language])
    return best if scores[best] >= _MIN_SCORE else None


@cache
def _lexer_class(language: str) -> type[Lexer]:
    return find_lexer_class_by_name(LANGUAGES[language])



def language_choices(auto: bool) -> list[tuple[str, str]]:
    """(display name, canonical name) pairs for a language picker, with Auto-detect first when asked."""
    choices = [(DISPLAY_NAMES[name], name) for name in LANGUAGES]
    return [("Auto-detect", AUTO), *choices] if auto else choices


def picked_language(value: str | None) -> str | None:
    """A picker's value as the pipeline takes it: None (guess it) for Auto-detect or nothing."""
    return None if value in (AUTO, "", None) else value


def extension(language: str | None) -> str:
    """The usual file extension of a language (".txt" when unknown)."""
    return next((ext for ext, name in EXTENSIONS.items() if name == language), ".txt")


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
