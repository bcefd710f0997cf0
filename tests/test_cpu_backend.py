"""llama.cpp's CPU kernels: the portable build's variants, the child process that tries a model with them first,
and what the app does when one dies of an illegal instruction (docs/engines.md, 'Illegal instruction').

The refused kernels are real: a CPU backend library compiled here whose initialisation executes `ud2`, the
instruction every x86-64 CPU refuses, loaded by llama.cpp itself through GGML_BACKEND_PATH in a real child
process, which the kernel kills with SIGILL exactly as it kills kernels built for a feature the CPU lacks."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from playground.catalog import SMALL_MODEL
from playground.engines import cpu_backend, get_engine_class
from playground.errors import EngineError
from playground.models import resolve
from playground.settings import get_settings

pytestmark = [pytest.mark.model,
              pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="x86-64's kernels")]

# Kernels that say they are the best for this CPU, then do one thing at start: `ud2` (__builtin_trap), an
# instruction no CPU runs (SIGILL), or abort() (SIGABRT: a process killed for another reason than its kernels).
KERNELS_SOURCE = """
#include <stdlib.h>
int ggml_backend_score(void) { return 1000; }
void *ggml_backend_init(void) { %s; return 0; }
"""


def compiled(folder: Path, name: str, body: str) -> cpu_backend.Variant:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build the kernels")
    (folder / f"{name}.c").write_text(KERNELS_SOURCE % body)
    library = folder / f"libggml-cpu-{name}.so"
    subprocess.run([compiler, "-shared", "-fPIC", "-o", str(library), str(folder / f"{name}.c")], check=True)
    return cpu_backend.Variant(name, library, 1000)


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory) -> cpu_backend.Variant:
    """A CPU variant this machine refuses: llama.cpp loads it and dies with SIGILL."""
    return compiled(tmp_path_factory.mktemp("kernels"), "refused", "__builtin_trap()")


@pytest.fixture
def fresh_kernels(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A process that has chosen no kernels yet; GGML_BACKEND_PATH, which choose() exports, is unset afterwards
    (and the environment's own value, if any, restored by monkeypatch)."""
    monkeypatch.setattr(cpu_backend, "_STATE", cpu_backend.Kernels())
    monkeypatch.delenv(cpu_backend.ENV, raising=False)
    yield
    os.unsetenv(cpu_backend.ENV)


def small() -> Path:
    return Path(resolve(SMALL_MODEL))


def test_this_cpu_runs_the_best_variant_and_never_amx_unless_named() -> None:
    every = cpu_backend.variants()
    if not every:
        pytest.skip("llama-cpp-python was built for one CPU (not from requirements.txt)")
    order = cpu_backend.candidates(every)
    assert order and order[0].score == max(v.score for v in every if v.name not in cpu_backend.AMX_VARIANTS)
    assert [v.score for v in order] == sorted((v.score for v in order), reverse=True) and order[-1].name == "x64"
    assert cpu_backend.candidates(every, "x64") == [next(v for v in every if v.name == "x64")]
    with pytest.raises(EngineError, match=r"'pentium' is not a CPU variant.*it has .*haswell"):
        cpu_backend.candidates(every, "pentium")


def test_a_child_process_loads_the_model_with_the_chosen_kernels() -> None:
    every = cpu_backend.variants()
    best = cpu_backend.candidates(every)[0] if every else None
    result = cpu_backend.try_variant(small(), best)
    assert result.ok and result.returncode == 0 and not result.signal_name, result


def test_kernels_that_die_of_an_illegal_instruction_are_reported_and_the_next_ones_run(
        refused: cpu_backend.Variant) -> None:
    died = cpu_backend.try_variant(small(), refused)
    assert not died.ok and died.signal_name == "SIGILL"
    assert "refused kernels was killed by SIGILL (Illegal instruction" in died.sentence()
    fallback = cpu_backend.candidates(cpu_backend.variants())[-1]  # x64
    chosen, failed, last = cpu_backend.first_running(small(), [refused, fallback])
    assert chosen == fallback and [f.variant for f in failed] == ["refused"] and last is not None and last.ok


def test_a_child_killed_for_another_reason_ends_the_search_with_that_reason(
        tmp_path: Path, fresh_kernels: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only an illegal instruction blames the kernels: a child killed otherwise (here SIGABRT; out of memory is
    SIGKILL) is not retried with 13 other variants, and the message says what it likely was."""
    aborting = compiled(tmp_path, "aborting", "abort()")
    fallback = cpu_backend.candidates(cpu_backend.variants())[-1]
    chosen, failed, last = cpu_backend.first_running(small(), [aborting, fallback])
    assert chosen == aborting and failed == [] and last is not None and last.signal_name == "SIGABRT"
    monkeypatch.setenv(cpu_backend.ENV, str(aborting.path))
    get_settings.cache_clear()
    with pytest.raises(EngineError, match=r"could not load SmolLM2.*killed by SIGABRT.*out of memory.*damaged"):
        cpu_backend.choose(small())
    assert small().resolve() not in cpu_backend._STATE.probed, "tried again next time"


def test_a_named_variant_this_cpu_cannot_run_is_refused_with_those_it_can() -> None:
    every = cpu_backend.variants()
    missing = [v for v in every if v.score <= 0]
    if not missing:
        pytest.skip("this CPU runs every variant of the build")
    with pytest.raises(EngineError, match=rf"{missing[0].name}.*needs CPU features this machine lacks.*x64"):
        cpu_backend.candidates(every, missing[0].name)


def test_the_cpu_command_fails_when_the_model_does_not_load(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.gguf"
    damaged.write_bytes(small().read_bytes()[: 2 << 20])  # a valid header, the tensors cut off
    done = subprocess.run([sys.executable, "-m", "playground", "cpu", "--model", str(damaged)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 1 and "✗ a test process running" in done.stdout and "exited with status" in done.stdout
    assert "✓" not in done.stdout


def test_the_engine_falls_back_to_kernels_that_run_and_the_model_card_says_why(
        refused: cpu_backend.Variant, fresh_kernels: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refused kernels score highest, so they are tried first; the engine loads with the next variant, and
    its notice (the model panel's) says which kernels died and which run."""
    real = cpu_backend.variants
    monkeypatch.setattr(cpu_backend, "variants", lambda: [refused, *real()])
    engine = get_engine_class("llama-cpp")(SMALL_MODEL)
    try:
        best = cpu_backend.candidates(real())[0]
        assert "refused kernels was killed by SIGILL" in engine.info.notice
        assert f"runs its {best.name} kernels" in engine.info.notice
        assert engine.info.metadata["runtime"] == f"llama.cpp, its {best.name} CPU kernels"
        assert cpu_backend.environment() == {cpu_backend.ENV: str(best.path)}
    finally:
        engine.close()


def test_kernels_fixed_by_the_user_that_die_are_refused_with_what_to_do(
        refused: cpu_backend.Variant, fresh_kernels: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """GGML_BACKEND_PATH set to kernels this CPU refuses: the app does not die, it says what happened and how to
    go on; the process that asked is still here to say it."""
    monkeypatch.setenv(cpu_backend.ENV, str(refused.path))
    with pytest.raises(EngineError) as caught:
        get_engine_class("llama-cpp")(SMALL_MODEL)
    message = str(caught.value)
    assert "llama.cpp cannot run SmolLM2" in message and "SIGILL" in message and "Illegal instruction" in message
    assert "PLAYGROUND_CPU_VARIANT" in message and "x64" in message


def test_the_cpu_command_lists_the_variants_and_tries_the_model() -> None:
    done = subprocess.run([sys.executable, "-m", "playground", "cpu", "--model", SMALL_MODEL], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    if cpu_backend.variants():
        assert "portable, " in done.stdout and "x64 (1)" in done.stdout
        assert "loads and decodes with the " in done.stdout and "libggml-cpu-" in done.stdout
    path = subprocess.run([sys.executable, "-m", "playground", "cpu", "--path"], capture_output=True, text=True,
                          timeout=120).stdout.strip()
    assert path == cpu_backend.environment().get(cpu_backend.ENV, "")


def test_a_second_model_keeps_the_kernels_the_first_chose(fresh_kernels: None, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    """ggml cannot swap kernels in a running process: the next model is tried with the same ones, even when
    PLAYGROUND_CPU_VARIANT names a variant (it applies from the next start)."""
    if not cpu_backend.variants():
        pytest.skip("llama-cpp-python was built for one CPU (not from requirements.txt)")
    monkeypatch.setenv("PLAYGROUND_CPU_VARIANT", "x64")
    first = cpu_backend.choose(small())
    assert first.variant == "x64" and first.path.endswith("libggml-cpu-x64.so")
    monkeypatch.setenv("PLAYGROUND_CPU_VARIANT", "sse42")
    get_settings.cache_clear()
    other = tmp_path / "another.gguf"  # another model file: tried again, in a child, with the same kernels
    shutil.copyfile(small(), other)
    second = cpu_backend.choose(other)
    assert second.variant == "x64" and other.resolve() in second.probed and small().resolve() in second.probed
