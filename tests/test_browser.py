"""The web app in a real headless Chromium (Debian's, driven by Playwright) against real Gradio servers.

Screenshots go to screenshots/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, cast

import pytest

from playground.catalog import DEFAULT_MODEL, SMALL_MODEL
from playground.engines import load_engine
from playground.engines.llama_cpp import LlamaCppEngine
from playground.tasks import TASKS as ALL_TASKS
from playground.tasks.examples import load_examples
from playground.web.manager import ModelManager
from tests import fakes  # noqa: F401 (registers the "echo" engine)
from tests.browser import (
    XSS,
    choose,
    fill_code,
    serve,
    shot,
    stats_text,
    use_example,
    wait_finished,
)

pytestmark = pytest.mark.browser
TASKS = ["translate", "simplify", "debug", "complete"]


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    with serve(ModelManager(engine="echo", model=SMALL_MODEL, public=False, delay=0.01)) as (url, _):
        yield url


def test_tab_bar_names_every_tab(open_page: Any, model_url: str) -> None:
    """A stray component inside gr.Tabs once made Gradio relabel the last tab after a click on another."""
    page = open_page(model_url)
    tabs = page.locator("[role=tablist]").first.locator("[role=tab]")
    for task in ("debug", "translate"):
        page.locator(f"#tab-{task}-button").click()
        page.wait_for_selector(f"#{task}-generate", state="visible")
        labels = [label.strip() for label in tabs.all_inner_texts()]
        assert labels == [*(t.title for t in ALL_TASKS.values()), "How it works", "Class (teacher)"], labels


@pytest.mark.parametrize("task", TASKS)
def test_tab_streams_highlighted_code_and_lint(open_page: Any, model_url: str, task: str) -> None:
    page = open_page(model_url)
    use_example(page, task)
    page.click(f"#{task}-generate")
    page.wait_for_function(  # a partial, highlighted answer while still generating: it streams
        """(t) => document.querySelector(`#${t}-stats`)?.innerText.startsWith('Generating')
                  && document.querySelector(`#${t}-output .highlight`)""", arg=task, timeout=60_000)
    assert wait_finished(page, task).startswith("Done:")
    assert page.locator(f"#{task}-output .highlight pre span").count() > 3  # pygments tokens
    note = page.locator(f"#{task}-lint-note").inner_text()
    rows = page.locator(f"#{task}-lint tbody tr")
    if task == "translate":  # the example translates Python to JavaScript: tree-sitter checks its syntax
        assert re.fullmatch(r"✓ Parses as JavaScript \(tree-sitter checks the syntax only\)\.|"
                            r"(\d+) syntax errors? \(tree-sitter, JavaScript\)\.", note), note
    elif (found := re.fullmatch(r"(\d+) problems? found \(pyflakes\)\.", note)) is not None:
        # the table lists each one (it can render a moment after the note on a busy machine)
        page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length === n",
                               arg=[f"#{task}-lint tbody tr", int(found[1])], timeout=10_000)
        assert rows.count() == int(found[1]) > 0
    else:
        assert note == "✓ No problems found (pyflakes).", note
        assert not page.locator(f"#{task}-lint").is_visible()
    if task in ("simplify", "debug"):
        assert page.locator(f"#{task}-diff .pg-diff").is_visible()
    shot(page, f"tab-{task}")


def contrast(page: Any, selector: str) -> float:
    """WCAG contrast ratio between an element's text colour and its background."""
    return cast(float, page.evaluate("""(sel) => {
        const el = document.querySelector(sel);
        const lum = (c) => { const v = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map((x) => x / 255)
            .map((x) => x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
            return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
        let bg = el; while (bg && getComputedStyle(bg).backgroundColor.match(/rgba\\(.*, 0\\)|transparent/))
            bg = bg.parentElement;
        const [a, b] = [lum(getComputedStyle(el).color), lum(getComputedStyle(bg).backgroundColor)];
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }""", selector))  # Playwright's evaluate() returns Any


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_highlighted_code_is_readable_in_both_themes(open_page: Any, model_url: str, theme: str) -> None:
    page = open_page(f"{model_url}?__theme={theme}")
    use_example(page, "simplify")
    page.click("#simplify-generate")
    wait_finished(page, "simplify")
    assert contrast(page, "#simplify-output .highlight pre") >= 4.5
    assert contrast(page, "#simplify-lint-note .pg-lint") >= 4.5
    assert contrast(page, "#simplify-stats") >= 4.5
    shot(page, f"theme-{theme}")


def test_stop_ends_a_long_generation_and_generate_works_again(open_page: Any, model_url: str) -> None:
    page = open_page(model_url)
    use_example(page, "translate")
    page.click("#translate-generate")
    page.wait_for_function("() => /^Generating: ([3-9]|\\d\\d+) tokens/.test("
                           "document.querySelector('#translate-stats')?.innerText)", timeout=60_000)
    page.click("#translate-stop")
    assert wait_finished(page, "translate", 30).startswith("Stopped:")
    engine = load_engine("llama-cpp", SMALL_MODEL)
    assert isinstance(engine, LlamaCppEngine)  # load_engine() says Engine; wait_idle() is this class's own
    assert engine.wait_idle(10), "Stop should free the model"
    shot(page, "stopped")
    page.click("#translate-generate")
    page.wait_for_function("() => document.querySelector('#translate-stats')?.innerText.startsWith('Generating')")
    assert wait_finished(page, "translate").startswith("Done:")


def test_a_new_answer_clears_the_previous_panels_then_draws_its_own(open_page: Any, model_url: str) -> None:
    """The lint panel, diff and download of the last answer must not sit next to a new one as it streams."""
    page = open_page(model_url)
    use_example(page, "debug")
    page.click("#debug-generate")
    assert wait_finished(page, "debug").startswith("Done:")
    page.wait_for_selector("#debug-diff .pg-diff")
    page.click("#debug-generate")
    page.wait_for_function(
        """() => document.querySelector('#debug-stats')?.innerText.startsWith('Generating')
                 && !document.querySelector('#debug-diff .pg-diff')
                 && /when the answer is complete/.test(document.querySelector('#debug-lint-note')?.innerText)""",
        timeout=60_000)
    assert page.locator("#debug-download").is_disabled()
    assert wait_finished(page, "debug").startswith("Done:")
    page.wait_for_selector("#debug-diff .pg-diff")  # the new answer's panels arrive after the stream
    assert "when the answer is complete" not in page.locator("#debug-lint-note").inner_text()
    assert page.locator("#debug-download").is_enabled()


def test_closed_tab_cancels_its_generation(open_page: Any, model_url: str) -> None:
    page = open_page(model_url)
    use_example(page, "translate")
    page.click("#translate-generate")
    page.wait_for_function("() => document.querySelector('#translate-stats')?.innerText.startsWith('Generating')",
                           timeout=60_000)
    page.context.close()
    engine = load_engine("llama-cpp", SMALL_MODEL)
    assert isinstance(engine, LlamaCppEngine)  # load_engine() says Engine; wait_idle() is this class's own
    assert engine.wait_idle(30), "closing the tab should stop its generation"


@pytest.mark.parametrize("app", ["echo_url", "model_url"])
def test_script_in_input_and_output_never_runs(open_page: Any, request: pytest.FixtureRequest, app: str) -> None:
    page = open_page(request.getfixturevalue(app))
    page.locator("#tab-debug-button").click()
    fill_code(page, "debug-code", XSS)
    choose(page, "debug-source", "python")
    page.locator("#debug-error textarea").fill(XSS)
    page.click("#debug-generate")
    wait_finished(page, "debug")
    page.wait_for_timeout(500)  # give an injected <img onerror> time to fire
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    page.locator("#tab-debug").get_by_text("Show prompt").click()
    assert XSS in page.locator("#debug-prompt textarea").input_value()
    if app == "echo_url":  # the echo engine writes the payload back: it must show as text
        assert "<script>window.__xss=1</script>" in page.locator("#debug-output").inner_text()
    shot(page, f"xss-{app}")


def test_copy_and_download_give_the_code(open_page: Any, model_url: str) -> None:
    page = open_page(model_url)
    use_example(page, "simplify", 1)
    page.click("#simplify-generate")
    wait_finished(page, "simplify")
    shown = page.locator("#simplify-output pre").inner_text()
    page.click("#simplify-copy")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    with page.expect_download() as download:
        page.click("#simplify-download")
    saved = open(download.value.path(), encoding="utf-8").read()
    assert copied.strip() and copied.strip() == shown.strip() == saved.strip()
    # Named after the function the answer defines, else the one the input defines.
    defined = re.search(r"^\s*def (\w+)", saved, re.M) or re.search(r"^\s*def (\w+)", load_examples("simplify")[1].code,
                                                                     re.M)
    assert defined is not None and download.value.suggested_filename == f"{defined[1]}.py"


def test_failed_model_switch_keeps_the_previous_model(open_page: Any, model_url: str) -> None:
    page = open_page(model_url)
    page.locator("#model-switch").get_by_text("Switch model").click()
    page.get_by_label("Local .gguf file").check()
    page.locator("#model-path textarea, #model-path input").first.fill("/nonexistent/model.gguf")
    page.click("#model-load")
    page.wait_for_selector("#model-status .pg-error", timeout=30_000)
    status = page.locator("#model-status").inner_text()
    assert "not found" in status and "previous model is still loaded" in status
    assert "SmolLM2" in page.locator("#model-card").inner_text()
    shot(page, "model-switch-error")
    use_example(page, "complete")
    page.click("#complete-generate")
    assert wait_finished(page, "complete").startswith("Done:")


def test_a_second_user_sees_the_queue(open_page: Any, model_url: str) -> None:
    first, second = open_page(model_url), open_page(model_url)
    for page in (first, second):
        use_example(page, "translate")
    first.click("#translate-generate")
    first.wait_for_function("() => document.querySelector('#translate-stats')?.innerText.startsWith('Generating')",
                            timeout=60_000)
    second.click("#translate-generate")
    second.wait_for_function("() => /queue/i.test(document.querySelector('#tab-translate')?.innerText)",
                             timeout=30_000)
    shot(second, "queued")
    assert "Done" in wait_finished(first, "translate") and "Done" in wait_finished(second, "translate")
    assert stats_text(second, "translate").startswith("Done:")


@pytest.mark.model
def test_the_tests_tab_writes_tests_and_scores_them_on_planted_bugs(open_page: Any) -> None:
    """The Tests tab as a user meets it, on the default code model: the example's tests stream in, only the
    ones that pass on the code are kept, and the checks say how many planted bugs they catch."""
    with serve(ModelManager(engine="llama-cpp", model=DEFAULT_MODEL, public=False)) as (url, _):
        page = open_page(url)
        use_example(page, "tests")
        assert not page.locator("#tests-tests").is_visible()  # the task writes the tests: no box to type them
        page.click("#tests-generate")
        assert wait_finished(page, "tests", timeout_s=300).startswith("Done:")
        answer = page.locator("#tests-output pre").inner_text()
        assert answer.count("assert ") >= 2 and "def " not in answer, answer
        checks = page.locator("#tests-checks").inner_text()
        assert re.search(r"catch(es)? \d+ of \d+ planted bugs?|no bug could be planted", checks), checks
        shot(page, "tab-tests")
