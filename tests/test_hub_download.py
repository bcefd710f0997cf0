"""Hub models through the real huggingface_hub client, against a stand-in Hub on loopback."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from playground.engines.llama_cpp import LlamaCppEngine
from playground.errors import ModelError
from playground.models import resolve
from playground.params import GenerationParams
from tests.helpers import bundled_model_path

from .fake_hub import FakeHub

pytestmark = pytest.mark.model  # every test here loads a real model (or runs the app on one)

SPEC = "hf:teacher/tiny-coder-GGUF/tiny-coder.Q4_1.gguf"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeHub]:
    """A loopback Hub serving the bundled GGUF as teacher/tiny-coder-GGUF, and an empty cache."""
    import huggingface_hub.constants as hc

    with FakeHub({"teacher/tiny-coder-GGUF/tiny-coder.Q4_1.gguf": bundled_model_path()}) as fake:
        monkeypatch.setattr(hc, "ENDPOINT", fake.url)
        monkeypatch.setattr(hc, "HUGGINGFACE_CO_URL_TEMPLATE", fake.url + "/{repo_id}/resolve/{revision}/{filename}")
        monkeypatch.setattr(hc, "HF_HUB_OFFLINE", False)
        monkeypatch.setattr(hc, "HF_HUB_CACHE", str(tmp_path / "cache"))
        monkeypatch.setattr(hc, "HF_HUB_DISABLE_XET", True, raising=False)
        yield fake


def test_download_reports_progress_and_the_model_generates(hub: FakeHub) -> None:
    seen: list[tuple[int, int | None]] = []
    path = resolve(SPEC, progress=lambda done, total: seen.append((done, total)))
    size = bundled_model_path().stat().st_size
    assert path.name == "tiny-coder.Q4_1.gguf" and path.stat().st_size == size
    assert seen and seen[-1] == (size, size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    # A second resolve is served from the cache without downloading again.
    gets = hub.requests
    assert resolve(SPEC) == path and hub.requests - gets <= 1  # at most a HEAD to check for updates
    engine = LlamaCppEngine(str(path))
    text = "".join(c.text for c in engine.stream("<|im_start|>user\nSay hi<|im_end|>\n<|im_start|>assistant\n",
                                                 GenerationParams(temperature=0, max_tokens=5)))

    assert text.strip()


def test_unknown_file_on_the_hub_is_a_clear_error(hub: FakeHub) -> None:
    with pytest.raises(ModelError, match=r"teacher/tiny-coder-GGUF/missing.gguf.*no such repository or file"):
        resolve("hf:teacher/tiny-coder-GGUF/missing.gguf")


def test_connection_cut_mid_download_never_leaves_a_usable_partial_file(hub: FakeHub, tmp_path: Path) -> None:
    hub.cut_after = 5_000_000
    with pytest.raises(ModelError, match="Could not download.*the download resumes"):
        resolve(SPEC)
    finished = [p for p in (tmp_path / "cache").rglob("*.gguf")]
    assert finished == [], "a partial download must not appear under the model's name"
    hub.cut_after = None  # the network is back: the download resumes and completes
    assert resolve(SPEC).stat().st_size == bundled_model_path().stat().st_size


def test_disk_full_while_downloading(hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants as hc

    small = tmp_path / "small-disk"
    small.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(small)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up here: {mounted.stderr.decode().strip()}")
    try:
        monkeypatch.setattr(hc, "HF_HUB_CACHE", str(small / "cache"))
        with pytest.raises(ModelError, match="disk is full"):
            resolve(SPEC)
        assert list(small.rglob("*.gguf")) == []
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)
