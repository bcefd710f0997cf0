"""Language names, file extensions, guessing, and pygments highlighting (real pygments)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from pygments.lexers import get_lexer_by_name

from playground.errors import InputError, PlaygroundError, UnknownLanguageError
from playground.highlight import highlight_terminal
from playground.languages import (
    LANGUAGES,
    canonical_language,
    guess_language,
    language_from_filename,
)
from playground.markup.highlight import highlight_css, highlight_html

XSS = '</textarea><script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
REQUIRED = {"python", "javascript", "typescript", "java", "c", "cpp", "csharp", "go", "rust", "ruby", "php",
            "kotlin", "swift", "bash", "sql"}


def test_every_language_has_a_pygments_lexer_and_a_display_name() -> None:
    assert REQUIRED <= set(LANGUAGES)
    for name, language in LANGUAGES.items():
        assert language.name == name and language.display
        assert get_lexer_by_name(language.lexer).name  # raises ClassNotFound if the alias is wrong


@pytest.mark.parametrize(("display", "canonical"), [("C++", "cpp"), ("C#", "csharp"), ("JavaScript", "javascript")])
def test_display_names(display: str, canonical: str) -> None:
    assert LANGUAGES[canonical].display == display


@pytest.mark.parametrize(("name", "canonical"), [
    ("python", "python"), ("Python", "python"), ("  PYTHON ", "python"), ("py", "python"), ("python3", "python"),
    ("js", "javascript"), ("node", "javascript"), ("JavaScript", "javascript"),
    ("ts", "typescript"), ("TypeScript", "typescript"),
    ("c", "c"), ("C", "c"), ("c++", "cpp"), ("C++", "cpp"), ("cpp", "cpp"),
    ("c#", "csharp"), ("C#", "csharp"), ("cs", "csharp"), ("csharp", "csharp"),
    ("go", "go"), ("golang", "go"), ("rs", "rust"), ("Rust", "rust"), ("rb", "ruby"), ("kt", "kotlin"),
    ("sh", "bash"), ("shell", "bash"), ("Bash", "bash"), ("SQL", "sql"), ("php", "php"), ("swift", "swift"),
    ("java", "java"),
])
def test_canonical_language(name: str, canonical: str) -> None:
    assert canonical_language(name) == canonical


@pytest.mark.parametrize("name", ["", "  ", "brainfuck", "pythonn", "java script", "c--"])
def test_unknown_language_lists_the_valid_ones(name: str) -> None:
    with pytest.raises(UnknownLanguageError) as info:
        canonical_language(name)
    assert isinstance(info.value, InputError) and isinstance(info.value, PlaygroundError)
    message = str(info.value)
    assert all(language in message for language in LANGUAGES)


def test_a_very_long_unknown_language_is_not_echoed_whole() -> None:
    with pytest.raises(UnknownLanguageError, match=r"^Unknown language 'xxxx") as info:
        canonical_language("x" * 100_000)
    assert len(str(info.value)) < 300 and "…" in str(info.value)


@pytest.mark.parametrize(("path", "language"), [
    ("a.py", "python"), ("src/app.js", "javascript"), ("m.mjs", "javascript"), ("x.ts", "typescript"),
    ("Main.java", "java"), ("a.c", "c"), ("a.h", "c"), ("a.cpp", "cpp"), ("a.cc", "cpp"), ("a.hpp", "cpp"),
    ("P.cs", "csharp"), ("main.go", "go"), ("lib.rs", "rust"), ("x.rb", "ruby"), ("i.php", "php"),
    ("M.kt", "kotlin"), ("V.swift", "swift"), ("run.sh", "bash"), ("run.bash", "bash"), ("q.sql", "sql"),
    ("SHOUT.PY", "python"), ("/tmp/dir.with.dots/file.go", "go"),
    ("README", None), ("notes.txt", None), (".py", None), ("", None), ("archive.tar.gz", None),
])
def test_language_from_filename(path: str, language: str | None) -> None:
    assert language_from_filename(path) == language


@pytest.mark.parametrize(("code", "language"), [
    ("def f(x):\n    return x\n", "python"),
    ("import os\nprint(os.getcwd())\n", "python"),
    ("if (n := len(a)) > 1:\n    print(n)\n", "python"),  # the walrus is not Go
    ("#!/usr/bin/env python3\nx = 1\n", "python"),
    ("#include <stdio.h>\nint main(void) { return 0; }\n", "c"),
    ("#include <iostream>\nint main() { std::cout << 1; }\n", "cpp"),
    ('fn main() {\n    println!("hi");\n}\n', "rust"),
    ('package main\n\nimport "fmt"\n\nfunc main() { fmt.Println(1) }\n', "go"),
    ("func add(a int, b int) int {\n\treturn a + b\n}\n", "go"),
    ("func greet(name: String) -> String {\n    return name\n}\n", "swift"),
    ("<?php\necho 'hi';\n", "php"),
    ("#!/bin/bash\necho hi\n", "bash"),
    ("for f in *.txt; do\n  echo $f\ndone\n", "bash"),
    ("SELECT name FROM users WHERE id = 1;", "sql"),
    ("select *\nfrom t", "sql"),
    ("console.log('hi');\n", "javascript"),
    ("function add(a, b) { return a + b; }\n", "javascript"),
    ("function add(a: number, b: number): number { return a + b; }\n", "typescript"),
    ("public class Main {\n  public static void main(String[] args) {}\n}\n", "java"),
    ("using System;\nclass P { static void Main() { Console.WriteLine(1); } }\n", "csharp"),
    ('def greet(name)\n  puts "hi #{name}"\nend\n', "ruby"),
    ('fun main() {\n    println("hi")\n}\n', "kotlin"),
])
def test_guess_language(code: str, language: str) -> None:
    assert guess_language(code) == language


@pytest.mark.parametrize("code", ["", "   \n", "x = 1", "hello world", "Here is some prose about nothing.", "42"])
def test_guess_language_says_none_when_unsure(code: str) -> None:
    assert guess_language(code) is None


def _shown_text(html: str) -> str:
    """What a browser would show inside the <pre>: tags dropped, entities decoded."""
    inside = html.split("<pre>", 1)[1].rsplit("</pre>", 1)[0]
    return unescape(re.sub(r"</?span[^>]*>", "", inside))


@pytest.mark.parametrize("language", [*LANGUAGES, None, "text", "no-such-language", "html"])
def test_highlight_html_never_lets_markup_through(language: str | None) -> None:
    html = highlight_html(XSS, language)
    assert html.startswith('<div class="highlight"><pre>') and html.endswith("</pre></div>\n")
    for raw in ("<script", "</script", "<img", "</textarea", "<textarea"):
        assert raw not in html
    assert _shown_text(html) == XSS + "\n"  # all of it, shown as text


@pytest.mark.parametrize(("code", "language"), [
    ("<script>alert(1)</script>", None),
    ("<script>alert(1)</script>", "text"),
    ('page = "<script>alert(1)</script>"', "python"),
    ("const page = '<script>alert(1)</script>';", "javascript"),
    ("-- <script>alert(1)</script>\nSELECT 1;", "sql"),
])
def test_script_tags_come_out_escaped(code: str, language: str | None) -> None:
    html = highlight_html(code, language)
    assert "&lt;script&gt;" in html and "&lt;/script&gt;" in html
    assert "<script>" not in html


def test_highlight_html_marks_tokens_for_known_languages() -> None:
    html = highlight_html("def f():\n    return '<b>'\n", "python")
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">f</span>' in html
    assert "&lt;b&gt;" in html and "<b>" not in html


@pytest.mark.parametrize("language", [None, "no-such-language", ""])
def test_unknown_language_is_plain_escaped_text(language: str | None) -> None:
    html = highlight_html("def f(): return 1 < 2", language)
    assert 'class="k"' not in html
    assert "def f(): return 1 &lt; 2" in html


def test_highlight_html_keeps_leading_blank_lines_and_indentation() -> None:
    html = highlight_html("\n\n    x = 1\n", "python")
    text = re.sub(r"<[^>]+>", "", html)
    assert text.startswith("\n\n    x = 1")


def test_highlight_css_has_a_light_and_a_scoped_dark_theme() -> None:
    css = highlight_css()
    rules = [line for line in css.splitlines() if line.strip()]
    assert ".highlight { background: #f8f8f8; }" in rules  # pygments' default style
    assert any(r.startswith(".dark .highlight { background: #272822") for r in rules)  # monokai
    assert any(r.startswith(".dark .highlight .k ") for r in rules)
    # nothing leaks onto the rest of the Gradio page
    assert all(r.startswith((".highlight", ".dark .highlight")) for r in rules)


def test_highlight_css_styles_are_selectable() -> None:
    assert highlight_css("friendly", "native") != highlight_css()


def test_highlight_terminal_colours_code() -> None:
    out = highlight_terminal("def f():\n    return 1\n", "python")
    assert "\x1b[" in out
    assert re.sub(r"\x1b\[[0-9;]*m", "", out) == "def f():\n    return 1\n"


def test_highlight_terminal_plain_for_unknown_language() -> None:
    assert highlight_terminal("just text\n", None) == "just text\n"
