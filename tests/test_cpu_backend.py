"""llama.cpp's CPU kernels: the portable build's variants, the child process that tries a model with them first,
and what the app does when one dies of an illegal instruction (docs/engines.md, 'Illegal instruction').

The refused kernels are real: a CPU backend library compiled here whose initialisation executes `ud2`, the
instruction every x86-64 CPU refuses, loaded by llama.cpp itself through GGML_BACKEND_PATH in a real child
process, which the kernel kills with SIGILL exactly as it kills kernels built for a feature the CPU lacks."""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from playground.catalog import SMALL_MODEL
from playground.engines import cpu_backend, get_engine_class
from playground.errors import EngineError
from playground.models import resolve
from playground.settings import get_settings

pytestmark = [pytest.mark.model,
              pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="x86-64's kernels")]

REFUSED_SOURCE = """
int ggml_backend_score(void) { return 1000; }        /* says: the best for this CPU */
void *ggml_backend_init(void) { __builtin_trap(); return 0; }  /* ud2: an instruction no CPU runs */
"""


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory) -> cpu_backend.Variant:
    """A CPU variant this machine refuses: llama.cpp loads it and dies with SIGILL."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build the refused kernels")
    folder = tmp_path_factory.mktemp("kernels")
    (folder / "refused.c").write_text(REFUSED_SOURCE)
    library = folder / "libggml-cpu-refused.so"
    subprocess.run([compiler, "-shared", "-fPIC", "-o", str(library), str(folder / "refused.c")], check=True)
    return cpu_backend.Variant("refused", library, 1000)


@pytest.fixture
def fresh_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that has chosen no kernels yet (its GGML_BACKEND_PATH restored afterwards)."""
    monkeypatch.setattr(cpu_backend, "_STATE", cpu_backend.Kernels())
    monkeypatch.delenv(cpu_backend.ENV, raising=False)


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
    chosen, failed = cpu_backend.first_running(small(), [refused, fallback])
    assert chosen == fallback and [f.variant for f in failed] == ["refused"]


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
