"""The "How it works" tab in a real browser (Chromium) on the bundled model."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from playground.tasks import TASKS
from tests.browser import shot

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def step_label(page: Page) -> str:
    return page.locator("#teach-chart .pg-step").inner_text()


def wait_step(page: Any, n: int) -> None:
    page.wait_for_function("(n) => { const s = document.querySelector('#teach-chart .pg-step');"
                           " return s && s.innerText.startsWith(`Step ${n}:`); }", arg=n, timeout=120_000)


def test_step_five_tokens_then_branch(open_page: Any, model_url: str) -> None:
    page = open_page(model_url)
    page.locator("#tab-teach-button").click()
    page.locator("#teach-build").click()
    page.wait_for_selector("#teach-anatomy .pg-gauge", timeout=120_000)
    anatomy = page.locator("#teach-anatomy").inner_text()
    assert "System instruction" in anatomy and "Your code" in anatomy
    assert re.search(r"Prompt: \d+ tokens of a \d+-token context window", anatomy)
    page.locator("#teach-show-tokens input").check()
    page.wait_for_selector("#teach-anatomy .pg-chip", timeout=30_000)
    assert page.locator("#teach-anatomy .pg-chip").first.get_attribute("title").startswith("token id ")

    # One token into the answer ("function" of the JavaScript translation): unfinished, so not linted.
    page.locator("#teach-next").click()
    wait_step(page, 1)
    answer = page.locator("#teach-answer")
    assert "Lint runs when the answer is finished" in answer.inner_text()
    assert "syntax error" not in answer.inner_text() and answer.locator(".pg-flagged, .pg-flag").count() == 0
    for n in range(2, 6):
        page.locator("#teach-next").click()
        wait_step(page, n)
    rows = page.locator("#teach-chart table.pg-chart tbody tr")
    assert rows.count() == 10  # "Candidates shown" defaults to 10
    assert page.locator("#teach-chart tr.pg-chosen").count() == 1
    chosen_before = page.locator("#teach-chart tr.pg-chosen .pg-tok").inner_text()
    answer_before = page.locator("#teach-answer").inner_text()
    shot(page, "teach-five-steps")

    # Branch: take the second candidate at step 5.
    options = page.locator("#teach-candidates label")
    assert options.count() == 10
    alternative = options.nth(1)
    alt_text = re.sub(r"\s+\S+%$", "", alternative.inner_text().strip())
    alternative.click()
    page.wait_for_function("(t) => { const c = document.querySelector('#teach-chart tr.pg-chosen .pg-tok');"
                           " return c && c.innerText === t; }", arg=alt_text, timeout=60_000)
    assert page.locator("#teach-chart tr.pg-chosen .pg-tok").inner_text() != chosen_before
    assert "(chosen)" in step_label(page)
    tree = page.locator("#teach-tree").inner_text()
    assert "1 branch point(s)" in tree
    # The branch keeps the first four tokens: the answer shown still starts like before minus the last token.
    page.locator("#teach-next").click()
    wait_step(page, 6)
    assert page.locator("#teach-answer .pg-line").count() >= 1
    assert page.locator("#teach-answer").inner_text() != answer_before
    shot(page, "teach-branch")

    # Browse back to the first branch through the dropdown's list.
    page.locator("#teach-back").click()
    wait_step(page, 5)
    page.locator("#teach-back").click()
    wait_step(page, 4)
    shot(page, "teach-back")


def test_temperature_slider_updates_the_chart(open_page: Any, model_url: str) -> None:
    page = open_page(model_url)
    page.locator("#tab-teach-button").click()
    note = page.locator("#teach-settings-note")
    note.wait_for(state="visible", timeout=30_000)
    titles = [t.title for t in TASKS.values()]  # every task, from the task list
    tabs = f"({', '.join(titles[:-1])} and {titles[-1]})"
    assert titles[:5] == ["Translate", "Simplify", "Debug", "Complete", "Tests"]
    assert "this view's own" in note.inner_text() and f"sampling settings apply to the task tabs {tabs} only" \
        in note.inner_text()
    page.locator("#teach-build").click()
    page.wait_for_selector("#teach-anatomy .pg-gauge", timeout=120_000)
    page.locator("#teach-next").click()
    wait_step(page, 1)
    assert "greedy" in page.locator("#teach-chart").inner_text()
    box = page.locator("#teach-temperature input[type=number]")
    box.fill("1.5")
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('#teach-chart').innerText.includes('temperature 1.5')",
                           timeout=30_000)
    assert "the sampler draws from" in page.locator("#teach-chart").inner_text()
    shot(page, "teach-temperature")
