"""Decode speed of the portable llama.cpp build against one compiled for this CPU, side by side (prints figures).

This .venv holds the portable build (requirements.txt: every x86-64 kernel variant, the chosen one loaded through
GGML_BACKEND_PATH). The other build lives in another environment, e.g. pip's default build, for this CPU:

    python3 -m venv /tmp/native && /tmp/native/bin/pip install --no-cache-dir "llama-cpp-python==$(.venv/bin/python \
        -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))')"      # ~5 min on 2 cores

Each run is a fresh process that loads the default model and decodes 128 tokens greedily (end of text forbidden,
so every run decodes them all), timed by llama.cpp's own counters; the two builds alternate in pairs, the order
swapped every pair. Beside each run, how many cores other processes used meanwhile (the machine's noise): pairs
where they used more than --max-others are printed and left out of the medians.

Run: `PYTHONPATH=. .venv/bin/python bench/portable.py --native /tmp/native/bin/python [--pairs 6] [--threads 2]`
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.engines import cpu_backend  # noqa: E402
from playground.models import locate  # noqa: E402

RUN = """
import json, sys, llama_cpp
model, threads = sys.argv[1], int(sys.argv[2])
llm = llama_cpp.Llama(model_path=model, n_ctx=1024, n_threads=threads, n_threads_batch=threads, verbose=False)
prompt = ("# A Python module: a binary search tree with insert, delete, search and the three traversals, "
          "each method with a docstring.\\n\\nclass Node:\\n")
for _ in llm.create_completion(prompt, max_tokens=128, temperature=0.0, stream=True,
                               logit_bias={llm.token_eos(): -1e9}):
    pass
perf = llama_cpp.llama_perf_context(llm._ctx.ctx)
print(json.dumps({"tokens": perf.n_eval, "tps": perf.n_eval / perf.t_eval_ms * 1000.0}))
"""
HZ = os.sysconf("SC_CLK_TCK")


def busy_seconds() -> float:
    """CPU seconds all processes of the machine have used (from /proc/stat)."""
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / HZ


def run(python: str, env: dict[str, str], model: Path, threads: int) -> tuple[float, float]:
    """(tokens/s, cores other processes used meanwhile) of one decode run."""
    before, mine0, start = busy_seconds(), resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    done = subprocess.run([python, "-c", RUN, str(model), str(threads)], env=env, capture_output=True, text=True,
                          check=True)
    mine1, elapsed = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic() - start
    mine = (mine1.ru_utime + mine1.ru_stime) - (mine0.ru_utime + mine0.ru_stime)
    others = max(0.0, busy_seconds() - before - mine) / elapsed
    return json.loads(done.stdout.strip().splitlines()[-1])["tps"], others


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--native", required=True, help="python of an environment with another llama-cpp-python")
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-others", type=float, default=0.25, help="cores others may use during a kept pair")
    args = parser.parse_args()
    model = locate("default").path
    base = {k: v for k, v in os.environ.items() if k != cpu_backend.ENV}
    builds = {"portable": (sys.executable, {**base, **cpu_backend.environment()}), "native": (args.native, base)}
    print(f"model {model.name}, {args.threads} threads, 128 tokens; portable kernels: "
          f"{cpu_backend.environment().get(cpu_backend.ENV, '(none: not the portable build)')}")
    kept: list[dict[str, float]] = []
    for i in range(args.pairs):
        order = ("native", "portable") if i % 2 == 0 else ("portable", "native")
        pair = {name: run(*builds[name], model, args.threads) for name in order}
        keep = all(others <= args.max_others for _, others in pair.values())
        print(f"pair {i + 1} ({' then '.join(order)}): native {pair['native'][0]:.2f} tok/s, portable "
              f"{pair['portable'][0]:.2f} tok/s, ratio {pair['portable'][0] / pair['native'][0]:.3f}; others used "
              f"{pair['native'][1]:.2f}/{pair['portable'][1]:.2f} cores" + ("" if keep else " (left out)"))
        if keep:
            kept.append({name: tps for name, (tps, _) in pair.items()})
    if not kept:
        print("no quiet pair: the machine was busy throughout")
        return
    native = statistics.median(p["native"] for p in kept)
    portable = statistics.median(p["portable"] for p in kept)
    ratios = [p["portable"] / p["native"] for p in kept]
    print(f"kept {len(kept)} of {args.pairs} pairs: median native {native:.2f}, portable {portable:.2f} tok/s; "
          f"ratio of medians {portable / native:.3f}, pair ratios {min(ratios):.3f}-{max(ratios):.3f}")


if __name__ == "__main__":
    main()
