"""A repair turn's prompt from the cache: time to first token of the follow-up turn right after the first answer
(its prefix, the first conversation and the answer, is still in the engine's cache) against the same prompt
evaluated cold (the cache dropped first), per engine (prints figures; asserts nothing).

For each of the page's Debug and Translate examples: the first answer is generated (greedy), checked in the
sandbox, and the repair turn is built from what failed (or, when it passed, from a one-line note, so the turn
has the same shape); then the repair prompt is sent twice for one token, warm (right after the answer) and cold
(after `reset()`, which makes the next prompt evaluate from scratch). Engines: llama-cpp in-process and
llama-server (when installed: requirements-classroom.txt), both on the default model unless --model says.

Run: `PYTHONPATH=. .venv/bin/python bench/repair_cache.py [--engines llama-cpp,llama-server]` (2 cores: ~3 min).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground import pipeline  # noqa: E402
from playground.engines import Engine, Stepper, load_engine  # noqa: E402
from playground.errors import PlaygroundError  # noqa: E402
from playground.params import GenerationParams  # noqa: E402
from playground.prompting import Prompt  # noqa: E402
from playground.repair import repair_prompt  # noqa: E402
from playground.tasks import Request  # noqa: E402
from playground.tasks.examples import Example, load_examples  # noqa: E402

ONE = GenerationParams(temperature=0.0, max_tokens=1)
NOTE = "- Check the code once more against its examples."  # a passing first answer's stand-in feedback


def first_token(engine: Engine, prompt: Prompt) -> tuple[float, int]:
    """(seconds to the first piece, prompt tokens the engine says came from its cache, -1 when it cannot tell)."""
    start = time.perf_counter()
    cached = -1
    for chunk in engine.stream(prompt.text, ONE, stop=prompt.stop):
        if chunk.usage:
            cached = int(chunk.usage.get("cached_tokens", cached))
    return time.perf_counter() - start, cached


def turns(engine: Engine, example: Example) -> tuple[Prompt, int] | None:
    """Generate and check the first answer, then build its repair turn: (the repair prompt, its tokens)."""
    request = Request.build(example.task, example.code, language=example.language, target=example.target,
                            error=example.error, suffix=example.suffix, tests=example.tests,
                            params=GenerationParams(temperature=0.0, max_tokens=384))
    if isinstance(engine, Stepper):
        engine.reset()
    result = pipeline.run_request(request, engine=engine, checks=True)
    prompt = request.prompt(engine.info)
    told = ""
    if result.checks is not None:
        told = request.task.feedback(result.checks, result.answer,
                                     request.task.program(result.answer.code, prompt, request.suffix))
    follow_up = repair_prompt(prompt, result.answer.code, told or NOTE, engine.info)
    return None if follow_up is None else (follow_up, engine.count_tokens(follow_up.text))


def measure(engine: Engine, examples: list[Example]) -> list[tuple[str, int, float, float, int]]:
    """Per example: (name, repair prompt tokens, warm TTFT, cold TTFT, cached tokens warm)."""
    rows = []
    for example in examples:
        built = turns(engine, example)  # the first answer is now in the cache
        if built is None:
            continue
        follow_up, n_tokens = built
        warm, cached = first_token(engine, follow_up)
        if isinstance(engine, Stepper):
            engine.reset()
        cold, _ = first_token(engine, follow_up)
        rows.append((f"{example.task}/{example.name}", n_tokens, warm, cold, cached))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="llama-cpp,llama-server")
    parser.add_argument("--model", default="default")
    parser.add_argument("--tasks", default="debug,translate")
    args = parser.parse_args()
    examples = [e for task in args.tasks.split(",") for e in load_examples(task)]
    print("| engine | example | repair prompt tokens | warm TTFT s | cold TTFT s | cached (warm) |")
    print("|---|---|---:|---:|---:|---:|")
    summary = []
    for name in args.engines.split(","):
        try:
            engine = load_engine(name, args.model)
        except PlaygroundError as exc:
            print(f"| {name} | not measured: {exc} | | | | |")
            continue
        try:
            rows = measure(engine, examples)
        finally:
            engine.close()
        for example, n, warm, cold, cached in rows:
            shown = "?" if cached < 0 else str(cached)
            print(f"| {name} | {example} | {n} | {warm:.2f} | {cold:.2f} | {shown} |", flush=True)
        if rows:
            warm_p50 = statistics.median(r[2] for r in rows)
            cold_p50 = statistics.median(r[3] for r in rows)
            summary.append(f"{name}: warm p50 {warm_p50:.2f} s, cold p50 {cold_p50:.2f} s "
                           f"(cold / warm {cold_p50 / warm_p50:.1f}x), {len(rows)} repair turns")
    print("\n" + "\n".join(summary))


if __name__ == "__main__":
    main()
