"""Shared fixtures: the real bundled model, loaded once per test session."""

from __future__ import annotations

import pytest

from playground.engines import Engine, load_engine
from playground.params import GenerationParams


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The default llama-cpp engine on the bundled SmolLM2 model (shared, like the app does)."""
    return load_engine("llama-cpp", "default")


@pytest.fixture
def greedy() -> GenerationParams:
    """Deterministic settings: temperature 0, fixed seed, short answers."""
    return GenerationParams(temperature=0.0, seed=1234, max_tokens=96)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens", action="store_true", default=False,
        help="rewrite tests/golden/ from the current output instead of comparing",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to refresh golden files."""
    return bool(request.config.getoption("--update-goldens"))
