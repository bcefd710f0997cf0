"""Teaching-view benchmark: one step (next-token logits + top-20 with probabilities) vs a plain generated token.

Both are measured in the same run, interleaved, on the bundled model and the same prompt, so the ratio holds
on a busy machine even when the absolute figures do not. Prints figures; asserts nothing.
Target (issue "Teaching view"): a step costs under 3x a plain token.

    .venv/bin/python bench/teach.py [--steps 64] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.engines import load_engine  # noqa: E402
from playground.params import GenerationParams  # noqa: E402
from playground.pipeline import prepare_prompt  # noqa: E402
from playground.teach.sampling import TOP_K_MAX, Sampling  # noqa: E402
from playground.teach.steps import next_token, start_walk  # noqa: E402

CODE = "def fizzbuzz(n):\n    for i in range(1, n + 1):\n        if i % 15 == 0:\n            print('FizzBuzz')\n"


def plain_token_ms(engine: object, prompt: object, steps: int) -> float:
    """Median milliseconds between generated tokens of a normal stream (the first token, which pays for the
    prompt, is left out)."""
    params = GenerationParams(temperature=0.0, max_tokens=steps)
    stamps = [time.perf_counter()]
    for chunk in engine.stream(prompt.text, params, []):  # type: ignore[attr-defined]
        if chunk.n_tokens:
            stamps.append(time.perf_counter())
    gaps = [b - a for a, b in zip(stamps[1:], stamps[2:], strict=False)]
    return 1000 * statistics.median(gaps)


def step_ms(engine: object, prompt: object, steps: int) -> float:
    """Median milliseconds per teaching step (model call for the next logits, full-vocabulary softmax, the
    1024 stored candidates, the sampler's view, and the top-20 read), the first step left out."""
    walk = start_walk(engine, prompt)  # type: ignore[arg-type]
    greedy = Sampling(temperature=0.0)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step = next_token(engine, walk, greedy)  # type: ignore[arg-type]
        step.dist.top(TOP_K_MAX)
        times.append(time.perf_counter() - start)
        if step.end:
            break
    return 1000 * statistics.median(times[1:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    engine = load_engine("llama-cpp", "default")
    # No stop sequence and a Complete prompt, so both runs keep going for --steps tokens.
    prompt = prepare_prompt("complete", CODE, engine.info, language="python")
    prompt = type(prompt)(prompt.text, prompt.prefill, [], prompt.language, prompt.mode, prompt.messages)
    plain, stepped = [], []
    for _ in range(args.rounds):
        plain.append(plain_token_ms(engine, prompt, args.steps))
        stepped.append(step_ms(engine, prompt, args.steps))
    p, s = statistics.median(plain), statistics.median(stepped)
    print(f"model: {engine.info.name} ({engine.info.quantization}), {args.rounds} rounds x {args.steps} tokens, "
          "interleaved")
    print("| measure | median ms |")
    print("|---|---|")
    print(f"| plain generated token | {p:.1f} |")
    print(f"| teaching step (top-{TOP_K_MAX} with probabilities) | {s:.1f} |")
    print(f"| ratio step / plain token (target < 3) | {s / p:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
