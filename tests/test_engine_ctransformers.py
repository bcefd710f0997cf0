"""The ctransformers engine on a real GGML GPT-2 file written by the tests (tests/ggml_gpt2.py).

The file's weights are designed, not trained: greedy decoding after a lowercase letter says the
rest of the alphabet and ends, so streaming, stop, limits, params and token counts have exact answers.
"""

from __future__ import annotations

import shutil
import string
import struct
import threading
from pathlib import Path

import pytest

from playground import pipeline
from playground.engines import Engine, Stepper, get_engine_class, load_engine, unload_engine
from playground.errors import ModelError
from playground.params import GenerationParams
from playground.settings import reload_settings
from tests.helpers import bundled_model_path

pytest.importorskip("ctransformers")  # an optional extra; `make test` installs it

from playground.engines.ctransformers import CTransformersEngine, ctransformers_options  # noqa: E402
from tests.ggml_gpt2 import EOS, vocabulary, write_gguf_gpt2, write_gpt2  # noqa: E402

pytestmark = pytest.mark.model  # every test here loads a real model (or runs the app on one)

GREEDY = GenerationParams(temperature=0.0, repeat_penalty=1.0, max_tokens=64)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_gpt2(tmp_path_factory.mktemp("ggml") / "tiny-gpt2.ggml.bin")


@pytest.fixture(scope="module")
def ct(model_file: Path) -> CTransformersEngine:
    engine = load_engine("ctransformers", str(model_file), model_type="gpt2")
    assert isinstance(engine, CTransformersEngine)
    return engine


def text(engine: Engine, prompt: str, params: GenerationParams = GREEDY, **kwargs: object) -> tuple[str, list[str]]:
    chunks = list(engine.stream(prompt, params, **kwargs))  # type: ignore[arg-type]
    return "".join(c.text for c in chunks), [c.finish_reason or "" for c in chunks]


def test_loads_the_ggml_file_and_describes_it(ct: CTransformersEngine, model_file: Path) -> None:
    assert isinstance(ct, Engine) and get_engine_class("ctransformers") is CTransformersEngine
    assert (ct.name, ct.concurrency(), isinstance(ct, Stepper)) == ("ctransformers", 1, False)
    assert ct.info.architecture == "gpt2" and ct.info.metadata["format"] == "ggml"
    assert ct.context_size == 4096 and ct.info.eos_token == EOS
    assert ct.info.chat_template is None and ct.info.size_bytes == model_file.stat().st_size
    assert ct.llm.vocab_size == len(vocabulary())


def test_greedy_follows_the_designed_alphabet_and_stops_at_end_of_text(ct: CTransformersEngine) -> None:
    chunks = list(ct.stream("a", GREEDY))
    assert "".join(c.text for c in chunks) == string.ascii_lowercase[1:]
    assert [c.text for c in chunks[:3]] == ["b", "c", "d"]  # streamed token by token
    assert sum(c.n_tokens for c in chunks) == 25 and chunks[-1].finish_reason == "stop"


@pytest.mark.parametrize(("prompt", "count"), [
    # GPT-2's pre-split keeps one space for the word: "   " + " return" + " " + "x".
    ("abc", 3), ("def", 1), ("    return x", 6), ("é", 2), ("é" * 1000, 2000), ("", 0),
])
def test_tokens_are_counted(ct: CTransformersEngine, prompt: str, count: int) -> None:
    # ctransformers' own tokenize() sizes its buffer in characters: 1000 "é" would overflow it.
    assert ct.count_tokens(prompt) == count


def test_stop_sequence_ends_the_answer_before_it(ct: CTransformersEngine) -> None:
    answer, reasons = text(ct, "a", stop=["klm"])
    assert answer == "bcdefghij" and reasons[-1] == "stop"
    assert text(ct, "a", stop=["zz"])[0] == string.ascii_lowercase[1:]


def test_max_tokens_limits_the_answer(ct: CTransformersEngine) -> None:
    answer, reasons = text(ct, "a", GREEDY.model_copy(update={"max_tokens": 5}))
    assert answer == "bcdef" and reasons[-1] == "length"


def test_cancel_stops_between_tokens(ct: CTransformersEngine) -> None:
    cancel = threading.Event()
    seen = []
    for chunk in ct.stream("a", GREEDY, cancel=cancel):
        seen.append(chunk)
        if len(seen) == 3:
            cancel.set()
    assert "".join(c.text for c in seen) == "bcd" and seen[-1].finish_reason == "cancelled"
    assert text(ct, "x")[0] == "yz"  # the engine is free again


def test_repeat_penalty_reaches_the_sampler(ct: CTransformersEngine) -> None:
    # After "a" the model prefers "b" (logit 3.0) over "B" (2.1); "b" is in the prompt, so a
    # penalty of 2 halves it to 1.5 and "B" wins, then the uppercase chain runs to Z.
    assert text(ct, "bcdefa")[0].startswith("bcdefgh")
    assert text(ct, "bcdefa", GREEDY.model_copy(update={"repeat_penalty": 2.0}))[0] == string.ascii_uppercase[1:]


def test_temperature_seed_top_k_and_top_p_reach_the_sampler(ct: CTransformersEngine) -> None:
    hot = GenerationParams(temperature=1.0, top_k=0, top_p=1.0, repeat_penalty=1.0, max_tokens=12)
    first, again, other = (text(ct, "a", hot.model_copy(update={"seed": s}))[0] for s in (1, 1, 2))
    assert first == again and first != other
    assert first != "bcdefghijklm"  # at temperature 1 the designed logits leave room for chance
    assert text(ct, "a", hot.model_copy(update={"top_k": 1}))[0] == "bcdefghijklm"
    assert text(ct, "a", hot.model_copy(update={"top_p": 0.01}))[0] == "bcdefghijklm"


@pytest.mark.parametrize(("values", "expected"), [
    ({"temperature": 0.0, "top_k": 40}, {"temperature": 1.0, "top_k": 1}),
    ({"temperature": 0.7, "top_k": 0}, {"temperature": 0.7, "top_k": 100}),
    ({"temperature": 0.7, "top_k": 150}, {"temperature": 0.7, "top_k": 100}),  # capped: more would crash
    ({"top_p": 0.5, "repeat_penalty": 1.3, "seed": 7, "max_tokens": 9},
     {"top_p": 0.5, "repetition_penalty": 1.3, "seed": 7, "max_new_tokens": 9}),
])
def test_params_map_to_ctransformers_names(values: dict[str, float], expected: dict[str, float]) -> None:
    options = ctransformers_options(GenerationParams(**values), vocab_size=100)
    assert {k: options[k] for k in expected} == expected


def test_pipeline_completes_code_end_to_end(ct: CTransformersEngine) -> None:
    result = pipeline.run("complete", "abc", language="python", params=GREEDY, engine=ct)
    assert result.status.finished and result.engine == "ctransformers"
    # The file has no chat template: the plain instruction layout, ending where the answer starts.
    assert "\n\n### Instruction:\n" in result.prompt and "<|im_start|>" not in result.prompt
    assert result.prompt.endswith("### Response:\n```python\nabc")
    assert result.answer.text == "```python\nabcdefghijklmnopqrstuvwxyz"
    assert result.answer.code == "abcdefghijklmnopqrstuvwxyz"
    assert result.stats.completion_tokens == 23 and result.stats.prompt_tokens == ct.count_tokens(result.prompt)


def test_pipeline_runs_a_chat_task(ct: CTransformersEngine) -> None:
    params = GenerationParams(temperature=0.0, max_tokens=12)
    result = pipeline.run("translate", "x = 1\n", language="python", target="javascript", params=params, engine=ct)
    assert result.status.finished and result.answer.text.startswith("```javascript\n")
    assert 0 < result.stats.completion_tokens <= 12


def test_llama_cpp_says_the_same_on_the_gguf_twin(ct: CTransformersEngine, tmp_path: Path) -> None:
    # The same weights and vocabulary as GGUF: both back ends decode them identically.
    twin = get_engine_class("llama-cpp")(str(write_gguf_gpt2(tmp_path / "tiny-gpt2.gguf")), n_ctx=512)
    try:
        assert text(twin, "a")[0] == text(ct, "a")[0] == string.ascii_lowercase[1:]
        assert text(twin, "a", stop=["klm"])[0] == text(ct, "a", stop=["klm"])[0]
    finally:
        twin.close()


def test_gguf_files_are_pointed_to_llama_cpp() -> None:
    with pytest.raises(ModelError, match=r"GGUF v3 file \(llama\).*only reads early.*llama.cpp engine"):
        CTransformersEngine(str(bundled_model_path()))


def test_llama_cpp_engine_points_ggml_files_to_ctransformers(model_file: Path) -> None:
    with pytest.raises(ModelError, match=r"GGML-era model file \(GGML\).*--engine ctransformers"):
        get_engine_class("llama-cpp")(str(model_file))


def test_model_type_comes_from_the_name_or_must_be_given(model_file: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLAYGROUND_CTRANSFORMERS_MODEL_TYPE", raising=False)
    anonymous = shutil.copy(model_file, tmp_path / "model.bin")
    with pytest.raises(ModelError, match=r"does not say its architecture: pass model_type, one of gpt2, gptj"):
        CTransformersEngine(str(anonymous))
    engine = load_engine("ctransformers", str(model_file))  # "gpt2" in the file name
    assert engine.info.architecture == "gpt2"
    unload_engine(engine)
    monkeypatch.setenv("PLAYGROUND_CTRANSFORMERS_MODEL_TYPE", "gpt2")
    reload_settings()
    assert CTransformersEngine(str(anonymous)).info.metadata["model_type"] == "gpt2"


@pytest.mark.parametrize(("model_type", "message"), [
    # ctransformers reads past the file as MPT weights: a segfault (11) or, in some runs, an abort (6) from
    # an iostream error; either way the probe's child dies, not the process
    ("mpt", r"crashed \(signal (11|6)\) loading model.bin as 'mpt'"),
    ("gptj", r"failed loading model.bin as 'gptj' \(RuntimeError: Failed to create LLM 'gptj'"),
])
def test_wrong_model_type_cannot_take_the_process_down(model_file: Path, tmp_path: Path, model_type: str,
                                                       message: str) -> None:

    anonymous = shutil.copy(model_file, tmp_path / "model.bin")
    with pytest.raises(ModelError, match=message):
        CTransformersEngine(str(anonymous), model_type=model_type)


def test_damaged_header_is_refused(model_file: Path, tmp_path: Path) -> None:
    data = bytearray(model_file.read_bytes())
    struct.pack_into("<i", data, 4 + 4 * 6, 99)  # the repeated n_vocab no longer matches
    (tmp_path / "bad-gpt2.bin").write_bytes(data)
    with pytest.raises(ModelError, match="does not have a GPT-2 GGML header"):
        CTransformersEngine(str(tmp_path / "bad-gpt2.bin"))
    struct.pack_into("<6i", data, 4, 264, 4096, 1 << 16, 4, 64, 0)  # plausible, but ctransformers segfaults
    struct.pack_into("<i", data, 4 + 4 * 6, 264)
    (tmp_path / "huge-gpt2.bin").write_bytes(data)
    with pytest.raises(ModelError, match=r"crashed \(signal 11\)"):
        CTransformersEngine(str(tmp_path / "huge-gpt2.bin"))
    (tmp_path / "noise.bin").write_bytes(b"\x7fELF" + bytes(64))
    with pytest.raises(ModelError, match="neither a GGML-era nor a GGUF model file"):
        CTransformersEngine(str(tmp_path / "noise.bin"))
