"""The web app's model manager (bundled model, local paths, failures, public mode) and its run registry."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import playground
from playground.catalog import SMALL_MODEL
from playground.errors import ModelError
from playground.params import GenerationParams
from playground.settings import load_settings, reload_settings
from playground.web.manager import BUNDLED, ModelManager, hub_spec, model_spec
from playground.web.sessions import Runs
from tests import fakes  # noqa: F401 (registers the "echo" engine)
from tests.helpers import bundled_model_path

QWEN = "hf:Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"


def _environment(monkeypatch: pytest.MonkeyPatch, cleared: tuple[str, ...], env: dict[str, str]) -> None:
    """Exactly `env` among the variables `cleared` (and env's own)."""
    for name in cleared:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(("env", "public"), [
    ({}, False),
    ({"SPACE_ID": "someone/code-playground"}, True),
    ({"SPACE_ID": "someone/code-playground", "PLAYGROUND_PUBLIC": "0"}, False),
    ({"PLAYGROUND_PUBLIC": "1"}, True),
    ({"PLAYGROUND_PUBLIC": "yes"}, True),
    ({"PLAYGROUND_PUBLIC": "off"}, False),
])
def test_public_mode_from_environment(env: dict[str, str], public: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    _environment(monkeypatch, ("SPACE_ID", "PLAYGROUND_PUBLIC"), env)
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
def test_failed_switch_keeps_the_previous_model_working(tmp_path: Path, greedy: GenerationParams) -> None:
    manager = ModelManager(engine="llama-cpp", model=SMALL_MODEL, public=False)
    before = manager.engine()
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)
    for spec in (str(tmp_path / "missing.gguf"), str(broken)):
        with pytest.raises(ModelError):
            manager.switch(spec)
        assert manager.engine() is before and manager.spec == SMALL_MODEL
    result = playground.run("simplify", "x = 1\n", language="python", params=greedy, engine=manager.engine())
    assert result.status.finished and result.stats.completion_tokens > 0


@pytest.mark.model
def test_switch_to_a_local_file_loads_it(greedy: GenerationParams) -> None:
    manager = ModelManager(engine="llama-cpp", model=SMALL_MODEL, public=False)
    first = manager.engine()
    path = str(bundled_model_path())
    card = manager.switch(path)
    assert manager.spec == path and card.name == Path(path).name
    assert manager.engine() is first  # the same file by name or by path: loaded once, shared
    result = playground.run("complete", "def square(x):\n", language="python", params=greedy,
                            engine=manager.engine())
    assert result.status.finished and result.answer.code.startswith("def square(x):")


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


@pytest.mark.parametrize(("env", "locked"), [
    ({}, False),  # Gradio's default, loopback: one's own machine
    ({"GRADIO_SERVER_NAME": "localhost"}, False),
    ({"GRADIO_SERVER_NAME": "0.0.0.0"}, True),  # a class on the LAN
    ({"GRADIO_SERVER_NAME": "192.168.1.20"}, True),
    ({"GRADIO_SERVER_NAME": "0.0.0.0", "PLAYGROUND_LOCK_MODEL": "0"}, False),
    ({"PLAYGROUND_LOCK_MODEL": "1"}, True),
    ({"GRADIO_SERVER_NAME": "0.0.0.0", "SPACE_ID": "someone/code-playground"}, False),  # public mode's own rules
    ({"PLAYGROUND_ADMIN_TOKEN": "t"}, True),  # a token that is set is a lock, on one's own machine too
    ({"PLAYGROUND_ADMIN_TOKEN": "t", "PLAYGROUND_LOCK_MODEL": "0"}, False),
])
def test_model_switching_locks_when_the_app_is_shared(env: dict[str, str], locked: bool,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _environment(monkeypatch, ("GRADIO_SERVER_NAME", "PLAYGROUND_LOCK_MODEL", "SPACE_ID", "PLAYGROUND_PUBLIC",
                               "PLAYGROUND_ADMIN_TOKEN"), env)
    assert load_settings().is_locked is locked
    assert ModelManager(engine="echo").locked is locked


def test_a_locked_manager_switches_only_with_the_admin_token() -> None:
    manager = ModelManager(engine="echo", model=SMALL_MODEL, public=False, locked=True, admin_token="tea-ch3r")
    manager.engine()
    for wrong in ("", "  ", "tea-ch3", "tea-ch3r-", "TEA-CH3R"):
        with pytest.raises(ModelError, match="Enter the admin token" if not wrong.strip() else
                           "not the admin token") as caught:
            manager.switch(BUNDLED, token=wrong)
        assert "tea-ch3r" not in str(caught.value)  # the token itself is never in a message
    assert manager.switch(BUNDLED, token=" tea-ch3r ").name == "echo"  # pasted with spaces around it
    nobody = ModelManager(engine="echo", model=SMALL_MODEL, public=False, locked=True, admin_token="")
    assert not nobody.can_unlock and "PLAYGROUND_ADMIN_TOKEN" in nobody.lock_reason
    with pytest.raises(ModelError, match="shared over the network"):
        nobody.switch(BUNDLED, token="anything")
    free = ModelManager(engine="echo", model=SMALL_MODEL, public=False, locked=False)
    assert free.lock_reason == "" and free.switch(BUNDLED).name == "echo"  # one's own machine: no token


def test_a_token_that_is_set_is_a_lock_and_the_lock_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    _environment(monkeypatch, ("GRADIO_SERVER_NAME", "PLAYGROUND_LOCK_MODEL", "SPACE_ID", "PLAYGROUND_PUBLIC",
                               "PLAYGROUND_ADMIN_TOKEN"), {"PLAYGROUND_ADMIN_TOKEN": "tea-ch3r"})
    manager = ModelManager(engine="echo", model=SMALL_MODEL)  # on loopback
    manager.engine()
    assert manager.locked and manager.lock_reason.startswith("An admin token is set (PLAYGROUND_ADMIN_TOKEN)")
    with pytest.raises(ModelError, match="Enter the admin token"):
        manager.switch(BUNDLED)
    assert manager.switch(BUNDLED, token="tea-ch3r").name == "echo"
    monkeypatch.setenv("PLAYGROUND_LOCK_MODEL", "1")
    monkeypatch.delenv("PLAYGROUND_ADMIN_TOKEN")
    reload_settings()
    assert "PLAYGROUND_LOCK_MODEL=1" in ModelManager(engine="echo", model=SMALL_MODEL).lock_reason


def test_the_engine_list_says_what_each_engine_loads() -> None:
    from playground.engines import engine_choices

    labels = dict((name, label) for label, name in engine_choices())
    assert labels["ctransformers"].startswith("ctransformers: old GGML files only")
    assert "GGUF" in labels["llama-cpp"] and "GGUF" in labels["llama-server"] and "server" in labels["openai"]
    assert labels["echo"] == "echo"  # an add-on without a description is listed by name


def test_the_speed_measured_here_is_the_models_own() -> None:
    """The header's median counts the answers of the model in use, not those of the one before it."""
    from playground.result import Stats
    from playground.web.manager import Speeds

    speeds = Speeds()
    assert speeds.median("llama-cpp", "a.gguf") is None
    for rate in (20.0, 24.0, 22.0):
        speeds.add("llama-cpp", "a.gguf", Stats(completion_tokens=40, tokens_per_s=rate))
    speeds.add("llama-cpp", "a.gguf", Stats(completion_tokens=3, tokens_per_s=900.0))  # too short to time
    assert speeds.median("llama-cpp", "a.gguf") == (22.0, 3)
    assert speeds.median("llama-cpp", "b.gguf") is None  # another model: not measured yet
    speeds.add("llama-server", "a.gguf", Stats(completion_tokens=40, tokens_per_s=30.0))
    assert speeds.median("llama-server", "a.gguf") == (30.0, 1) and speeds.median("llama-cpp", "a.gguf") is None
