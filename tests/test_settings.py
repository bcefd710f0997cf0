"""The one settings object: read from PLAYGROUND_* variables, bad values named, the docs table current."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.params import Policy
from playground.settings import Settings, SettingsError, load_settings, reload_settings, with_table

DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_the_configuration_doc_lists_every_setting_as_the_code_defines_it() -> None:
    text = DOC.read_text("utf-8")
    assert with_table(text) == text, "docs/configuration.md is out of date: run `make docs`"
    for name in Settings.model_fields:
        assert name.upper() in text


def test_variables_are_read_with_their_types(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYGROUND_THREADS", "3")
    monkeypatch.setenv("PLAYGROUND_PUBLIC", "off")
    monkeypatch.setenv("PLAYGROUND_ALLOWED_MODELS", " a.gguf, ,hf:o/r/f.gguf ")
    settings = reload_settings()
    assert settings.threads == 3 and settings.thread_count == 3 and settings.is_public is False
    assert settings.allowed_model_list == ["a.gguf", "hf:o/r/f.gguf"]
    assert load_settings(threads=5).threads == 5  # arguments win
    monkeypatch.setenv("PLAYGROUND_POLICY", "mixed")
    assert reload_settings().policy is Policy.MIXED and reload_settings().policy == "mixed"


def test_the_front_ends_default_to_a_budget_that_repairs() -> None:
    """Up to 3 answers, a failed one repaired from what failed (the evaluation's choice, docs/checks.md)."""
    assert (Settings.model_fields["candidates"].default, Settings.model_fields["policy"].default) == (3, Policy.REPAIR)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PLAYGROUND_THREADS", "many", "PLAYGROUND_THREADS='many': Input should be a valid integer"),
    ("PLAYGROUND_N_CTX", "10", "PLAYGROUND_N_CTX='10': Input should be greater than or equal to 256"),
    ("PLAYGROUND_PUBLIC", "maybe", "PLAYGROUND_PUBLIC='maybe': Input should be a valid boolean"),
    ("PLAYGROUND_POLICY", "twice", "PLAYGROUND_POLICY='twice': Input should be 'fresh', 'repair' or 'mixed'"),
])
def test_a_bad_value_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                                     message: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")) as err:
        reload_settings()
    assert "docs/configuration.md" in str(err.value)


def test_the_api_key_stays_out_of_reprs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYGROUND_OPENAI_API_KEY", "sk-very-secret")
    settings = reload_settings()
    assert "sk-very-secret" not in repr(settings) + str(settings)
    assert settings.openai_api_key.get_secret_value() == "sk-very-secret"


def test_the_openai_packages_variables_are_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    from playground.engines.openai_http import ServerSettings

    monkeypatch.setenv("OPENAI_BASE_URL", "http://10.1.2.3:9000/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-openai")
    settings = reload_settings()
    assert settings.openai_base_url == "http://10.1.2.3:9000/v1"
    assert settings.openai_api_key.get_secret_value() == "sk-from-openai"
    assert settings.source("openai_base_url") == "OPENAI_BASE_URL"
    resolved = ServerSettings.resolve("default")
    assert resolved.origin == "URL from OPENAI_BASE_URL; key from OPENAI_API_KEY"
    assert "sk-from-openai" not in repr(resolved) + repr(settings)

    monkeypatch.setenv("PLAYGROUND_OPENAI_BASE_URL", "http://127.0.0.1:8081")  # the playground's own name wins
    settings = reload_settings()
    assert settings.openai_base_url == "http://127.0.0.1:8081"
    assert settings.source("openai_base_url") == "PLAYGROUND_OPENAI_BASE_URL"
    assert ServerSettings.resolve("default", api_key="sk-arg").origin == (
        "URL from PLAYGROUND_OPENAI_BASE_URL; key from an argument")

    monkeypatch.delenv("OPENAI_BASE_URL")
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.delenv("PLAYGROUND_OPENAI_BASE_URL")
    settings = reload_settings()
    assert settings.openai_base_url == "http://127.0.0.1:8080/v1" and settings.source("openai_base_url") == ""
    assert ServerSettings.resolve("default").origin == ""


def test_llama_server_gets_the_environment_without_llama_cpp_pythons_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    """GGML_BACKEND_PATH names llama-cpp-python's CPU kernels: llama-server (another llama.cpp) must not load them,
    whether the user set it or the engine exported it with os.putenv (which os.environ does not see)."""
    from playground.settings import process_environment

    monkeypatch.setenv("GGML_BACKEND_PATH", "/somewhere/libggml-cpu-haswell.so")
    monkeypatch.setenv("LLAMA_ARG_REPACK", "0")
    environment = process_environment()
    assert "GGML_BACKEND_PATH" not in environment and environment["LLAMA_ARG_REPACK"] == "0"
