"""Shared fixtures: the real bundled model, loaded once per test session, and one real Chromium."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

from playground.catalog import SMALL_MODEL
from playground.engines import Engine, load_engine
from playground.params import GenerationParams
from playground.settings import get_settings

# The openai package's variables are fallbacks for the playground's own: a developer's key must not
# reach the tests (or the apps and servers they start).
for _name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
    os.environ.pop(_name, None)
# Mechanics tests run on the small, fast SmolLM2 (the apps and CLIs they start in subprocesses too); the
# default code model (Qwen2.5-Coder-1.5B) is asked for by name in its own smoke tests (test_default_model.py).
os.environ["PLAYGROUND_MODEL"] = SMALL_MODEL
# and answer once per request, as a mechanics test expects: the default budget (up to 3 answers, repair) is
# tested where it is the subject (test_settings.py, test_repair_rounds.py, test_browser_page.py's rounds), not
# paid for by every page test (SmolLM2 fails most checks, so each Generate would make three answers).
os.environ["PLAYGROUND_CANDIDATES"] = "1"
# The class record of every app and CLI the tests start goes to a folder of this test session, not to the
# developer's data folder (tests of the record give their own database).
os.environ["PLAYGROUND_DATA_DIR"] = tempfile.mkdtemp(prefix="playground-test-data-")


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Each test reads the environment anew (a test's monkeypatched PLAYGROUND_* variable is seen, then gone)."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The llama-cpp engine on the small bundled SmolLM2 model (shared, like the app does)."""
    return load_engine("llama-cpp", SMALL_MODEL)


@pytest.fixture
def greedy() -> GenerationParams:
    """Deterministic settings: temperature 0, fixed seed, short answers."""
    return GenerationParams(temperature=0.0, seed=1234, max_tokens=96)


# Fixtures that load the model, start a server or a browser: a test using one is not in the fast tier.
SLOW_FIXTURES = {"engine", "browser", "open_page", "model_url", "server", "remote", "echo_url", "payload_url"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` what needs the model, a server or a browser (`make test-fast` runs the rest)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & SLOW_FIXTURES or any(item.get_closest_marker(m) for m in ("browser", "server", "model", "sandbox")):
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens", action="store_true", default=False,
        help="rewrite tests/golden/ from the current output instead of comparing",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to refresh golden files."""
    return bool(request.config.getoption("--update-goldens"))


# ---------------------------------------------------------------- real browser (one Chromium per test session)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, ensure_chromium

    reason = ensure_chromium()
    if reason:
        pytest.skip(f"no Chromium for the browser tests: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """open_page(url) -> a loaded page in its own browser context (its own Gradio session)."""
    contexts = []

    def open_(url: str) -> Any:
        context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                      permissions=["clipboard-read", "clipboard-write"])
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("#model-card table", timeout=60_000)  # the model is loaded and shown
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def model_url() -> Iterator[str]:
    """The app on the bundled model, served on loopback for one test module."""
    from playground.web import ModelManager
    from tests.browser import serve

    with serve(ModelManager(engine="llama-cpp", model=SMALL_MODEL, public=False)) as (url, _):
        yield url
