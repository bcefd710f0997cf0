"""Script, img, svg and iframe payloads in a real Chromium: in the model's answer (code, explanation,
lint messages, diff), in the model's name, in error messages, and typed in by the user. None may run,
and each must show as text.

The "payload" engine writes the payload as its answer and carries it as its model name: a wiring
stand-in for a model that writes markup, which the bundled model cannot be made to do on demand.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from playground.catalog import SMALL_MODEL
from playground.engines import Chunk, register_engine
from playground.models import ModelInfo
from playground.params import GenerationParams
from playground.web.manager import ModelManager
from tests.browser import choose, fill_code, serve, wait_finished
from tests.fakes import FakeEngine

pytestmark = pytest.mark.browser

PAYLOAD = ('<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
           '<svg onload="window.__xss=3"><animate onbegin="window.__xss=4" attributeName="x" dur="1s"/></svg>'
           '<iframe srcdoc="<script>parent.__xss=5</script>"></iframe>')
# A pyflakes message that repeats the payload: "undefined name '<script>...' in __all__".
ANSWER = f"__all__ = ['{PAYLOAD}']\nx = 1\n```\n{PAYLOAD}\n\nIn code: `{PAYLOAD}`\n"
# Fragments of our HTML that must hold text only, never elements made from a payload.
FRAGMENTS = ["#simplify-output", "#simplify-explanation", "#simplify-diff", "#simplify-message", "#model-card",
             "#complete-fim-note", "[data-testid=toast-text]", "#simplify-lint td"]
INJECTED = "script, img, svg, animate, iframe"


@register_engine("payload")
class PayloadEngine(FakeEngine):
    """Answers every prompt with ANSWER, line by line; its model is called PAYLOAD."""

    name = "payload"

    def model_info(self) -> ModelInfo:
        return ModelInfo(name=PAYLOAD, quantization=PAYLOAD, context_length=4096)

    def pieces(self, prompt: str, params: GenerationParams, stop: list[str] | None,
               cancel: threading.Event | None) -> Iterable[Chunk]:
        return [Chunk(line) for line in ANSWER.splitlines(keepends=True)]


@pytest.fixture(scope="module")
def payload_url() -> Iterator[str]:
    with serve(ModelManager(engine="payload", model=SMALL_MODEL, public=False)) as (url, _):
        yield url


def assert_nothing_ran(page: Any) -> None:
    """No payload ran, no element carries a payload's handler, and our fragments hold no injected element."""
    page.wait_for_timeout(1000)  # time for an injected <img onerror>, <svg onload> or <animate onbegin> to fire
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert page.locator("[onerror], [onload], [onbegin], iframe[srcdoc]").count() == 0
    for fragment in FRAGMENTS:
        assert page.locator(f"{fragment} :is({INJECTED})").count() == 0, fragment


def test_payloads_in_the_answer_and_the_model_name_show_as_text(open_page: Any, payload_url: str) -> None:
    page = open_page(payload_url)
    page.locator("#tab-simplify-button").click()
    fill_code(page, "simplify-code", f"s = '{PAYLOAD}'\n")  # and one typed in by the user
    choose(page, "simplify-source", "python")
    page.click("#simplify-generate")
    assert wait_finished(page, "simplify").startswith("Done:")
    assert_nothing_ran(page)
    for where in ("#simplify-output", "#simplify-explanation", "#simplify-diff", "#model-card"):
        assert PAYLOAD in page.locator(where).text_content(), where
    lint = page.locator("#simplify-lint").text_content()
    assert "undefined name '<script>window.__xss=1</script><img src=x onerror=" in lint
    assert page.locator("#simplify-lint td").count() > 0  # the cells FRAGMENTS checks exist
    page.locator("#tab-complete-button").click()  # its note names the model (tabs render when opened)
    assert PAYLOAD in page.locator("#complete-fim-note").text_content()
    assert_nothing_ran(page)


def test_payload_in_an_error_message_shows_as_text(open_page: Any, payload_url: str) -> None:
    page = open_page(payload_url)
    page.locator("#tab-simplify-button").click()
    fill_code(page, "simplify-code", "x = 1\n")
    choose(page, "simplify-source", PAYLOAD)  # an unknown language, named in the error and its toast
    page.click("#simplify-generate")
    page.wait_for_selector("#simplify-message .pg-error", timeout=60_000)
    toast = page.get_by_test_id("toast-body").first
    toast.wait_for(timeout=30_000)
    shown = PAYLOAD[:40]  # the message quotes a language name up to 40 characters: '<script>…<img src=…'
    assert "<script>" in shown and "Unknown language" in toast.text_content() and shown in toast.text_content()
    assert_nothing_ran(page)
    message = page.locator("#simplify-message").text_content()
    assert "Unknown language" in message and shown in message
