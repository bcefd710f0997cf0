"""The hint ladder in the running app: climbed in Chromium in the Debug tab, the teacher capping it at step 2 on the
Class tab (the page and the `/hint` endpoint then refuse step 3), a task turned off refused on the page and the
API. A scripted engine writes the fix and the hints (what a real model writes is bench/hints.py's)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any

import pytest

from playground.engines import Chunk, register_engine
from playground.params import GenerationParams
from playground.web.manager import ModelManager
from tests.browser import client, fill_code, serve, shot, wait_finished
from tests.fakes import FakeEngine
from tests.test_hints import BUGGY, FIXED

pytestmark = pytest.mark.browser
TOKEN = "tutor-7c"
STEP_1 = "Look at line 9. Which list does `len(value)` measure there?"  # what the script says if asked for step 1
FIRST = ("Look at line 9 (`return total / len(value)`). What does it do there when the code runs `average([2, 4])`? "
         "Work it out by hand.")  # step 1 as it is: the facts, no model words
STEP_2 = "On line 9 the name is not the list the function was given: <b>compare</b> it with the first line."


@register_engine("tutor-script")
class TutorScript(FakeEngine):
    """The fix for a Debug prompt, a hint for a hint prompt (by the tutor's system message)."""

    name = "tutor-script"

    def pieces(self, prompt: str, params: GenerationParams, stop: list[str] | None,
               cancel: threading.Event | None) -> Iterable[Chunk]:
        if "patient programming tutor" in prompt:
            text = STEP_2 if "Tell me in words" in prompt else STEP_1
        elif "Explain this error to me" in prompt:
            text = "The name `value` was never given a value <script>x</script>; the list is called `values`."
        else:
            text = FIXED + "```\nThe name was wrong."
        return [Chunk(word + " ") for word in text.split(" ")]


@pytest.fixture
def tutor_url(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PLAYGROUND_MODEL_CALLS", "0")
    monkeypatch.setenv("PLAYGROUND_CANDIDATES", "1")
    with serve(ModelManager(engine="tutor-script", model="script", public=False, admin_token=TOKEN)) as (url, _):
        yield url


def hints_text(page: Any) -> str:
    return str(page.locator("#debug-hints").inner_text())


def test_a_student_climbs_the_ladder_and_the_teacher_caps_it(open_page: Any, tutor_url: str) -> None:
    page = open_page(tutor_url)
    page.get_by_role("tab", name="Debug").click()
    fill_code(page, "debug-code", BUGGY)
    page.click("#debug-hint")
    page.wait_for_function("() => /Step 1 of 4/.test(document.querySelector('#debug-hints')?.innerText || '')",
                           timeout=60_000)
    assert "where to look · line 9" in hints_text(page) and "when the code runs average([2, 4])" in hints_text(page)
    page.click("#debug-hint")
    page.wait_for_function("() => /Step 2 of 4/.test(document.querySelector('#debug-hints')?.innerText || '')",
                           timeout=60_000)
    assert "<b>compare</b>" in hints_text(page) and page.locator("#debug-hints b").count() == 0  # text, not markup
    assert "return total / len(values)" not in hints_text(page)  # no step has given the fix yet
    shot(page, "hints-two-steps")

    teacher = open_page(tutor_url)
    teacher.get_by_role("tab", name="Class (teacher)").click()
    teacher.locator("#class-limits").get_by_text("The class's limits").click()
    teacher.get_by_label("2: what is wrong, in words").check()
    teacher.click("#class-apply")
    teacher.wait_for_function("() => /Enter the admin token/.test(document.querySelector('#class-applied')"
                              "?.innerText || '')", timeout=30_000)  # no token yet: nothing changed
    teacher.fill("#class-token input", TOKEN)
    teacher.click("#class-apply")
    teacher.wait_for_function("() => /Hints up to step 2/.test(document.querySelector('#class-applied')"
                              "?.innerText || '')", timeout=30_000)

    page.click("#debug-hint")
    page.wait_for_function("() => /hints up to step 2/.test(document.querySelector('#debug-hints')?.innerText || '')",
                           timeout=60_000)
    assert "Step 3 of 4" not in hints_text(page) and "Step 2 of 4" in hints_text(page)  # the climb so far stays
    shot(page, "hints-capped")
    api = client(tutor_url)
    with pytest.raises(Exception, match="hints up to step 2"):
        api.predict(code=BUGGY, step=3, api_name="/hint")
    said = json.loads(api.predict(code=BUGGY, step=1, api_name="/hint"))
    assert said["line"] == 9 and said["sure"] and said["text"] == FIRST


def test_a_task_the_teacher_turned_off_is_refused_on_the_page_and_the_api(open_page: Any, tutor_url: str) -> None:
    teacher = open_page(tutor_url)
    teacher.get_by_role("tab", name="Class (teacher)").click()
    teacher.locator("#class-limits").get_by_text("The class's limits").click()
    teacher.fill("#class-token input", TOKEN)
    teacher.locator("#class-tasks").get_by_label("Complete").uncheck()
    teacher.click("#class-apply")
    teacher.wait_for_function("() => /Tasks on: translate, simplify, debug, tests, explain/.test("
                              "document.querySelector('#class-applied')?.innerText || '')", timeout=30_000)
    page = open_page(tutor_url)
    page.get_by_role("tab", name="Complete").click()
    fill_code(page, "complete-code", "def add(a, b):\n")
    page.click("#complete-generate")
    page.wait_for_function("() => /turned Complete off/.test(document.querySelector('#complete-message')"
                           "?.innerText || '')", timeout=30_000)
    with pytest.raises(Exception, match="turned Complete off"):
        client(tutor_url).predict(code="def add(a, b):\n", api_name="/complete_code")


def test_explain_this_error_names_the_line_and_runs_the_code(open_page: Any, tutor_url: str) -> None:
    page = open_page(tutor_url)
    page.get_by_role("tab", name="Debug").click()
    fill_code(page, "debug-code", BUGGY)
    page.locator("#debug-error textarea").fill("NameError: name 'value' is not defined")
    page.click("#debug-explain-error")
    page.wait_for_function("() => /NameError/.test(document.querySelector('#debug-explained')?.innerText || '')",
                           timeout=60_000)
    shown = page.locator("#debug-explained").inner_text()
    assert "line 9" in shown and "reproduced here by running average([2, 4])" in shown
    assert "<script>x</script>" in shown and page.locator("#debug-explained script").count() == 0
    shot(page, "explain-error")
    said = json.loads(client(tutor_url).predict(code=BUGGY, error_message="NameError: name 'value' is not defined",
                                                api_name="/explain_error"))
    assert (said["exception"], said["line"], said["reproduced"]) == ("NameError", 9, True)
    with pytest.raises(Exception, match="Paste the error message"):
        client(tutor_url).predict(code=BUGGY, error_message="", api_name="/explain_error")


def failure_help(page: Any) -> str:
    return str(page.locator("#debug-failure-help").inner_text())


def test_explain_and_hint_on_a_run_box_call_that_raises(open_page: Any, tutor_url: str) -> None:
    page = open_page(tutor_url)
    page.get_by_role("tab", name="Debug").click()
    fill_code(page, "debug-code", BUGGY)
    page.click("#debug-generate")
    wait_finished(page, "debug")
    page.click("#debug-explain-failure")  # the fix passes its checks and nothing ran yet
    page.wait_for_function("() => /Nothing failed: 1 check\\(s\\) passed/.test(document.querySelector("
                           "'#debug-failure-help')?.innerText || '')", timeout=30_000)
    page.locator("#debug-run-call textarea, #debug-run-call input").first.fill("average([])")
    page.click("#debug-run")
    page.wait_for_function("() => /ZeroDivisionError: division by zero \\(line 9 of the answer\\)/.test("
                           "document.querySelector('#debug-run-output')?.innerText || '')", timeout=30_000)
    page.click("#debug-explain-failure")
    page.wait_for_function("() => /Explaining average/.test(document.querySelector('#debug-failure-help')"
                           "?.innerText || '') && /ZeroDivisionError · line 9/.test(document.querySelector("
                           "'#debug-failure-help')?.innerText || '')", timeout=60_000)
    assert "(the Run box)" in failure_help(page) and "reproduced here by running average([])" in failure_help(page)
    assert page.locator("#debug-failure-help script").count() == 0
    page.click("#debug-hint-failure")
    page.wait_for_function("() => /Step 1 of 4/.test(document.querySelector('#debug-failure-help')?.innerText"
                           " || '')", timeout=60_000)
    # the scripted fix of the answer changes nothing, so the hint points at the error's line and says it is unsure
    assert "where to look · line 9 · unsure" in failure_help(page)
    shot(page, "hint-on-failure")
    page.click("#debug-hint-failure")
    page.wait_for_function("() => /Step 2 of 4/.test(document.querySelector('#debug-failure-help')?.innerText"
                           " || '')", timeout=60_000)
    page.click("#debug-generate")  # a new answer takes the old answer's help away, and the steps climbed on it
    wait_finished(page, "debug")
    assert failure_help(page).strip() == ""
    page.locator("#debug-run-call textarea, #debug-run-call input").first.fill("average([])")
    page.click("#debug-run")
    page.wait_for_function("() => /ZeroDivisionError/.test(document.querySelector('#debug-run-output')?.innerText"
                           " || '')", timeout=30_000)
    page.click("#debug-hint-failure")  # the same answer again (greedy): the climb starts over
    page.wait_for_function("() => /Step 1 of 4/.test(document.querySelector('#debug-failure-help')?.innerText"
                           " || '')", timeout=60_000)
    assert "Step 2 of 4" not in failure_help(page)
