"""lint(): real pyflakes findings; a syntax error is a finding, never an exception."""

from __future__ import annotations

import pytest

from playground.lint import LINT_LANGUAGES, Finding, lint, lint_note, lint_tool


@pytest.mark.parametrize("code", [
    "",
    "x = 1\n",
    "import os\n\nprint(os.getcwd())\n",
    "def f(numbers):\n    return sum(numbers) / len(numbers)\n",
    "\ufeffimport os\nos.sep\n",  # a leading BOM is valid in a Python file
])
def test_clean_code_has_no_findings(code: str) -> None:
    assert lint(code) == []


@pytest.mark.parametrize(("code", "expected"), [
    ("def average(numbers):\n    return sum(numbers) / len(number)\n",
     [Finding(2, 30, "undefined name 'number'", "error")]),
    ("import os\n", [Finding(1, 0, "'os' imported but unused", "warning")]),
    ("def f():\n    x = 1\n", [Finding(2, 4, "local variable 'x' is assigned to but never used", "warning")]),
    ("return 1\n", [Finding(1, 0, "'return' outside function", "error")]),
    ("x = 1\ndef f():\n    print(x)\n    x = 2\n",
     [Finding(3, 10, "local variable 'x' defined in enclosing scope on line 1 referenced before assignment", "error"),
      Finding(4, 4, "local variable 'x' is assigned to but never used", "warning")]),
    ('print(f"hi")\n', [Finding(1, 6, "f-string is missing placeholders", "warning")]),
])
def test_findings(code: str, expected: list[Finding]) -> None:
    assert lint(code) == expected


def test_findings_are_sorted_by_line_then_column() -> None:
    findings = lint("import sys\nimport os\nprint(a, b)\n")
    assert [(f.line, f.col) for f in findings] == [(1, 0), (2, 0), (3, 6), (3, 9)]
    assert [f.kind for f in findings] == ["warning", "warning", "error", "error"]


@pytest.mark.parametrize(("code", "line"), [
    ("def f(:\n    pass\n", 1),
    ("x = 1\ny = (\n", 2),
    ("x = 1\n\nif True\n    pass\n", 3),
    ("def f():\nreturn 1\n", 2),  # IndentationError is a SyntaxError too
    ("if True:\n\tx = 1\n        y = 2\n", 3),  # tabs and spaces mixed
    ("x = 'unterminated\n", 1),
])
def test_syntax_error_is_one_finding_with_its_line(code: str, line: int) -> None:
    findings = lint(code)
    assert len(findings) == 1
    assert findings[0].line == line and findings[0].kind == "error"
    assert findings[0].message.startswith("syntax error: ")


@pytest.mark.parametrize(("code", "line", "col"), [
    ("x = 1\0", 1, 5),
    ("a = 1\n\nb\0c", 3, 1),
    ("\0", 1, 0),
])
def test_nul_bytes_are_a_finding(code: str, line: int, col: int) -> None:
    assert lint(code) == [Finding(line, col, "syntax error: the code contains a NUL byte", "error")]


def test_lone_surrogates_are_a_finding() -> None:
    assert lint("x = 1\ny = '\udcff'\n") == [Finding(2, 5, "syntax error: the code contains invalid Unicode", "error")]


@pytest.mark.parametrize("code", [
    "x = " + " + ".join(["1"] * 900),  # parses, but deeper than pyflakes' recursive walk
    "x = " + " + ".join(["1"] * 5000),  # deeper than Python's parser allows
    "-" * 100_000 + "1",
    "(" * 300,
])
def test_absurd_nesting_is_a_finding_not_a_crash(code: str) -> None:
    findings = lint(code)
    assert len(findings) == 1 and findings[0].kind == "error"


def test_long_messages_are_shortened() -> None:
    (finding,) = lint("a" * 5000)
    assert finding.kind == "error" and finding.message.startswith("undefined name 'aaa")
    assert len(finding.message) <= 200 and finding.message.endswith("…")


@pytest.mark.parametrize("code", ["π = 3.14\nprint(π)\n", "s = '🙂 \u202e rtl'\nprint(s)\n", "x = 1 # 中文\n"])
def test_unicode_code_lints_normally(code: str) -> None:
    assert lint(code) == []


def test_big_input_is_linted() -> None:
    findings = lint("import os\n" * 5000)
    assert len(findings) == 5000  # one unused import, then 4999 redefinitions
    assert findings[-1].line == 5000


@pytest.mark.parametrize("language", ["python", "py", "Python", "python3"])
def test_python_spellings_are_linted(language: str) -> None:
    assert lint("import os\n", language) == [Finding(1, 0, "'os' imported but unused", "warning")]
    assert lint_note(language) is None


@pytest.mark.parametrize(("language", "name", "good", "bad", "where"), [
    ("javascript", "JavaScript", "function f(x) { return x + 1; }", "function f(x: number) { return x }", (1, 11)),
    ("js", "JavaScript", "const a = [1, 2];", "const a = [1, 2;", (1, 15)),
    ("go", "Go", "package main\nfunc main() {}\n", "package main\nfunc main() {\n  x := 1 +\n}\n", (3, 9)),
    ("cpp", "C++", "int main() { return 0; }", "int main() { return 0 }", (1, 21)),
    ("rust", "Rust", "fn main() { let x = 1; }", "fn main() { let x = ; }", (1, 18)),
    ("sql", "SQL", "SELECT a FROM t;", "SELECT a FROM t WHERE;", (1, 16)),
])
def test_other_languages_get_their_syntax_checked(language: str, name: str, good: str, bad: str,
                                                  where: tuple[int, int]) -> None:
    assert lint(good, language) == []
    findings = lint(bad, language)
    assert findings and all(f.kind == "error" and f.message.startswith("syntax error") for f in findings)
    assert (findings[0].line, findings[0].col) == where
    assert lint_tool(language) == "tree-sitter"
    assert lint_note(language) == f"Only the syntax of the {name} output is checked (tree-sitter)."


def test_a_language_without_a_checker_says_so() -> None:
    assert lint("this is not python ((", "html") == [] and lint_tool("html") == ""
    assert lint_note("html") == "Lint did not run: no checker for html."


@pytest.mark.parametrize("language", [None, ""])
def test_unknown_language_note(language: str | None) -> None:
    assert lint("x = (", language) == []
    assert lint_note(language) == "Lint did not run: the output's language is unknown."


def test_lint_languages() -> None:
    assert LINT_LANGUAGES == frozenset({"python"})
