"""The OpenAI-compatible engine against a real llama-cpp-python server on loopback (and a few faulty ones)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from playground import pipeline
from playground.catalog import SMALL_MODEL
from playground.engines import Engine, Stepper, get_engine_class, load_engine, unload_engine
from playground.engines.openai_http import OpenAIEngine, ServerSettings, normalize_base_url
from playground.errors import EngineError
from playground.params import GenerationParams
from playground.result import Result, Status
from playground.settings import SettingsError, reload_settings
from playground.tasks.examples import load_examples
from tests.llama_server import LlamaServer, free_port

pytestmark = pytest.mark.server
KEY = "sk-test-0123456789-secret"


@pytest.fixture(scope="module")
def server() -> Iterator[LlamaServer]:
    """One real server for the module, with an API key so every request is authenticated."""
    with LlamaServer("--api_key", KEY) as srv:
        yield srv


@pytest.fixture(scope="module")
def remote(server: LlamaServer) -> OpenAIEngine:
    """The engine on that server, rendering prompts with the bundled model's chat template."""
    return OpenAIEngine("default", base_url=server.base_url, api_key=KEY, template_model=SMALL_MODEL, concurrency=2)


@pytest.mark.parametrize(("url", "expected"), [
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1"),
    ("127.0.0.1:8080/", "http://127.0.0.1:8080/v1"),
    ("http://host:8000/v1/", "http://host:8000/v1"),
    ("https://host/api/v1", "https://host/api/v1"),
])
def test_base_url_is_normalized(url: str, expected: str) -> None:
    assert normalize_base_url(url) == expected


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYGROUND_OPENAI_BASE_URL", "http://10.0.0.5:8080")
    monkeypatch.setenv("PLAYGROUND_OPENAI_MODEL", "qwen")
    monkeypatch.setenv("PLAYGROUND_OPENAI_API_KEY", KEY)
    monkeypatch.setenv("PLAYGROUND_OPENAI_CONCURRENCY", "8")
    settings = ServerSettings.resolve("default")
    assert (settings.base_url, settings.model, settings.api_key, settings.concurrency) == (
        "http://10.0.0.5:8080/v1", "qwen", KEY, 8)
    assert KEY not in repr(settings) and KEY not in repr(reload_settings())
    assert OpenAIEngine.concurrency() == 8
    assert ServerSettings.resolve("other", base_url="http://h:1").model == "other"
    monkeypatch.setenv("PLAYGROUND_OPENAI_CONCURRENCY", "many")
    with pytest.raises(SettingsError, match="PLAYGROUND_OPENAI_CONCURRENCY='many': Input should be a valid integer"):
        reload_settings()


def test_engine_is_registered_and_found_by_name(server: LlamaServer) -> None:
    engine = load_engine("openai", "default", base_url=server.base_url, api_key=KEY, concurrency=3)
    try:
        assert isinstance(engine, Engine)
        assert isinstance(engine, OpenAIEngine)  # load_engine() says Engine; .settings is this class's own
        assert get_engine_class("openai") is OpenAIEngine
        assert engine.settings.concurrency == 3 and engine.name == "openai" and not isinstance(engine, Stepper)
        assert engine.info.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
        assert engine.info.chat_template is None  # llama-cpp-python has no /props: plain layout
    finally:
        unload_engine(engine)


def test_the_openai_clients_variables_reach_the_server(server: LlamaServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """OPENAI_BASE_URL and OPENAI_API_KEY alone are enough (the server refuses a request without the key)."""
    monkeypatch.delenv("PLAYGROUND_OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("PLAYGROUND_OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    reload_settings()
    engine = OpenAIEngine("default")
    try:
        assert engine.info.metadata["runtime"] == (
            f"OpenAI-compatible server at {server.base_url} (URL from OPENAI_BASE_URL; key from OPENAI_API_KEY)")
        assert KEY not in json.dumps(engine.info.metadata)
        answer = pipeline.run("simplify", "x = 1\n", language="python", engine=engine, checks=False,
                              params=GenerationParams(temperature=0.0, max_tokens=8))
        assert answer.stats.completion_tokens > 0
    finally:
        engine.close()


def test_api_key_is_never_shown(remote: OpenAIEngine) -> None:
    shown = repr(remote) + repr(remote.settings) + repr(remote.info) + json.dumps(remote.info.metadata)
    assert KEY not in shown


def test_tokens_are_counted_by_the_server(remote: OpenAIEngine, engine: Engine) -> None:
    text = "def add(a, b):\n    return a + b\n"
    assert remote.info.metadata["tokens"] == "counted by the server"
    assert remote.count_tokens(text) == engine.count_tokens(text)


@pytest.mark.parametrize("task", ["translate", "simplify", "debug", "complete"])
def test_every_task_runs_through_the_server(remote: OpenAIEngine, greedy: GenerationParams, task: str) -> None:
    example = load_examples(task)[0]
    result = pipeline.run(task, example.code, language=example.language, target=example.target,
                          error=example.error, params=greedy, engine=remote)
    assert result.status is Status.DONE
    assert result.engine == "openai" and result.model == remote.info.name
    assert result.prompt.startswith("<|im_start|>system\n")  # the bundled model's template
    assert result.answer.code.strip() and result.stats.completion_tokens > 0
    assert 0 < result.stats.completion_tokens <= greedy.max_tokens
    assert result.stats.prompt_tokens == remote.count_tokens(result.prompt)


def test_same_answer_as_the_in_process_engine(remote: OpenAIEngine, engine: Engine, greedy: GenerationParams) -> None:
    code = "def square(x):\n    return x * x\n"
    here = pipeline.run("translate", code, language="python", target="javascript", params=greedy, engine=engine)
    there = pipeline.run("translate", code, language="python", target="javascript", params=greedy, engine=remote)
    assert there.prompt == here.prompt
    assert there.answer.text == here.answer.text


def test_params_reach_the_server(remote: OpenAIEngine) -> None:
    prompt = "def fibonacci(n):"
    short = GenerationParams(temperature=0.0, max_tokens=5)
    chunks = list(remote.stream(prompt, short))
    assert sum(c.n_tokens for c in chunks) == 5 and chunks[-1].finish_reason == "length"
    full = "".join(c.text for c in remote.stream(prompt, GenerationParams(temperature=0.0, max_tokens=24)))
    stop = full.strip()[4:8]
    assert stop
    cut = "".join(c.text for c in remote.stream(prompt, GenerationParams(temperature=0.0, max_tokens=24), stop=[stop]))
    assert cut == full[: full.index(stop)]
    hot = [GenerationParams(temperature=1.5, top_k=0, top_p=1.0, seed=s, max_tokens=16) for s in (1, 1, 2)]
    a, b, c = ("".join(ch.text for ch in remote.stream(prompt, p)) for p in hot)
    assert a == b and a != c  # the seed is honoured


def test_stop_ends_the_stream_and_the_server_stays_usable(remote: OpenAIEngine) -> None:
    cancel = threading.Event()
    params = GenerationParams(temperature=0.0, max_tokens=400)
    stream = pipeline.stream("complete", "def fizzbuzz(n):\n", language="python", params=params,
                             engine=remote, cancel=cancel)
    last = None
    for n, partial in enumerate(stream):
        last = partial
        if n == 3:
            cancel.set()
    assert last is not None and last.status is Status.STOPPED
    assert last.stats.completion_tokens <= 6
    again = list(remote.stream("def add(a, b):", GenerationParams(temperature=0.0, max_tokens=4)))
    assert again[-1].finish_reason == "length"


def test_generations_run_concurrently(remote: OpenAIEngine) -> None:
    results: dict[int, list[str]] = {}

    def work(i: int) -> None:
        chunks = list(remote.stream(f"# program {i}\ndef main():", GenerationParams(temperature=0.0, max_tokens=12)))
        results[i] = [c.finish_reason or "" for c in chunks]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(results) == [0, 1]
    assert all(r[-1] == "length" for r in results.values())  # neither was cut short


def test_chat_completions_stream(remote: OpenAIEngine) -> None:
    chunks = list(remote.stream_chat([{"role": "user", "content": "Write a Python function that adds two numbers."}],
                                     GenerationParams(temperature=0.0, max_tokens=20)))
    assert "".join(c.text for c in chunks).strip()
    assert chunks[-1].finish_reason == "length"


def test_wrong_api_key_is_a_clear_401(server: LlamaServer) -> None:
    with pytest.raises(EngineError, match="refused the API key.*HTTP 401.*PLAYGROUND_OPENAI_API_KEY") as info:
        OpenAIEngine("default", base_url=server.base_url, api_key="wrong-key")
    assert "wrong-key" not in str(info.value)


def test_unknown_model_lists_the_servers_models(server: LlamaServer) -> None:
    # llama-cpp-python's server would silently answer with its own model: the engine checks the name.
    with pytest.raises(EngineError, match=r"has no model 'gpt-4'.*It has: .*SmolLM2-135M-Instruct"):
        OpenAIEngine("gpt-4", base_url=server.base_url, api_key=KEY)


def test_wrong_path_is_a_clear_404(server: LlamaServer) -> None:
    with pytest.raises(EngineError, match=r"404 Not Found for http://127.0.0.1:\d+/nope/models.*ends in /v1"):
        OpenAIEngine("default", base_url=f"http://127.0.0.1:{server.port}/nope", api_key=KEY)


def test_closed_port_is_connection_refused() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(EngineError, match=rf"Cannot connect to the model server at {url}.*llama_cpp.server"):
        OpenAIEngine("default", base_url=url)


def test_server_killed_mid_stream_keeps_the_partial_answer() -> None:
    with LlamaServer() as srv:
        remote = OpenAIEngine("default", base_url=srv.base_url, template_model=SMALL_MODEL)
        seen = ""
        with pytest.raises(EngineError, match="broke in the middle of the answer") as info:
            for n, partial in enumerate(pipeline.stream(
                    "complete", "def fizzbuzz(n):\n", language="python",
                    params=GenerationParams(temperature=0.0, max_tokens=400), engine=remote)):
                seen = partial.answer.text
                if n == 3:
                    srv.kill()
        assert seen and info.value.partial is not None
        assert isinstance(info.value.partial, Result)  # the error types it as object: the state stream() yielded
        assert info.value.partial.answer.text == seen
        remote.close()


class _Faulty(BaseHTTPRequestHandler):
    """A loopback server that lists a model and then answers /v1/completions badly, by model name."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/v1/models":
            return self._send(200, {"data": [{"id": m} for m in ("garbage", "http500", "cut", "slow")]})
        self._send(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if not self.path.endswith("/completions"):
            return self._send(404, {"detail": "Not Found"})
        model = body["model"]
        if model == "http500":
            return self._send(500, {"error": {"message": "CUDA out of memory"}})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        event = {"choices": [{"text": "x = 1", "finish_reason": None}]}
        self.wfile.write(b": ping\n\ndata: " + json.dumps(event).encode() + b"\n\n")
        self.wfile.flush()
        if model == "garbage":
            self.wfile.write(b"data: <html>Bad gateway</html>\n\n")
        elif model == "slow":
            time.sleep(3)
        self.wfile.write(b"data: [DONE]\n\n")  # "cut": ends without a finish_reason

    def _send(self, status: int, data: object) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture(scope="module")
def faulty() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Faulty)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(("model", "message", "streamed"), [
    ("garbage", "sent an event that is not JSON .*<html>Bad gateway", True),
    ("http500", "failed \\(HTTP 500: CUDA out of memory\\).*server's log", False),
    ("cut", "ended the answer early without a reason.*--interrupt_requests false", True),
    ("slow", "sent nothing for 1 s.*PLAYGROUND_OPENAI_READ_TIMEOUT", True),
])
def test_faulty_servers_give_clear_errors_and_keep_the_partial(faulty: str, model: str, message: str,
                                                               streamed: bool) -> None:
    remote = OpenAIEngine(model, base_url=faulty, read_timeout=1, context_size=4096)
    assert remote.info.metadata["tokens"].startswith("estimated")
    assert remote.count_tokens("abcdefg") == 3
    with pytest.raises(EngineError, match=message) as info:
        pipeline.run("simplify", "x = 1\n", language="python", engine=remote)
    partial = info.value.partial
    assert partial is not None
    assert isinstance(partial, Result)  # the error types it as object: the state run() reached
    # What the server sent before the fault is kept; a server that refused at once sent nothing.
    assert partial.answer.text.endswith("x = 1") is streamed
    assert partial.answer.text.startswith("```python\n")
    remote.close()
