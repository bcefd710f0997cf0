"""Languages we know, and pygments highlighting to escaped HTML or the terminal."""

from __future__ import annotations

import re
from pathlib import PurePath

from pygments import highlight
from pygments.formatters import HtmlFormatter, TerminalFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from .errors import UnknownLanguageError

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
    "sqlite": "sql", "jsx": "javascript", "tsx": "typescript", "h": "c", "hpp": "cpp",
}
EXTENSIONS: dict[str, str] = {
    ".py": "python", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".ts": "typescript",
    ".java": "java", ".c": "c", ".h": "c", ".cpp": "cpp", ".cc": "cpp", ".cxx": "cpp", ".hpp": "cpp",
    ".cs": "csharp", ".go": "go", ".rs": "rust", ".rb": "ruby", ".php": "php", ".kt": "kotlin",
    ".swift": "swift", ".sh": "bash", ".bash": "bash", ".sql": "sql",
}
# Cheap, ordered signals tried before pygments' guesser (which is unreliable on short snippets).
_SIGNS: list[tuple[str, str]] = [
    (r"^<\?php", "php"), (r"^#!.*\b(ba)?sh\b", "bash"), (r"^\s*#include\s*<(iostream|vector|string)>|std::", "cpp"),
    (r"^\s*#include\b", "c"), (r"^\s*package\s+main\b|\bfunc\s+\w+\(.*\)\s*\{|:=", "go"),
    (r"\bfn\s+\w+\s*\(|\blet\s+mut\b|println!\(", "rust"), (r"\bfun\s+\w+\s*\(|\bval\s+\w+\s*=", "kotlin"),
    (r"\bpublic\s+static\s+void\s+main|System\.out\.print", "java"),
    (r"\busing\s+System\b|Console\.Write", "csharp"), (r"\bfunc\s+\w+\(.*\)\s*->|\bimport\s+Foundation\b", "swift"),
    (r"^\s*def\s+\w+.*:\s*$|^\s*(from\s+\w+\s+)?import\s+\w+\s*$|\bprint\(|^\s*class\s+\w+.*:\s*$", "python"),
    (r"^\s*def\s+\w+[^:]*$|\bputs\b|\bend\s*$", "ruby"),
    (r":\s*(number|string|boolean)\b|\binterface\s+\w+\s*\{", "typescript"),
    (r"\bfunction\b|\bconst\s+\w+\s*=|\bconsole\.log\b|=>", "javascript"),
    (r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE\s+TABLE)\b", "sql"), (r"^\s*(echo|if\s+\[|for\s+\w+\s+in)\b", "bash"),
]


def canonical_language(name: str) -> str:
    """Our name for a language given any common spelling; unknown names list the valid ones."""
    key = (name or "").strip().lower()
    key = ALIASES.get(key, key)
    if key in LANGUAGES:
        return key
    for canonical, display in DISPLAY_NAMES.items():
        if key == display.lower():
            return canonical
    raise UnknownLanguageError(
        f"Unknown language {name!r}. Valid languages: {', '.join(LANGUAGES)}."
    )


def language_from_filename(path: str) -> str | None:
    """The language a file name's extension says, if we know it."""
    return EXTENSIONS.get(PurePath(path).suffix.lower())


def guess_language(code: str) -> str | None:
    """A best guess at the language of a snippet (only a default: users can always override it)."""
    for pattern, language in _SIGNS:
        if re.search(pattern, code, flags=re.M | (re.I if language == "sql" else 0)):
            return language
    return None


def _lexer(language: str | None):  # type: ignore[no-untyped-def]
    try:
        return get_lexer_by_name(LANGUAGES.get(language or "", language or "text"), stripnl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False)


def highlight_html(code: str, language: str | None) -> str:
    """Escaped, highlighted HTML (<div class="highlight"><pre>...) for code."""
    return highlight(code, _lexer(language), HtmlFormatter(cssclass="highlight"))


def highlight_css(style: str = "default", dark_style: str = "monokai") -> str:
    """CSS for highlighted code: a light style, and a dark one under Gradio's `.dark` class."""
    light = HtmlFormatter(style=style).get_style_defs(".highlight")
    dark = HtmlFormatter(style=dark_style).get_style_defs(".dark .highlight")
    return light + "\n" + dark


def highlight_terminal(code: str, language: str | None) -> str:
    """Code coloured for a terminal (ANSI escapes)."""
    return highlight(code, _lexer(language), TerminalFormatter())
