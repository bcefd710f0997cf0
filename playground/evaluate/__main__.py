"""`python -m playground.evaluate`: how often each task's answer is right, per model and prompt.

Runs every task on its evaluation set (examples/eval/), checks each answer automatically in a
sandbox (playground/evaluate/sandbox.py) and prints a Markdown table. Nothing is cached: every
run generates and checks every answer again, so a regression always shows.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from ..errors import PlaygroundError
from .dataset import TASK_ORDER, TIERS
from .report import table
from .runner import METHODS, PARAMS, evaluate, print_progress
from .sandbox import isolation


def _list(text: str, valid: tuple[str, ...] | None = None) -> list[str]:
    values = [v.strip() for v in text.split(",") if v.strip()]
    bad = [v for v in values if valid is not None and v not in valid]
    if bad:
        raise argparse.ArgumentTypeError(f"unknown {', '.join(bad)}; valid: {', '.join(valid or ())}")
    return values


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: which tasks, models and prompts, how many items, how many check workers."""
    p = argparse.ArgumentParser(prog="python -m playground.evaluate", description=__doc__.split("\n")[0])
    p.add_argument("--tasks", type=lambda s: _list(s, TASK_ORDER), default=list(TASK_ORDER),
                   help="comma-separated tasks (default: all four)")
    p.add_argument("--models", type=_list, default=["smollm2", "gemma3"],
                   help="comma-separated: smollm2, gemma3, a .gguf path or hf:OWNER/REPO/FILE.gguf")
    p.add_argument("--methods", type=lambda s: _list(s, METHODS), default=["anchor", "pipeline", "repair"],
                   help="comma-separated: anchor (one-line prompt), pipeline, repair (pipeline + lint repair), "
                        "checked (pipeline + its sandbox checks), best-of-n (the same, 4 candidates)")
    p.add_argument("--tiers", type=lambda s: _list(s, TIERS), default=["basic"],
                   help="comma-separated: basic (examples/eval/), hard (examples/eval/hard/: typed, with >>> examples)")
    p.add_argument("--limit", type=int, default=None, help="only the first N items of each task")
    p.add_argument("--jobs", type=int, default=1, help="threads that run checks while answers are generated")
    p.add_argument("--max-tokens", type=int, default=PARAMS.max_tokens, help="answer length cap (tokens)")
    p.add_argument("--out", default=None, help="also write every answer and verdict to this JSONL file")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the table; exit 1 on a playground error."""
    args = parse_args(argv)
    params = PARAMS.model_copy(update={"max_tokens": args.max_tokens})
    print(f"sandbox isolation: {isolation()}; greedy decoding, max {params.max_tokens} tokens", file=sys.stderr)
    try:
        attempts = evaluate(args.models, args.tasks, args.methods, limit=args.limit, params=params,
                            jobs=args.jobs, tiers=args.tiers, progress=None if args.quiet else print_progress)
    except PlaygroundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            for a in attempts:
                f.write(json.dumps(asdict(a)) + "\n")
    print(table(attempts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
