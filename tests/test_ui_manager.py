"""The web app's model manager (bundled model, local paths, failures, public mode) and its run registry."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import playground
from playground.catalog import SMALL_MODEL
from playground.errors import ModelError
from playground.models import bundled_model_path
from playground.settings import load_settings
from playground.web.manager import BUNDLED, ModelManager, hub_spec, model_spec
from playground.web.sessions import Runs
from tests import fakes  # noqa: F401 (registers the "echo" engine)

QWEN = "hf:Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"


@pytest.mark.parametrize(("env", "public"), [
    ({}, False),
    ({"SPACE_ID": "someone/code-playground"}, True),
    ({"SPACE_ID": "someone/code-playground", "PLAYGROUND_PUBLIC": "0"}, False),
    ({"PLAYGROUND_PUBLIC": "1"}, True),
    ({"PLAYGROUND_PUBLIC": "yes"}, True),
    ({"PLAYGROUND_PUBLIC": "off"}, False),
])
def test_public_mode_from_environment(env: dict[str, str], public: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SPACE_ID", "PLAYGROUND_PUBLIC"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert load_settings().is_public is public
    assert ModelManager(engine="echo").public is public


def test_hub_and_form_specs() -> None:
    assert hub_spec(" Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF ", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf") == QWEN
    assert model_spec("named", choice=BUNDLED) == BUNDLED and model_spec("named") == "default"
    assert model_spec("local", " /models/a.gguf ") == "/models/a.gguf"
    for bad in (("not a repo", "a.gguf"), ("owner/repo", "README.md"), ("owner/repo/extra", "a.gguf")):
        with pytest.raises(ModelError):
            hub_spec(*bad)
    with pytest.raises(ModelError, match="path"):
        model_spec("local", "  ")


@pytest.mark.model
def test_card_of_the_bundled_model() -> None:
    card = ModelManager(engine="llama-cpp", model=SMALL_MODEL, public=False).card()
    assert "SmolLM2" in card.name and card.engine == "llama-cpp"
    assert card.quantization == "Q4_1" and card.size_bytes > 50_000_000
    assert card.context_size == 4096 and card.fim is False


@pytest.mark.model
def test_failed_switch_keeps_the_previous_model_working(tmp_path: Path, greedy) -> None:
    manager = ModelManager(engine="llama-cpp", model=SMALL_MODEL, public=False)
    before = manager.engine()
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)
    for spec in (str(tmp_path / "missing.gguf"), str(broken)):
        with pytest.raises(ModelError):
            manager.switch(spec)
        assert manager.engine() is before and manager.spec == SMALL_MODEL
    result = playground.run("simplify", "x = 1\n", language="python", params=greedy, engine=manager.engine())
    assert result.done and result.stats.completion_tokens > 0


@pytest.mark.model
def test_switch_to_a_local_file_loads_it(greedy) -> None:
    manager = ModelManager(engine="llama-cpp", model=SMALL_MODEL, public=False)
    first = manager.engine()
    path = str(bundled_model_path())
    card = manager.switch(path)
    assert manager.spec == path and card.name == Path(path).name
    assert manager.engine() is first  # the same file by name or by path: loaded once, shared
    result = playground.run("complete", "def square(x):\n", language="python", params=greedy,
                            engine=manager.engine())
    assert result.done and result.code.startswith("def square(x):")


@pytest.mark.model
def test_public_mode_refuses_local_paths_other_repos_and_engines() -> None:
    manager = ModelManager(engine="llama-cpp", model=SMALL_MODEL, public=True, allowed=[QWEN])
    for spec, engine in ((str(bundled_model_path()), None), ("hf:someone/else/model.gguf", None),
                         (BUNDLED, "openai")):
        with pytest.raises(ModelError, match="public app"):
            manager.switch(spec, engine)
    manager.check_allowed(QWEN, "llama-cpp")  # listed models are allowed (not downloaded here)
    assert manager.allowed == [SMALL_MODEL, QWEN]


@pytest.mark.model
def test_unloadable_default_falls_back_to_the_bundled_model(tmp_path: Path) -> None:
    manager = ModelManager(engine="llama-cpp", model=str(tmp_path / "gone.gguf"), public=False)
    card = manager.card()
    assert "SmolLM2" in card.name and manager.spec == BUNDLED
    assert "could not be loaded" in card.notice and "gone.gguf" in card.notice


def test_runs_stop_waits_for_the_run_and_returns_its_last_state() -> None:
    runs = Runs()
    key = ("session", "translate")
    cancel = runs.start(key)
    assert runs.active() == 1

    def worker() -> None:
        cancel.wait(5)
        runs.finish(key, cancel, "final view")

    threading.Thread(target=worker).start()
    assert runs.stop(key) == (True, "final view")
    assert cancel.is_set() and runs.active() == 0
    assert runs.stop(key) == (False, None)


def test_runs_new_start_cancels_the_previous_run_of_the_same_tab() -> None:
    runs = Runs()
    first = runs.start(("s", "debug"))
    second = runs.start(("s", "debug"))
    assert first.is_set() and not second.is_set()
    runs.finish(("s", "debug"), first)  # the old run ending must not drop the new one
    assert runs.active() == 1
