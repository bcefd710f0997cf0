"""`python -m playground.evaluate`: how often each task's answer is right, per model and prompt.

Runs every task on its evaluation set (examples/eval/), checks each answer automatically in a
sandbox (playground/evaluate/sandbox.py) and prints a Markdown table. Nothing is cached between runs:
every run generates and checks every answer again, so a regression always shows (within a run, methods
that send the same request share its generation: playground/evaluate/replay.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from ..errors import PlaygroundError
from .dataset import TASK_ORDER, TIERS
from .report import checks_table, table
from .runner import BEST_OF, METHODS, PARAMS, Attempt, done_key, evaluate, print_progress
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
                   help="comma-separated tasks (default: all of them)")
    p.add_argument("--models", type=_list, default=["qwen2.5-coder-1.5b", "smollm2-135m"],
                   help="comma-separated model names (qwen2.5-coder-1.5b, qwen2.5-coder-0.5b, smollm2-135m, "
                        "gemma3-270m), .gguf paths or hf:OWNER/REPO/FILE.gguf")
    p.add_argument("--methods", type=lambda s: _list(s, METHODS), default=["anchor", "pipeline", "repair"],
                   help="comma-separated: anchor (one-line prompt), pipeline, repair (pipeline + lint repair), "
                        "checked (pipeline + its sandbox checks), best-of-n (the same, --budget fresh answers), "
                        "repair-n (repairs from what failed), mixed-n (fresh and repair in turn)")
    p.add_argument("--tiers", type=lambda s: _list(s, TIERS), default=["basic"],
                   help="comma-separated: basic (examples/eval/), hard (examples/eval/hard/: typed, with >>> "
                        "examples), hard-plain (the hard items without their type hints and >>> examples)")
    p.add_argument("--budget", type=int, default=BEST_OF,
                   help=f"answers per request for best-of-n, repair-n and mixed-n (default {BEST_OF})")
    p.add_argument("--limit", type=int, default=None, help="only the first N items of each task")
    p.add_argument("--engine", default="llama-cpp", choices=("llama-cpp", "llama-server"),
                   help="the engine that generates: llama-cpp (in-process, default) or llama-server (which "
                        "PLAYGROUND_SPECULATION and PLAYGROUND_THREADS configure)")
    p.add_argument("--jobs", type=int, default=1, help="threads that run checks while answers are generated")
    p.add_argument("--max-tokens", type=int, default=PARAMS.max_tokens, help="answer length cap (tokens)")
    p.add_argument("--repeat-penalty", type=float, default=PARAMS.repeat_penalty,
                   help=f"repeat penalty (default {PARAMS.repeat_penalty}; 1.0 is off)")
    p.add_argument("--out", default=None,
                   help="also write every answer and verdict to this JSONL file, one line as each is checked")
    p.add_argument("--resume", action="store_true",
                   help="with --out: keep the file's answers, run only what it lacks, print the table of both")
    p.add_argument("--report", nargs="+", metavar="JSONL", default=None,
                   help="run nothing: print the table of answers saved by earlier runs' --out")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return p.parse_args(argv)


def load_attempts(path: str) -> list[Attempt]:
    """The attempts an earlier run wrote with --out (a line cut by an interrupted run is skipped)."""
    attempts = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            attempts.append(Attempt(**json.loads(line)))
        except (ValueError, TypeError):
            continue
    return attempts


def _recorder(path: str, append: bool, show: bool) -> tuple[Callable[[Attempt], None], Callable[[], None]]:
    """(record, close): record writes one attempt per line at once (thread-safe), so an interrupted
    run keeps what it checked."""
    before = Path(path).read_bytes() if append and Path(path).is_file() else b""
    cut = bool(before) and not before.endswith(b"\n")
    f = open(path, "a" if append else "w", encoding="utf-8")  # noqa: SIM115 - closed by close()
    if cut:  # an interrupted run left half a line: the next answer starts on a line of its own
        f.write("\n")
    lock = threading.Lock()

    def record(attempt: Attempt) -> None:
        with lock:
            f.write(json.dumps(asdict(attempt)) + "\n")
            f.flush()
        if show:
            print_progress(attempt)
    return record, f.close


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the table; exit 1 on a playground error, 2 on bad arguments."""
    args = parse_args(argv)
    if args.report:
        missing = [f for f in args.report if not Path(f).is_file()]
        if missing:
            print(f"error: no such file: {', '.join(missing)}", file=sys.stderr)
            return 2
        _print_tables([a for f in args.report for a in load_attempts(f)])
        return 0
    if args.resume and not args.out:
        print("error: --resume needs --out FILE (the file to continue)", file=sys.stderr)
        return 2
    kept = load_attempts(args.out) if args.resume and Path(args.out).is_file() else []
    params = PARAMS.model_copy(update={"max_tokens": args.max_tokens, "repeat_penalty": args.repeat_penalty})
    print(f"sandbox isolation: {isolation()}; greedy decoding, max {params.max_tokens} tokens, "
          f"repeat penalty {params.repeat_penalty}"
          + (f"; {len(kept)} answers kept from {args.out}" if kept else ""), file=sys.stderr)
    progress: Callable[[Attempt], None] | None = None if args.quiet else print_progress
    close: Callable[[], None] | None = None
    if args.out:
        progress, close = _recorder(args.out, append=args.resume, show=not args.quiet)
    try:
        attempts = evaluate(args.models, args.tasks, args.methods, limit=args.limit, params=params,
                            jobs=args.jobs, tiers=args.tiers, progress=progress,
                            done={done_key(a) for a in kept}, engine_name=args.engine,
                            budget=args.budget)
    except PlaygroundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if close is not None:
            close()
    _print_tables(kept + attempts)
    return 0


def _print_tables(attempts: list[Attempt]) -> None:
    print(table(attempts))
    checks = checks_table(attempts)
    if checks:
        print("\nThe pipeline's own checks against the hidden tests:\n\n" + checks)


if __name__ == "__main__":
    sys.exit(main())
