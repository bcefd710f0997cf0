"""Files in and out, share links, the Checks panel and the Run box, in a real Chromium.

The echo engine (it writes the input back as the answer) wires the Run box to known code; the sandbox
that runs it is the real one. Answers that make claims about generation come from the bundled model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from playground.catalog import SMALL_MODEL
from playground.web.manager import ModelManager
from tests import fakes  # noqa: F401 (registers the "echo" engine)
from tests.browser import choose, fill_code, serve, shot, use_example, wait_finished

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
DOUBLE = 'def double(x):\n    """\n    >>> double(21)\n    42\n    """\n    return 2 * x\n'


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    with serve(ModelManager(engine="echo", model=SMALL_MODEL, public=False)) as (url, _):
        yield url


def code_text(page: Page, task: str) -> str:
    return page.locator(f"#{task}-code .cm-content").inner_text()


def test_a_file_opens_into_the_code_box_with_its_language(open_page: Any, echo_url: str, tmp_path: Path) -> None:
    page = open_page(echo_url)
    page.locator("#tab-simplify-button").click()
    source = tmp_path / "clamp.js"
    source.write_text("function clamp(x, lo, hi) {\n  return Math.min(hi, Math.max(lo, x));\n}\n", "utf-8")
    page.locator("#simplify-file input[type=file]").set_input_files(str(source))
    page.wait_for_function("() => /Opened clamp.js/.test(document.querySelector('#simplify-message')?.innerText)")
    assert "function clamp(x, lo, hi)" in code_text(page, "simplify")
    assert page.locator("#simplify-source input").input_value() == "JavaScript"
    shot(page, "file-opened")


@pytest.mark.parametrize(("data", "message"), [
    (b"\x7fELF\x02\x01\x01\x00\x00\x00binary", "looks like a binary file"),
    ("s = 'caf\u00e9'\n".encode("latin-1"), "is not UTF-8 text"),
])
def test_a_file_that_is_not_code_is_refused_and_the_code_stays(open_page: Any, echo_url: str, tmp_path: Path,
                                                               data: bytes, message: str) -> None:
    page = open_page(echo_url)
    page.locator("#tab-debug-button").click()
    fill_code(page, "debug-code", "x = 1\n")
    choose(page, "debug-source", "python")
    bad = tmp_path / "program.py"
    bad.write_bytes(data)
    page.locator("#debug-file input[type=file]").set_input_files(str(bad))
    page.wait_for_selector("#debug-message .pg-error")
    assert message in page.locator("#debug-message").inner_text()
    assert code_text(page, "debug").strip() == "x = 1"  # nothing lost
    page.click("#debug-generate")  # and the tab still works (the refusal stays shown until the answer starts)
    page.wait_for_function("() => /^Done/.test(document.querySelector('#debug-stats')?.innerText)")
    assert not page.locator("#debug-message .pg-error").count()


def test_a_file_dropped_on_the_file_box_opens(open_page: Any, echo_url: str) -> None:
    page = open_page(echo_url)
    page.locator("#tab-translate-button").click()
    transfer = page.evaluate_handle("""() => {
        const data = new DataTransfer();
        const text = 'def greet(name):\\n    return "hi " + name\\n';
        data.items.add(new File([text], 'greet.py', {type: 'text/x-python'}));
        return data; }""")
    target = page.locator("#translate-file button, #translate-file [role=button]").first
    for event in ("dragenter", "dragover", "drop"):
        target.dispatch_event(event, {"dataTransfer": transfer})
    page.wait_for_function("() => /Opened greet.py/.test(document.querySelector('#translate-message')?.innerText)")
    assert "def greet(name):" in code_text(page, "translate")
    assert page.locator("#translate-source input").input_value() == "Python"


def test_the_run_box_runs_a_call_on_the_answer_in_the_sandbox(open_page: Any, echo_url: str) -> None:
    page = open_page(echo_url)
    page.locator("#tab-simplify-button").click()
    fill_code(page, "simplify-code", DOUBLE)
    choose(page, "simplify-source", "python")
    page.click("#simplify-generate")
    wait_finished(page, "simplify")
    page.wait_for_selector("#simplify-checks table")
    assert "passes" in page.locator("#simplify-checks").inner_text()  # its own >>> example, run in the sandbox
    for call, shown in (("double(21)", "42"), ("double('ab')", "'abab'"), ("1 / 0", "ZeroDivisionError"),
                        ("[0 for _ in iter(int, 1)]", "limit")):
        page.locator("#simplify-run-call textarea, #simplify-run-call input").first.fill(call)
        page.click("#simplify-run")
        page.wait_for_function("(s) => document.querySelector('#simplify-run-output')?.innerText.includes(s)",
                               arg=shown, timeout=30_000)
    shot(page, "run-box")


def test_the_checks_panel_shows_the_model_answers_verdict(open_page: Any, model_url: str) -> None:
    page = open_page(model_url)
    use_example(page, "simplify")
    page.click("#simplify-generate")
    assert wait_finished(page, "simplify").startswith("Done:")
    page.wait_for_selector("#simplify-checks table")
    panel = page.locator("#simplify-checks").inner_text()
    rows = page.locator("#simplify-checks tbody tr").count()
    assert rows > 0 and re.search(r"passes \d+/\d+|fails \d+ of \d+|no simplification kept", panel), panel
    assert page.locator("#simplify-checks th").all_inner_texts()[1:4] == ["Check", "Expected", "Got"]
    shot(page, "checks-panel")


def test_the_download_is_named_after_the_function(open_page: Any, model_url: str) -> None:
    page = open_page(model_url)
    use_example(page, "translate")  # fizzbuzz, Python to JavaScript
    page.click("#translate-generate")
    wait_finished(page, "translate")
    with page.expect_download() as download:
        page.click("#translate-download")
    saved = Path(download.value.path()).read_text("utf-8")
    name = download.value.suggested_filename
    defined = re.search(r"function\s+(\w+)|(?:const|let|var)\s+(\w+)\s*=", saved)
    assert name.endswith(".js") and defined is not None
    assert name == f"{defined[1] or defined[2]}.js"  # fizzbuzz.js when the model keeps the name


def test_a_share_link_opens_the_same_run_elsewhere(open_page: Any, model_url: str) -> None:
    teacher = open_page(model_url)
    use_example(teacher, "debug")
    temperature = "#sampling-temperature input[type=number]"
    teacher.locator(temperature).fill("0.35")
    teacher.locator(temperature).press("Enter")
    teacher.click("#debug-generate")
    assert wait_finished(teacher, "debug").startswith("Done:")
    answer = teacher.locator("#debug-output").inner_text()
    stats = teacher.locator("#debug-stats").inner_text()
    teacher.click("#debug-share")
    link = ""
    for _ in range(100):  # the link is copied once the session is saved (one round trip)
        link = teacher.evaluate("() => navigator.clipboard.readText()")
        if "deep_link=" in link:
            break
        teacher.wait_for_timeout(100)
    assert "deep_link=" in link, link
    teacher.locator("#tab-translate-button").click()  # the teacher moves on; the link keeps the debug run

    student = open_page(link)  # another browser context: another session, nothing shared but the link
    student.wait_for_selector("#debug-generate", state="visible")  # the Debug tab is the one open
    shot(student, "shared-run")
    assert student.locator("#debug-output").inner_text() == answer
    assert student.locator("#debug-stats").inner_text() == stats and "SmolLM2" in stats
    # The code box is filled when the page loads the shared run; on a busy machine that can come after the
    # answer's panels, so wait for it before comparing.
    student.wait_for_function("() => document.querySelector('#debug-code .cm-content')?.innerText.trim() !== ''",
                              timeout=30_000)
    assert code_text(student, "debug").split() == code_text(teacher, "debug").split() != []
    assert student.locator("#debug-error textarea").input_value() == teacher.locator(
        "#debug-error textarea").input_value() != ""
    assert student.locator(temperature).input_value() == "0.35"
    assert not student.locator("#debug-download").is_disabled()
    student.locator("#debug-run-call textarea, #debug-run-call input").first.fill("average([2, 4])")
    student.click("#debug-run")  # the shared answer runs in the student's own sandbox call
    student.wait_for_function("() => /average\\(\\[2, 4\\]\\)/.test(document.querySelector('#debug-run-output')"
                              "?.innerText)", timeout=30_000)
