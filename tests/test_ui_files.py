"""Files in and out of the web app: opening a source file into a code box, the download's name, and the app's
scratch folder (downloads pruned per session, removed when the page is closed and when the app is closed)."""

from __future__ import annotations

import atexit
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import gradio as gr
import pytest

from app import build_page
from playground.catalog import SMALL_MODEL
from playground.languages import suggested_filename
from playground.result import Answer
from playground.scratch import KEEP_PER_SESSION, Scratch
from playground.tasks import get_task
from playground.tasks.examples import load_examples
from playground.teach.handlers import TeachApp
from playground.web import ModelManager
from playground.web.files import AppBlocks, open_file, read_source, save_answer
from playground.web.handlers import PlaygroundApp
from playground.web.view import View
from tests.browser import serve
from tests.fakes import EchoEngine  # noqa: F401 - registers the "echo" engine

T = TypeVar("T")


@pytest.fixture
def files() -> Iterator[Scratch]:
    scratch = Scratch()
    yield scratch
    scratch.close()


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


def test_an_answer_that_defines_nothing_is_named_after_the_input_then_the_task(files: Scratch) -> None:
    debug, translate, explain = get_task("debug"), get_task("translate"), get_task("explain")
    answer = Answer("", "print(fizzbuzz(3))\n")
    assert debug.file_name(answer, "python", "def fizzbuzz(n):\n    pass\n") == "fizzbuzz.py"
    assert translate.file_name(Answer("", "console.log(3);\n"), "javascript", "print(3)\n") == "translate.js"
    named = Path(save_answer(files, "translate.js", "console.log(3);\n"))
    assert named.name == "translate.js" and named.read_text("utf-8") == "console.log(3);\n"
    # an explanation is saved as Markdown, named after the code it explains: its words, not a program
    words = Answer("It doubles x.", "", "It doubles x.")
    assert explain.content(words) == "It doubles x." and debug.content(words) == ""
    assert explain.file_name(words, "python", "def double(x):\n    return 2 * x\n") == "double-explained.md"


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


def _root(files: Scratch) -> Path | None:
    """The root as it is now: mypy would take an `assert files.root is None` to hold after the writes too."""
    return files.root


def test_each_session_keeps_its_last_downloads_and_loses_them_when_its_page_closes(files: Scratch) -> None:
    assert _root(files) is None  # nothing is made before the first download
    paths = [files.write("fizzbuzz.py", f"# {i}\n", "session-a") for i in range(KEEP_PER_SESSION + 3)]
    other = files.write("fizzbuzz.py", "# b\n", "session-b")
    kept = [p for p in paths if p.exists()]
    assert kept == paths[-KEEP_PER_SESSION:] and other.exists()  # the same name twice: a folder each
    assert [p.read_text("utf-8") for p in kept][-1] == f"# {KEEP_PER_SESSION + 2}\n"
    assert not any(p.parent.exists() for p in paths[:3])  # the pruned files' folders went too
    assert files.write("x.py", "", "../../escape").parent.parent.parent == files.root  # a hostile session name
    files.forget("session-a")
    assert not any(p.exists() for p in paths) and other.exists()
    root = files.root
    files.close()
    assert root is not None and not root.exists() and files.root is None


def _owners(demo: gr.Blocks, kind: type[T]) -> list[T]:
    """The objects whose methods handle the page's events (through a decorator too), of one class."""
    found: list[T] = []
    for block_fn in demo.fns.values():
        owner = getattr(getattr(block_fn.fn, "__wrapped__", block_fn.fn), "__self__", None)
        if isinstance(owner, kind) and all(owner is not f for f in found):
            found.append(owner)
    return found


def test_closing_the_app_removes_its_downloads_and_cards_and_adds_no_exit_hook() -> None:
    """Downloads written through the running page's handlers (the Download button's file) live in the app's
    one scratch folder, shared with the teaching tab; closing the app removes it. Building and closing more
    apps registers no exit hook (one for the process, at import; the first app's imports may add their own)."""
    example = load_examples("simplify")[0]
    roots, hooks = [], []
    for _ in range(3):
        with serve(ModelManager(engine="echo", model=SMALL_MODEL, public=False)) as (_url, demo):
            assert isinstance(demo, AppBlocks)  # build_page() says gr.Blocks: the page's class, owning the files
            [app] = _owners(demo, PlaygroundApp)
            assert app.files is demo.files
            # Called directly, as no Gradio event would: without the request Gradio passes (the anonymous session).
            simplify = app.endpoint(get_task("simplify"))
            ended = [u.get("ended") for u in simplify(example.code, "python", "", 0.0, 0.95, 40, 48, 1.1, 1, 1,
                                                      "fresh", request=None) if "ended" in u][-1]
            assert isinstance(ended, View)
            assert ended.state is not None
            for session in ("one", "two"):
                download = app.show_panels(ended, gr.Request(session_hash=session))["download"]
                assert Path(download["value"]).read_text("utf-8") == ended.state.answer.code
            card = demo.files.write("card-simplify-seed1.json", "{}", "cards")  # as TeachApp.card does
            assert demo.files.root is not None
            assert card.exists() and len(list(demo.files.root.iterdir())) == 3
            roots.append(demo.files.root)
        assert not roots[-1].exists()
        hooks.append(atexit._ncallbacks())
    assert len(set(roots)) == 3 and hooks[0] == hooks[-1]


def test_the_teaching_tab_writes_its_cards_in_the_pages_folder() -> None:
    demo = build_page(ModelManager(engine="echo", model=SMALL_MODEL, public=False))
    assert isinstance(demo, AppBlocks)  # build_page() says gr.Blocks: the page's class, owning the files
    [teach] = _owners(demo, TeachApp)
    [app] = _owners(demo, PlaygroundApp)
    assert teach.files is app.files is demo.files
