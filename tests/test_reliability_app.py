"""Bad input, extreme settings, caps, public mode and the API key, through the running web app (HTTP).

The gradio_client tests go through the public API; `call_raw` posts to Gradio's queue by function
index, as the page does, to reach handlers the client libraries refuse ("private" ones) and to send
JSON the client cannot (a lone surrogate). Real Gradio servers on loopback, the bundled model; the
echo engine only where the test needs to choose what the "model" writes.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from playground.catalog import SMALL_MODEL
from playground.settings import get_settings
from playground.web.manager import BUNDLED, ModelManager, spec_label
from tests import fakes  # noqa: F401 (registers the "echo" engine)
from tests.browser import client, serve
from tests.fake_hub import FakeHub
from tests.helpers import bundled_model_path
from tests.llama_server import LlamaServer

pytestmark = pytest.mark.model  # every test here loads a real model (or runs the app on one)

SHORT = {"temperature": 0.0, "top_p": 0.95, "top_k": 40, "max_tokens": 12, "repeat_penalty": 1.1, "seed": 1,
         "candidates": 1, "policy": "fresh"}
SIMPLE = "def double(x):\n    return x * 2\n"


def fn_index(url: str, api_name: str) -> int:
    """The id of an event handler in the page's config (what the browser sends to run it)."""
    config = httpx.get(url + "config", timeout=30).json()
    return cast(int, next(d["id"] for d in config["dependencies"] if d.get("api_name") == api_name))  # JSON: Any


def call_raw(url: str, api_name: str, data: list[Any]) -> dict[str, Any]:
    """Run a handler as the page does (queue/join, then read the event stream); its final output."""
    session = uuid.uuid4().hex
    body = json.dumps({"data": data, "fn_index": fn_index(url, api_name), "session_hash": session,
                       "event_data": None, "trigger_id": None})  # ensure_ascii: \ud800 stays an escape
    joined = httpx.post(url + "gradio_api/queue/join", content=body, timeout=30,
                        headers={"content-type": "application/json"})
    joined.raise_for_status()
    with httpx.stream("GET", url + "gradio_api/queue/data", params={"session_hash": session},
                      timeout=300) as events:
        for line in events.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return cast(dict[str, Any], message["output"])  # JSON: Any
    raise AssertionError("the event stream ended without a result")


def simplify_args(**change: Any) -> dict[str, Any]:
    return {"code": SIMPLE, "source_language": "python", **SHORT, **change}


def assert_next_request_works(url: str) -> None:
    result = client(url).predict(**simplify_args(), api_name="/simplify")[0]
    assert result["done"] and not result["error"] and result["stats"]["completion_tokens"] > 0


@pytest.mark.parametrize(("task", "change", "expected"), [
    ("simplify", {"code": "x = 1\n" * 180_000}, "limit is 100,000"),  # about 1 MB
    ("simplify", {"code": "s = '" + "a" * 99_990 + "'\n"}, "too long for this model"),  # one 100 KB line
    ("simplify", {"code": "print('a')\x00\x00\n"}, "NUL bytes"),
    ("debug", {"error_message": "E" * 1_000_000}, "The error message has 1,000,000 characters"),
    ("complete", {"suffix": "x = 1\n" * 100_000}, "The code after the cursor has 600,000 characters"),
    ("complete", {"code": "   \n", "suffix": "    return x\n"}, "code box is empty"),
    ("translate", {"target_language": "klingon"}, "Unknown language 'klingon'"),
    ("simplify", {"source_language": "cobol-2090"}, "Unknown language 'cobol-2090'"),
])
def test_bad_input_is_a_message_and_the_next_request_works(model_url: str, task: str, change: dict[str, str],
                                                          expected: str) -> None:
    extra = {"translate": {"target_language": "rust"}, "debug": {"error_message": ""},
             "complete": {"suffix": ""}}.get(task, {})
    result, *_, message = client(model_url).predict(**{**simplify_args(), **extra, **change},
                                                          api_name=f"/{task}")
    assert expected in result["error"] and 'class="pg-error"' in message
    assert "Traceback" not in message and "Unexpected error" not in message
    assert_next_request_works(model_url)


def test_lone_surrogate_from_json_is_a_clear_message(model_url: str) -> None:
    # JSON may carry "\ud800", which no engine can tokenize (it used to end as "Unexpected error").
    values = ["x = '\ud800'\n", "python", "", *SHORT.values()]  # code, language, tests, sampling
    output = call_raw(model_url, "simplify", values)
    result, message = output["data"][0], output["data"][4]
    assert "not valid text" in result["error"] and "Unexpected error" not in message
    assert_next_request_works(model_url)


@pytest.mark.parametrize("change", [
    {"code": "s = '\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \U0001f600\U0001f680'\nprint(s)\n"},
    {"code": "x = 1\x07\x1b[31m\x7f\n"},  # control characters other than NUL are text
    {"source_language": "rust"},  # Python code said to be Rust: the user's choice is used
    {"temperature": 2.0, "top_k": 0, "top_p": 1.0, "repeat_penalty": 2.0},
    {"max_tokens": 1},
])
def test_unusual_but_valid_requests_get_an_answer(model_url: str, change: dict[str, Any]) -> None:
    result = client(model_url).predict(**simplify_args(**change), api_name="/simplify")[0]
    assert result["done"] and not result["error"]
    assert 0 < result["stats"]["completion_tokens"] <= change.get("max_tokens", SHORT["max_tokens"])
    assert result["language"] == change.get("source_language", "python")


@pytest.mark.parametrize(("change", "expected"), [
    ({"max_tokens": 0}, "less than minimum value 1"),
    ({"max_tokens": 10**9}, "greater than maximum value 2048"),
    ({"top_k": -1}, "less than minimum value 0"),
    ({"temperature": 1e6}, "greater than maximum value 2"),
])
def test_settings_beyond_the_sliders_are_refused_by_the_server(model_url: str, change: dict[str, float],
                                                              expected: str) -> None:
    with pytest.raises(Exception, match=expected):
        client(model_url).predict(**simplify_args(**change), api_name="/simplify")
    assert_next_request_works(model_url)


def test_settings_the_sliders_pass_but_the_params_refuse_are_a_message(model_url: str) -> None:
    result, *_, message = client(model_url).predict(**simplify_args(max_tokens=1.5), api_name="/simplify")
    assert "max_tokens" in result["error"] and "Invalid generation settings" in message
    assert_next_request_works(model_url)


def test_generated_code_is_never_run_by_the_server(tmp_path: Path) -> None:
    marker = tmp_path / "ran.txt"
    code = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\nprint(undefined_name)\n"
    with serve(ModelManager(engine="echo", model=SMALL_MODEL, public=False)) as (url, _):
        app = client(url)
        for task, extra in (("simplify", {}), ("debug", {"error_message": ""})):
            result = app.predict(code=code, source_language="python", **extra, api_name=f"/{task}")[0]
            assert result["done"] and "write_text('ran')" in result["code"]  # the echo engine wrote it back
            assert any("undefined_name" in finding["message"] for finding in result["lint"])  # linted, not run
    assert not marker.exists()


@pytest.fixture(scope="module")
def public_app() -> Iterator[tuple[str, ModelManager]]:
    manager = ModelManager(engine="llama-cpp", model=SMALL_MODEL, public=True, allowed=[])
    with serve(manager) as (url, _):
        yield url, manager


NOT_LISTED = "not in the list of choices"


@pytest.mark.parametrize(("form", "expected"), [
    # Gradio itself refuses a model that is not one of the dropdown's choices...
    (["local", str(bundled_model_path()), "", "", "llama-cpp", str(bundled_model_path()), ""], NOT_LISTED),
    (["hub", "", "someone/else", "model.gguf", "llama-cpp", "hf:someone/else/model.gguf", ""], NOT_LISTED),
    # ...the handler refuses another engine (all engines are choices of the hidden engine dropdown)...
    (["named", "", "", "", "openai", BUNDLED, ""], "This public app cannot switch engines"),
    # ...and ignores the hidden path and Hub fields: only the listed model is loaded.
    (["local", "/etc/passwd", "someone/else", "model.gguf", "llama-cpp", BUNDLED, ""], "Loaded SmolLM2"),
])
def test_public_mode_refuses_other_models_and_engines_over_http(public_app: tuple[str, ModelManager],
                                                               form: list[str], expected: str) -> None:
    url, manager = public_app
    before = manager.engine()
    output = json.dumps(call_raw(url, "load_model", form))
    assert expected in output
    assert manager.engine() is before and manager.spec == BUNDLED and manager.engine_name == "llama-cpp"


def test_public_mode_offers_a_fixed_list_and_still_answers(public_app: tuple[str, ModelManager]) -> None:
    url, _ = public_app
    config = httpx.get(url + "config", timeout=30).json()
    listed = [c["props"]["choices"] for c in config["components"]
              if c.get("props", {}).get("label") == "Model" and c.get("type") == "dropdown"]
    assert listed == [[[spec_label(BUNDLED), BUNDLED]]] and "SmolLM2" in listed[0][0][0]
    assert_next_request_works(url)


def test_a_locked_app_switches_models_over_http_only_with_the_admin_token() -> None:
    """A shared instance: a request made by hand, as the page makes it, needs the token too."""
    token = "teacher-only-51"
    manager = ModelManager(engine="llama-cpp", model=SMALL_MODEL, public=False, locked=True, admin_token=token)
    with serve(manager) as (url, _):
        before = manager.engine()
        assert token not in httpx.get(url + "config", timeout=30).text  # never sent to a browser
        for guess in ("", "teacher-only-5", None):
            form = ["local", "/etc/passwd", "", "", "llama-cpp", BUNDLED, guess]
            said = "That is not the admin token" if guess else "Enter the admin token"
            assert said in json.dumps(call_raw(url, "load_model", form))
            assert manager.engine() is before and manager.spec == SMALL_MODEL
        form = ["local", str(bundled_model_path()), "", "", "llama-cpp", BUNDLED, token]
        assert "Loaded SmolLM2" in json.dumps(call_raw(url, "load_model", form))
        assert manager.spec == str(bundled_model_path())  # switched: by path this time
        assert_next_request_works(url)


@pytest.mark.parametrize(("fault", "expected"), [("cut", "the download resumes"), ("down", "cannot be reached")])
def test_hub_failing_during_a_model_switch_keeps_the_previous_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                                    fault: str, expected: str) -> None:
    import huggingface_hub.constants as hc

    with FakeHub({"teacher/tiny-coder-GGUF/tiny-coder.Q4_1.gguf": bundled_model_path()}) as hub:
        endpoint = hub.url if fault == "cut" else "http://127.0.0.1:9"  # a closed port: the network is down
        hub.cut_after = 5_000_000
        monkeypatch.setattr(hc, "ENDPOINT", endpoint)
        monkeypatch.setattr(hc, "HUGGINGFACE_CO_URL_TEMPLATE", endpoint + "/{repo_id}/resolve/{revision}/{filename}")
        monkeypatch.setattr(hc, "HF_HUB_OFFLINE", False)
        monkeypatch.setattr(hc, "HF_HUB_CACHE", str(tmp_path / "cache"))
        monkeypatch.setattr(hc, "HF_HUB_DISABLE_XET", True, raising=False)
        manager = ModelManager(engine="llama-cpp", model=SMALL_MODEL, public=False)
        with serve(manager) as (url, _):
            before = manager.engine()
            form = ["hub", "", "teacher/tiny-coder-GGUF", "tiny-coder.Q4_1.gguf", "llama-cpp", BUNDLED, ""]
            status = json.dumps(call_raw(url, "load_model", form))
            assert "Could not download" in status and expected in status and "previous model is still loaded" in status
            assert manager.engine() is before and manager.spec == BUNDLED
            assert_next_request_works(url)
    assert list((tmp_path / "cache").rglob("*.gguf")) == []


KEY = "sk-reliability-9f8e7d6c5b4a-secret"


@pytest.mark.server
def test_openai_api_key_never_reaches_the_browser_or_the_logs(monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture,
                                                              capfd: pytest.CaptureFixture[str]) -> None:

    caplog.set_level(logging.DEBUG)
    with LlamaServer("--api_key", KEY) as server:
        monkeypatch.setenv("PLAYGROUND_OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("PLAYGROUND_OPENAI_API_KEY", KEY)
        get_settings.cache_clear()  # starting the server read the settings (the model cache): read them anew
        # "default": the server's first model (for the openai engine a model is the server's name for it).
        with serve(ModelManager(engine="openai", model="default", public=False)) as (url, _):
            sent = [httpx.get(url + page, timeout=30).text for page in ("", "config", "gradio_api/info")]
            sent.append(json.dumps(call_raw(url, "show_model", [])))  # the model panel, as on page load
            app = client(url)
            sent.append(json.dumps(app.view_api(return_format="dict", print_info=False)))
            result = app.predict(**simplify_args(), api_name="/simplify")
            assert result[0]["done"] and not result[0]["error"] and result[0]["engine"] == "openai"
            sent.append(json.dumps(result))
            refused = app.predict(**simplify_args(code="x = 1\n" * 2000), api_name="/simplify")
            assert refused[0]["error"]  # an error path, too
            sent.append(json.dumps(refused))
    assert "openai" in sent[3] and KEY not in "".join(sent)
    captured = capfd.readouterr()
    assert KEY not in caplog.text and KEY not in captured.out and KEY not in captured.err
