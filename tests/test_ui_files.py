"""Files in and out of the web app: opening a source file into a code box, and the download's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.languages import suggested_filename
from playground.web.files import open_file, read_source, save_answer


@pytest.mark.parametrize(("code", "language", "name"), [
    ("def fizzbuzz(n):\n    return n\n", "python", "fizzbuzz.py"),
    ("import math\n\nclass Point:\n    pass\n", "python", "Point.py"),
    ("// FizzBuzz\nfunction fizzbuzz(n) {\n  return n;\n}\n", "javascript", "fizzbuzz.js"),
    ("export async function load() {}\n", "javascript", "load.js"),
    ("const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));\n", "javascript", "clamp.js"),
    ("pub fn median(v: &[f64]) -> f64 { v[0] }\n", "rust", "median.rs"),
    ("package main\n\nfunc Sum(xs []int) int { return 0 }\n", "go", "Sum.go"),
    ("fun greet(name: String) = println(name)\n", "kotlin", "greet.kt"),
    ("console.log(1 + 2);\n", "javascript", "answer.js"),
    ("SELECT 1;\n", "sql", "answer.sql"),
])
def test_a_download_is_named_after_what_the_code_defines(code: str, language: str, name: str) -> None:
    assert suggested_filename(code, language) == name


def test_an_answer_that_defines_nothing_is_named_after_the_input_then_the_task() -> None:
    assert Path(save_answer("print(fizzbuzz(3))\n", "python", "def fizzbuzz(n):\n    pass\n", "debug")).name == (
        "fizzbuzz.py")
    saved = Path(save_answer("console.log(3);\n", "javascript", "print(3)\n", "translate"))
    assert saved.name == "translate.js" and saved.read_text("utf-8") == "console.log(3);\n"


def test_a_source_file_opens_with_the_language_of_its_extension(tmp_path: Path) -> None:
    path = tmp_path / "clamp.js"
    path.write_text("function clamp(x) {\n  return x;\n}\n", "utf-8")
    assert read_source(str(path)) == ("function clamp(x) {\n  return x;\n}\n", "javascript")
    opened = open_file(str(path), "auto")
    assert opened["code"].startswith("function clamp") and opened["source"] == "javascript"
    assert "Opened clamp.js (3 lines, JavaScript)" in opened["message"]
    # the box is emptied; the language is a guess a new paste redoes
    assert opened["file"] is None and opened["by_hand"] is False


def test_a_file_of_unknown_extension_keeps_the_picker(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes("\ufeffx = 1\n".encode())  # a BOM is dropped, as the CLI does
    opened = open_file(str(path), "auto")
    assert opened["code"] == "x = 1\n" and opened["source"] == "auto"
    assert "its language guessed from the code" in opened["message"]


@pytest.mark.parametrize(("data", "message"), [
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", "program.py looks like a binary file (it contains NUL bytes)"),
    ("x = 'caf\u00e9'\n".encode("latin-1"), "program.py is not UTF-8 text (invalid byte at position 8)"),
    (b"   \n\n", "The code box is empty"),
])
def test_a_file_that_cannot_be_code_is_refused_and_the_box_keeps_its_code(tmp_path: Path, data: bytes,
                                                                         message: str) -> None:
    path = tmp_path / "program.py"
    path.write_bytes(data)
    opened = open_file(str(path), "python")
    assert not {"code", "source", "by_hand"} & set(opened)  # nothing changes (left out: Gradio keeps them)
    assert message in opened["message"] and "pg-error" in opened["message"]
    assert opened["file"] is None  # the refused file leaves the file box, so another can be chosen


def test_a_file_longer_than_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYGROUND_MAX_INPUT_CHARS", "100")
    path = tmp_path / "big.py"
    path.write_text("x = 1\n" * 1000, "utf-8")
    shown = open_file(str(path), "python")["message"]
    assert "the limit is 100" in shown


def test_a_file_name_with_markup_is_escaped(tmp_path: Path) -> None:
    path = tmp_path / "<img src=x onerror=alert(1)>.py"
    path.write_text("x = 1\n", "utf-8")
    shown = open_file(str(path), "python")["message"]
    assert "<img" not in shown and "&lt;img" in shown
