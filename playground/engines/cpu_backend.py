"""Which of llama.cpp's CPU kernels this process runs, tried first in a child process.

requirements.txt builds llama-cpp-python portably: llama.cpp's CPU backend once per x86-64 level
(`GGML_CPU_ALL_VARIANTS` with `GGML_BACKEND_DL`, as llama.cpp's own release builds), each a
`libggml-cpu-<variant>.so` next to libllama. llama.cpp loads its backends at the first model load, from the
executable's folder, the working folder and the file named by GGML_BACKEND_PATH; the first two never hold
them here, so the variant loaded is the one GGML_BACKEND_PATH names, in this process and in the processes it
starts (`python -m llama_cpp.server`). `choose()` sets it: the variant with the highest `ggml_backend_score()`
on this CPU, as llama.cpp's `ggml_backend_load_best` picks, except AMX (`sapphirerapids`), which some virtual
machines advertise and then kill at its first tile instruction. PLAYGROUND_CPU_VARIANT names one instead.

Kernels with an instruction the CPU refuses die with SIGILL ("Illegal instruction") at the first token, taking
the process with them; so `try_variant` first loads the model in a child process and decodes a few tokens.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import EngineError
from ..settings import get_settings

log = logging.getLogger(__name__)

ENV = "GGML_BACKEND_PATH"  # llama.cpp loads the backend this file names, besides those in its search folders
VARIANT_PREFIX = "libggml-cpu-"
AMX_VARIANTS = ("sapphirerapids",)  # loaded only when named
PORTABLE_FIX = ("Reinstall llama-cpp-python from its line in requirements.txt, which builds it for every CPU "
                "(docs/engines.md#illegal-instruction has the command).")
# The probe's child: load the model and evaluate a prompt (matrix-matrix kernels), then one token (matrix-vector
# kernels, as decoding runs them).
CHILD = """
import os, sys
if sys.argv[3]:
    os.putenv("GGML_BACKEND_PATH", sys.argv[3])
import llama_cpp
llm = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=256, n_batch=64, n_threads=int(sys.argv[2]),
                      n_threads_batch=int(sys.argv[2]), verbose=False)
tokens = llm.tokenize(b"def add(a, b):\\n    return a + b\\n")
llm.eval(tokens[:-1])
llm.eval(tokens[-1:])
"""


@dataclass(frozen=True)
class Variant:
    """One CPU backend library of a portable build and its score on this CPU (0: a feature is missing)."""

    name: str
    path: Path
    score: int


@dataclass(frozen=True)
class ProbeResult:
    """How a child process fared loading a model with one variant (None: a build without variants)."""

    variant: str | None
    returncode: int
    seconds: float
    detail: str = ""
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    @property
    def signal_name(self) -> str:
        """The signal that killed the child ("SIGILL"), or "" when it exited by itself."""
        if self.returncode >= 0:
            return ""
        try:
            return signal.Signals(-self.returncode).name
        except ValueError:
            return f"signal {-self.returncode}"

    def sentence(self) -> str:
        """What happened, for the log and the page."""
        kernels = f"llama.cpp's {self.variant} kernels" if self.variant else "this llama.cpp build"
        if self.timed_out:
            return f"a test process running {kernels} gave no answer ({self.detail})"
        if self.signal_name:
            why = (" (Illegal instruction: code for a CPU feature this machine lacks or refuses)"
                   if self.signal_name == "SIGILL" else "")
            return f"a test process running {kernels} was killed by {self.signal_name}{why}"
        return f"a test process running {kernels} exited with status {self.returncode}: {self.detail}"


def lib_dir() -> Path:
    """llama-cpp-python's folder of shared libraries (imports llama_cpp)."""
    import llama_cpp

    return Path(llama_cpp.__file__).resolve().parent / "lib"


# Scores each variant file given in sys.argv, as llama.cpp's ggml_backend_load_best does, in a child process: the
# variants need libggml-base (which `import llama_cpp` loads) and stay loaded in the process that opened them.
SCORES = """
import ctypes, json, sys, llama_cpp
scores = {}
for path in sys.argv[1:]:
    score = ctypes.CDLL(path).ggml_backend_score
    score.restype = ctypes.c_int
    scores[path] = score()
print(json.dumps(scores))
"""


@functools.cache
def variants() -> list[Variant]:
    """The CPU variants of this llama-cpp-python build, best for this CPU first ([]: a build for one CPU)."""
    paths = sorted(lib_dir().glob(f"{VARIANT_PREFIX}*.so"))
    if not paths:
        return []
    try:
        done = subprocess.run([sys.executable, "-c", SCORES, *map(str, paths)], capture_output=True, text=True,
                              timeout=300)
    except subprocess.TimeoutExpired:
        raise EngineError(f"Reading which CPU kernels this machine runs took over 300 s. {PORTABLE_FIX}") from None
    try:
        scores = json.loads(done.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        ended = ProbeResult(None, done.returncode, 0.0)
        why = f"killed by {ended.signal_name}" if ended.signal_name else f"exit status {done.returncode}"
        last = (done.stderr.strip().splitlines() or [""])[-1][:300]
        raise EngineError(f"Could not read which CPU kernels this machine runs (a test process: {why}; {last}). "
                          + PORTABLE_FIX) from None
    scored = [Variant(p.name.removeprefix(VARIANT_PREFIX).removesuffix(".so"), p, scores[str(p)]) for p in paths]
    return sorted(scored, key=lambda v: -v.score)


def candidates(every: list[Variant], wanted: str = "") -> list[Variant]:
    """The variants to try, in order: `wanted` alone when named, else those this CPU runs, AMX excluded."""
    if wanted:
        named = [v for v in every if v.name == wanted]
        if not named:
            raise EngineError(f"PLAYGROUND_CPU_VARIANT={wanted!r} is not a CPU variant of this llama.cpp build; it has "
                              f"{', '.join(v.name for v in every) or 'none (it was built for one CPU)'}.")
        if named[0].score <= 0:
            raise EngineError(f"PLAYGROUND_CPU_VARIANT={wanted!r} needs CPU features this machine lacks (llama.cpp "
                              "scores it 0 here); this CPU runs: "
                              + ", ".join(v.name for v in every if v.score > 0) + ".")
        return named
    return [v for v in every if v.score > 0 and v.name not in AMX_VARIANTS]


def try_variant(model: Path, variant: Variant | None, threads: int = 2, timeout: float = 300.0) -> ProbeResult:
    """Load `model` with `variant` in a child process and evaluate a few tokens; how that went."""
    name = variant.name if variant else None
    start = time.monotonic()
    try:
        args = [sys.executable, "-c", CHILD, str(model), str(threads), str(variant.path) if variant else ""]
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return ProbeResult(name, 0, time.monotonic() - start, f"no answer in {timeout:.0f} s", timed_out=True)
    lines = (done.stdout + done.stderr).strip().splitlines()
    return ProbeResult(name, done.returncode, time.monotonic() - start, lines[-1][:300] if lines else "")


@dataclass
class Kernels:
    """What this process decided: the variant GGML_BACKEND_PATH names, and what died in a test process first."""

    variant: str | None = None
    path: str = ""
    notice: str = ""
    probed: frozenset[Path] = frozenset()


_STATE = Kernels()
_LOCK = threading.Lock()


def choose(model: Path) -> Kernels:
    """Before this process loads `model` with llama.cpp: pick the CPU kernels, once per process, and try the
    model in a child process first (PLAYGROUND_LLAMA_PROBE=0 skips that). Kernels that die there are skipped
    for the next variant down, with a notice; EngineError when none runs, saying what to do."""
    global _STATE
    settings = get_settings()
    with _LOCK:
        if model.resolve() in _STATE.probed:
            return _STATE
        # Kernels already chosen stay (ggml cannot unload them); PLAYGROUND_CPU_VARIANT comes before GGML_BACKEND_PATH.
        chosen = _STATE.path or ("" if settings.cpu_variant else settings.ggml_backend_path)
        every: list[Variant] = []
        order: list[Variant | None] = [None]  # a build for one CPU (when no variant is named)
        if chosen:  # set by the user, or by this process for an earlier model: the kernels stay
            order = [Variant(Path(chosen).name.removeprefix(VARIANT_PREFIX).removesuffix(".so"), Path(chosen), 1)]
        elif (every := variants()) or settings.cpu_variant:
            order = list(candidates(every, settings.cpu_variant))
        if not order:
            raise EngineError("None of this llama.cpp build's CPU variants runs on this CPU "
                              f"({', '.join(v.name for v in every)}). {PORTABLE_FIX}")
        variant, failed, last = first_running(model, order, settings.llama_probe, settings.thread_count)
        if len(failed) == len(order):
            raise EngineError(f"llama.cpp cannot run {model.name} on this machine: "
                              + "; ".join(r.sentence() for r in failed) + ". " + _remedy(failed, chosen))
        if last is not None and last.signal_name:  # not SIGILL: memory, a damaged file; not the kernels' fault
            raise EngineError(f"llama.cpp could not load {model.name}: {last.sentence()}. A process killed so ran out "
                              "of memory (pick a smaller model, or close other programs) or read a damaged file "
                              "(download it again).")
        if variant is not None:
            os.putenv(ENV, str(variant.path))  # read by llama.cpp at the model's load, and by the processes it starts
        # A model whose child failed otherwise (a damaged file) is tried again next time; the kernels stay.
        tried = {model.resolve()} if last is None or last.ok or last.timed_out else set()
        _STATE = Kernels(variant.name if variant else None, str(variant.path) if variant else "",
                         _notice(failed, variant), _STATE.probed | tried)
        return _STATE


def first_running(model: Path, order: list[Variant | None], probe: bool = True,
                  threads: int = 2) -> tuple[Variant | None, list[ProbeResult], ProbeResult | None]:
    """The first of `order` whose child process is not killed by an illegal instruction (unprobed: the first),
    the results of those that were, and the last result (None: unprobed). A child that fails otherwise (a
    damaged file, no memory) or times out ends the search there: the kernels are not to blame."""
    failed: list[ProbeResult] = []
    for variant in order:
        if not probe:
            return variant, failed, None
        result = try_variant(model, variant, threads)
        if result.signal_name == "SIGILL":
            log.warning("%s while loading %s", result.sentence(), model.name)
            failed.append(result)
            continue
        if result.timed_out:
            log.warning("%s; loading %s with them anyway", result.sentence(), model.name)
        return variant, failed, result
    return None, failed, failed[-1] if failed else None


def environment() -> dict[str, str]:
    """GGML_BACKEND_PATH for a llama.cpp process started from here (`python -m llama_cpp.server`): the kernels
    this process runs, else the best this CPU runs ({} for a build without variants; unprobed)."""
    chosen = _STATE.path or get_settings().ggml_backend_path
    if chosen:
        return {ENV: chosen}
    order = candidates(variants(), get_settings().cpu_variant)
    return {ENV: str(order[0].path)} if order else {}


def _notice(failed: list[ProbeResult], used: Variant | None) -> str:
    if not failed or used is None:
        return ""
    first = failed[0].sentence()
    return f"{first[0].upper()}{first[1:]}, so this app runs its {used.name} kernels, which run here (maybe slower)."


def _remedy(failed: list[ProbeResult], chosen: str) -> str:
    if chosen:
        return (f"{ENV}={chosen} fixed these kernels (set by you, or by this app for an earlier model): unset it "
                "and start the app again to try every variant, or set PLAYGROUND_CPU_VARIANT=x64 (every x86-64 CPU "
                "runs it).")
    if failed and failed[0].variant is None:
        return "This llama-cpp-python was compiled for another CPU. " + PORTABLE_FIX
    return "Set PLAYGROUND_CPU_VARIANT to x64 (every x86-64 CPU runs it), or report this CPU."
