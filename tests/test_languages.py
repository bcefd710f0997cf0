"""The language registry: every record's facts hold together (real pygments, tree-sitter and Gradio)."""

from __future__ import annotations

import re

import gradio as gr
import pytest
from pygments.lexers import find_lexer_class_by_name

from playground.checks.runners import RUNNERS
from playground.languages import (
    CPYTHON,
    LANGUAGES,
    RUNNABLE,
    Language,
    canonical_language,
    extension,
    find_language,
    get_language,
    language_choices,
    language_from_filename,
)
from playground.lint import LINT_LANGUAGES, lint_tool
from playground.syntax import available, parser, syntax_problems

RECORDS = list(LANGUAGES.values())


@pytest.mark.parametrize("language", RECORDS, ids=lambda language: language.name)
def test_every_record_is_consistent(language: Language) -> None:
    assert LANGUAGES[language.name] is language and language.name == language.name.strip().lower()
    assert language.display and canonical_language(language.display) == language.name
    assert find_lexer_class_by_name(language.lexer) is not None  # raises ClassNotFound on a wrong alias
    assert language.extensions, "a language needs a file extension: downloads are named with the first"
    for ext in language.extensions:
        assert re.fullmatch(r"\.[a-z0-9+]+", ext), ext
        assert language_from_filename(f"code{ext}") == language.name
    assert extension(language.name) == language.download_extension == language.extensions[0]
    for alias in language.aliases:
        assert canonical_language(alias) == language.name and get_language(alias) is language
    assert language.code_box is None or language.code_box in gr.Code.languages
    assert language.sandbox == "" or language.sandbox in RUNNERS
    assert language.runnable == (language.name in RUNNABLE)
    assert not language.erase_types or language.runnable
    assert not language.python_ast or language.sandbox == CPYTHON  # its checks are Python: they run in CPython
    assert language.linter in ("", "pyflakes") and (language.linter == "pyflakes") == (language.name in LINT_LANGUAGES)
    for rank, pattern in language.signs:
        assert isinstance(rank, int) and re.compile(pattern)


@pytest.mark.parametrize("language", [r for r in RECORDS if r.grammar], ids=lambda language: language.name)
def test_a_declared_grammar_loads_and_parses(language: Language) -> None:
    assert available(language.name)
    assert parser(language.name).parse(b"").root_node is not None
    assert syntax_problems("", language.name) == []
    assert lint_tool(language.name) == ("pyflakes" if language.linter else "tree-sitter")


def test_names_extensions_and_guessing_ranks_are_unique_across_languages() -> None:
    extensions = [ext for language in RECORDS for ext in language.extensions]
    assert len(extensions) == len(set(extensions))
    spellings = [s for language in RECORDS
                 for s in {language.name, language.display.lower(), *language.aliases}]
    assert len(spellings) == len(set(spellings)), "a spelling names two languages"
    ranks = [rank for language in RECORDS for rank, _ in language.signs]
    assert len(ranks) == len(set(ranks)), "two signs with one rank: which is tried first is undefined"


def test_unknown_names_have_no_record() -> None:
    assert find_language(None) is None and find_language("") is None and find_language("klingon") is None
    assert find_language(" C++ ") is LANGUAGES["cpp"]
    assert extension("klingon") == ".txt" and language_from_filename("notes.txt") is None
    assert [name for _, name in language_choices(False)] == list(LANGUAGES)


def test_python_ast_reads_python_in_any_spelling_and_nothing_else() -> None:
    from playground.languages import has_python_ast

    assert has_python_ast("python") and has_python_ast("Py")
    assert not has_python_ast("javascript") and not has_python_ast("klingon") and not has_python_ast(None)
