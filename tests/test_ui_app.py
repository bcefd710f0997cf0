"""The web app over HTTP with gradio_client: each api_name, streaming, errors, Stop, the queue.

Two real Gradio servers on loopback: one on the bundled model (behaviour), one on the echo
engine (wiring that needs a slow or failing engine).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from gradio_client.utils import Status

from playground.catalog import SMALL_MODEL
from playground.engines import load_engine, register_engine
from playground.engines.llama_cpp import LlamaCppEngine
from playground.tasks import get_task
from playground.tasks.examples import load_examples
from playground.web.manager import ModelManager
from tests.browser import client, serve
from tests.fakes import Wrapped  # also registers the "echo" engine

pytestmark = pytest.mark.model  # every test here loads a real model (or runs the app on one)

SAMPLING = {"temperature": 0.0, "top_p": 0.95, "top_k": 40, "max_tokens": 48, "repeat_penalty": 1.1, "seed": 1234,
            "candidates": 1, "policy": "fresh"}
EXTRA = {"translate": "target_language", "debug": "error_message", "complete": "suffix"}


@register_engine("dying-llama")
class DyingLlama(Wrapped):
    """The real bundled model, whose stream fails after a few tokens (an engine dying mid-answer)."""

    real_engine: Any = None  # set by the test: load_engine cannot be called while it is loading this one

    def __init__(self, model: str | None = None, after: int = 6) -> None:
        super().__init__(self.real_engine, fail_after=after)
        self.name = "dying-llama"


def example_args(task: str, **sampling: Any) -> dict[str, Any]:
    """Keyword arguments for a task's endpoint, from its first example."""
    example = load_examples(task)[0]
    args: dict[str, Any] = {"code": example.code, "source_language": example.language, "tests": example.tests,
                            **SAMPLING, **sampling}
    if task in EXTRA:
        args[EXTRA[task]] = {"translate": example.target, "debug": example.error, "complete": example.suffix}[task]
    return args


def test_each_tab_has_its_api_name_beside_the_typed_tools(model_url: str) -> None:
    endpoints = client(model_url).view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert {"/translate", "/simplify", "/debug", "/complete"} <= set(endpoints)
    params = [p["parameter_name"] for p in endpoints["/translate"]["parameters"]]
    assert params[:3] == ["code", "source_language", "target_language"] and "temperature" in params
    assert not any("stop" in name or "load" in name for name in endpoints if name != "/load_example")
    assert {"/translate_code", "/simplify_code", "/debug_code", "/complete_code", "/check_code"} <= set(endpoints)
    params = [p["parameter_name"] for p in endpoints["/translate_code"]["parameters"]]
    assert params == ["code", "target_language", "source_language", "tests", "candidates", "max_tokens", "policy"]
    record = json.loads(client(model_url).predict(code="def f(x):\n    return x\n", tests="assert f(1) == 1",
                                                  api_name="/check_code"))
    assert record["verdict"] == "pass" and record["passed"] == record["total"] == 1  # the assert ran and held


@pytest.mark.parametrize("task", ["translate", "simplify", "debug", "complete"])
def test_api_call_with_the_bundled_model(model_url: str, task: str) -> None:
    result, code_html, _, stats, message = client(model_url).predict(**example_args(task), api_name=f"/{task}")
    assert result["done"] and not result["error"] and result["code"].strip()
    assert result["stats"]["completion_tokens"] > 0 and result["model"].startswith("SmolLM2")
    assert '<div class="highlight">' in code_html and "<span" in code_html
    assert stats.startswith("Done:") and result["prompt"] and "pg-error" not in message
    assert isinstance(result["lint"], list) and set(result) >= {"explanation", "language", "notice", "stopped"}
    assert (result["lint_note"] is None) == (result["language"] == "python")  # None: pyflakes ran


def test_readme_call_with_default_settings_and_auto_language(model_url: str) -> None:
    code = load_examples("simplify")[0].code
    result, *rest = client(model_url).predict(code=code, source_language="auto", api_name="/simplify")
    assert len(rest) == 4 and result["done"] and result["language"] == "python" and result["code"].strip()


def test_streaming_client_sees_growing_answers(model_url: str) -> None:
    job = client(model_url).submit(**example_args("translate", max_tokens=64), api_name="/translate")
    tokens = [update[0]["stats"]["completion_tokens"] for update in job if update[0]]
    assert len(tokens) >= 3, "the answer should arrive in several updates"
    assert tokens == sorted(tokens) and tokens[-1] == job.outputs()[-1][0]["stats"]["completion_tokens"]
    assert job.outputs()[-1][0]["done"]


@pytest.mark.parametrize(("change", "expected"), [
    ({"code": "   "}, "code box is empty"),
    ({"source_language": "klingon"}, "Unknown language 'klingon'"),
    ({"code": "x = 1\n" * 6000}, "too long for this model"),
])

def test_errors_are_messages_and_the_app_stays_usable(model_url: str, change: dict[str, str], expected: str) -> None:
    app = client(model_url)
    result, *_, message = app.predict(**{**example_args("simplify"), **change}, api_name="/simplify")
    assert expected in result["error"] and expected.split("'")[0] in message
    assert "Traceback" not in message and 'class="pg-error"' in message
    again = app.predict(**example_args("simplify"), api_name="/simplify")[0]
    assert again["done"] and not again["error"]


def test_out_of_range_settings_are_refused_with_the_bounds(model_url: str) -> None:
    app = client(model_url)
    with pytest.raises(Exception, match="greater than maximum value 2"):
        app.predict(**example_args("simplify", temperature=5.0), api_name="/simplify")
    assert app.predict(**example_args("simplify"), api_name="/simplify")[0]["done"]


def test_engine_dying_mid_stream_keeps_the_partial_answer() -> None:
    DyingLlama.real_engine = load_engine("llama-cpp", SMALL_MODEL)
    with serve(ModelManager(engine="dying-llama", model=SMALL_MODEL, public=False)) as (url, _):
        result, code_html, *_, message = client(url).predict(**example_args("translate"), api_name="/translate")
    assert "engine failed" in result["error"] and "crashed" in message
    assert result["stats"]["completion_tokens"] == 6 and result["code"].strip()
    assert '<div class="highlight">' in code_html


def test_cancel_frees_the_model_for_the_next_request(model_url: str) -> None:
    engine = load_engine("llama-cpp", SMALL_MODEL)
    assert isinstance(engine, LlamaCppEngine)  # load_engine() says Engine; wait_idle() is this class's own
    app = client(model_url)
    job = app.submit(**example_args("translate", max_tokens=400, temperature=1.0), api_name="/translate")
    for update in job:
        if update[0] and update[0]["stats"]["completion_tokens"] >= 3:
            break
    job.cancel()
    assert engine.wait_idle(30), "the generation should end soon after cancel"
    assert app.predict(**example_args("simplify"), api_name="/simplify")[0]["done"]


def test_one_generation_at_a_time_and_the_second_is_queued(model_url: str) -> None:
    jobs = [client(model_url).submit(**example_args("complete", max_tokens=40), api_name="/complete")
            for _ in range(2)]
    spans: list[list[float]] = [[], []]
    queued = threading.Event()

    def watch(i: int) -> None:  # when each update bringing new tokens arrived
        # Only new tokens: the checks' updates after the last token repeat the count, and they may arrive after
        # the model, free again, has started the other generation.
        seen = 0
        for update in jobs[i]:
            count = (update[0] or {}).get("stats", {}).get("completion_tokens") or 0
            if count > seen:
                seen = count
                spans[i].append(time.monotonic())

    threads = [threading.Thread(target=watch, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        if any(j.status().code is Status.IN_QUEUE and j.status().rank is not None for j in jobs):
            queued.set()
        time.sleep(0.01)
    assert all(j.outputs()[-1][0]["done"] for j in jobs)
    first, second = sorted(spans, key=lambda s: s[0])
    assert first[-1] <= second[0], "the second generation made tokens before the first ended"
    assert queued.is_set(), "one client should have seen its queue position"


def _by_id(demo: Any) -> dict[str, Any]:
    return {b.elem_id: b for b in demo.blocks.values() if getattr(b, "elem_id", None)}


def test_public_mode_hides_local_paths_and_engine_choice() -> None:
    from playground.web.layout import build_demo

    public, private = (_by_id(build_demo(ModelManager(engine="echo", public=flag))) for flag in (True, False))
    assert public["model-path"].visible is False and public["model-repo"].visible is False
    assert public["model-source"].visible is False and private["model-source"].visible is True
    assert public["model-choice"].visible is not False and private["model-choice"].visible is not False


def test_the_page_is_composed_from_the_task_tabs_and_the_teaching_tab() -> None:
    """web/ knows nothing of the teaching view: build_demo() adds the tabs it is given, app.py gives it one."""
    from app import build_page
    from playground.web.layout import ExtraTab, build_demo

    built: list[str] = []
    demo = build_demo(ModelManager(engine="echo"), extra_tabs=[ExtraTab("Extra", "extra", lambda: built.append("x"))])
    assert "tab-extra" in _by_id(demo) and built == ["x"] and "tab-teach" not in _by_id(demo)
    assert "tab-teach" in _by_id(build_page(ModelManager(engine="echo")))


def test_streamed_outputs_are_plain_values_and_the_panels_follow_the_end() -> None:
    """A gr.update (or gr.skip) in a streamed output makes Gradio rebuild that component on every update."""
    from dataclasses import replace

    from playground.result import Answer, Result, Status
    from playground.web.view import View, live, panels

    partial = Result(task="simplify", language="python", prompt="p", model="m", engine="e",
                     answer=Answer("x = 1", "x = 1\n"))
    streaming = live(View("simplify", "x=1", partial))
    assert len(streaming) == 5 and not any(isinstance(value, dict) and "__type__" in value
                                           for value in streaming.values())
    partial = replace(partial, status=Status.DONE)
    shown = panels(View("simplify", "x=1", partial), "/saved/answer.py")
    table, diff, download = shown["lint_table"], shown["diff"], shown["download"]
    assert table["__type__"] == "update" and table["visible"] is False and "pg-diff" in diff and shown["prompt"] == "p"
    assert download["__type__"] == "update" and download["interactive"] is True
    assert download["value"] == "/saved/answer.py"
    assert "No problems found" in shown["lint_note"] and "not checked" in shown["checks"]
    assert shown["share"]["interactive"] is True and shown["share_note"] == ""  # an answer to share: the button is on
    assert shown["run_row"]["visible"] is True and shown["ran"] == ""
    assert shown["call"]["placeholder"] == "Run a call, e.g. print(...)"
    partial = replace(partial, answer=Answer("x = 1"))  # nothing to share or run
    shown = panels(View("simplify", "x=1", partial), "/saved/answer.py")
    assert shown["download"]["interactive"] is False and shown["share"]["interactive"] is False
    assert shown["run_row"]["visible"] is False
    go = Result(task="translate", language="go", prompt="p", model="m", engine="e", answer=Answer("x", "func f() {}"),
                status=Status.DONE)
    assert panels(View("translate", "x=1", go))["run_row"]["visible"] is False  # Go cannot run here: no Run box


def test_streaming_sends_only_the_live_outputs_and_the_final_view_once(model_url: str) -> None:
    """The API event streams the five live outputs; the session's final View (for the panels) is set only
    by the last update, so Gradio does not rebuild a config for it on every update."""
    from playground.web.handlers import PlaygroundApp
    from playground.web.view import Live, View

    endpoints = client(model_url).view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert len(endpoints["/simplify"]["returns"]) == 5
    handler = PlaygroundApp(ModelManager(engine="llama-cpp", model=SMALL_MODEL, public=False))
    # Called directly, as no Gradio event would: without the request Gradio passes (the anonymous session).
    updates = list(handler.endpoint(get_task("simplify"))(**example_args("simplify"), request=None))
    assert len(updates) >= 3 and all(set(update) - {"ended"} == set(Live.__annotations__) for update in updates)
    ended = [view for update in updates if isinstance(view := update.get("ended"), View)]
    assert len(ended) == 1 and updates[-1].get("ended") is ended[0]
    assert ended[0].state is not None and ended[0].state.status.finished
    assert handler.show_panels(ended[0])["prompt"] == ended[0].state.prompt


def test_a_full_queue_refuses_new_requests_and_takes_them_again_later(monkeypatch: pytest.MonkeyPatch) -> None:
    """PLAYGROUND_QUEUE_SIZE bounds the waiting line: one more request is refused with Gradio's message."""
    monkeypatch.setenv("PLAYGROUND_QUEUE_SIZE", "1")
    code = "total = 0\n" + "".join(f"total += {i}\n" for i in range(40))
    args = {**example_args("simplify"), "code": code}
    with serve(ModelManager(engine="echo", model=SMALL_MODEL, public=False, delay=0.05)) as (url, _):
        running = client(url).submit(**args, api_name="/simplify")
        while not running.outputs():  # the first one is generating
            time.sleep(0.01)
        waiting = client(url).submit(**args, api_name="/simplify")
        while waiting.status().code is not Status.IN_QUEUE:
            time.sleep(0.01)
        with pytest.raises(Exception, match="(?i)queue is full"):
            client(url).predict(**args, api_name="/simplify")
        assert running.result(timeout=60)[0]["done"] and waiting.result(timeout=60)[0]["done"]
        assert client(url).predict(**args, api_name="/simplify")[0]["done"]


def test_the_http_api_names_its_outputs_and_its_optional_inputs() -> None:
    """gradio_client lists the streaming endpoints' outputs by name, and the error message and the suffix
    as optional, with their defaults."""
    with serve(ModelManager(engine="echo", model=SMALL_MODEL, public=False)) as (url, _):
        endpoints = client(url).view_api(return_format="dict", print_info=False)["named_endpoints"]
    for task in ("translate", "simplify", "debug", "complete"):
        assert [r["label"] for r in endpoints[f"/{task}"]["returns"]] == ["result", "answer", "explanation",
                                                                          "stats", "message"]
    for task, name in (("debug", "error_message"), ("complete", "suffix"), ("debug", "tests")):
        parameter = next(p for p in endpoints[f"/{task}"]["parameters"] if p["parameter_name"] == name)
        assert parameter["parameter_has_default"] is True and parameter["parameter_default"] == ""
    code = next(p for p in endpoints["/debug"]["parameters"] if p["parameter_name"] == "code")
    assert code["parameter_has_default"] is False  # the code is the one input that is needed
