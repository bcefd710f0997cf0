"""Teaching-view benchmark: one step (next-token logits + top-20 with probabilities) vs a plain generated token.

Both are measured in the same run, interleaved, on the bundled model and the same prompt, so the ratio holds
on a busy machine even when the absolute figures do not. Prints figures; asserts nothing.
Target (issue "Teaching view"): a step costs under 3x a plain token.

    .venv/bin/python bench/teach.py [--steps 64] [--rounds 5] [--models default,smollm2-135m]

With two models it also prints each one's overhead per step (step minus plain token, the teaching view's own
cost), so a large vocabulary (Qwen's 151,936 tokens against SmolLM2's 49,152) can be compared side by side.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.engines import Engine, load_engine  # noqa: E402
from playground.params import GenerationParams  # noqa: E402
from playground.prompting import Prompt  # noqa: E402
from playground.tasks import build_prompt  # noqa: E402
from playground.teach.sampling import TOP_K_MAX, Sampling  # noqa: E402
from playground.teach.steps import next_token, start_walk  # noqa: E402

CODE = "def fizzbuzz(n):\n    for i in range(1, n + 1):\n        if i % 15 == 0:\n            print('FizzBuzz')\n"


def plain_token_ms(engine: Engine, prompt: Prompt, steps: int) -> float:
    """Median milliseconds between generated tokens of a normal stream (the first token, which pays for the
    prompt, is left out)."""
    params = GenerationParams(temperature=0.0, max_tokens=steps)
    stamps = [time.perf_counter()]
    for chunk in engine.stream(prompt.text, params, []):
        if chunk.n_tokens:
            stamps.append(time.perf_counter())
    gaps = [b - a for a, b in zip(stamps[1:], stamps[2:], strict=False)]
    return 1000 * statistics.median(gaps)


def step_ms(engine: Engine, prompt: Prompt, steps: int) -> float:
    """Median milliseconds per teaching step (model call for the next logits, full-vocabulary softmax, the
    1024 stored candidates, the sampler's view, and the top-20 read), the first step left out."""
    walk = start_walk(engine, prompt)
    greedy = Sampling(temperature=0.0)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step = next_token(engine, walk, greedy)
        step.dist.top(TOP_K_MAX)
        times.append(time.perf_counter() - start)
        if step.end:
            break
    return 1000 * statistics.median(times[1:])


def measure(name: str, steps: int, rounds: int) -> tuple[str, float, float]:
    """(model file, median plain token ms, median teaching step ms) for one model, interleaved."""
    engine = load_engine("llama-cpp", name)
    # No stop sequence and a Translate prompt (a chat answer on every model), so both runs keep going.
    prompt = build_prompt("translate", CODE, engine.info, source="python", target="javascript")
    prompt = type(prompt)(prompt.text, prompt.prefill, [], prompt.language, prompt.mode, prompt.messages)
    plain, stepped = [], []
    for _ in range(rounds):
        plain.append(plain_token_ms(engine, prompt, steps))
        stepped.append(step_ms(engine, prompt, steps))
    return engine.info.name, statistics.median(plain), statistics.median(stepped)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--models", default="default", help="comma-separated model names (default: the default)")
    args = parser.parse_args()
    rows = [measure(name.strip(), args.steps, args.rounds) for name in args.models.split(",") if name.strip()]
    print(f"{args.rounds} rounds x {args.steps} tokens per model, plain and stepped interleaved")
    print("| model | plain token ms | teaching step ms | ratio step / plain (target < 3) | overhead per step ms |")
    print("|---|---:|---:|---:|---:|")
    for name, p, s in rows:
        print(f"| {name} | {p:.1f} | {s:.1f} | {s / p:.2f} | {s - p:.1f} |")
    if len(rows) > 1:
        (a, pa, sa), (b, pb, sb) = rows[:2]
        print(f"overhead per step, {a} / {b}: {(sa - pa) / (sb - pb):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
