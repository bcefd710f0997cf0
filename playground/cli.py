"""`python -m playground TASK FILE ...`: stream an answer to the terminal, or print JSON."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

from .engines import engine_names
from .errors import PlaygroundError
from .highlight import highlight_terminal
from .inputs import decode_source
from .languages import canonical_language, language_from_filename
from .params import GenerationParams
from .pipeline import stream
from .result import Result
from .settings import get_settings
from .tasks import TASKS, Task


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="source file to read, or - for standard input")
    p.add_argument("--from", dest="source",
                   help="language of the input (default: from the file extension, else guessed)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of streaming")
    p.add_argument("--repair", action="store_true",
                   help="when the Python answer has pyflakes errors, ask the model once more with them "
                        "(both rounds are shown; the one with fewer errors is kept)")
    p.add_argument("--model", help="a local .gguf path or hf:OWNER/REPO/FILE.gguf (default: the bundled SmolLM2)")
    p.add_argument("--engine", help=f"one of: {', '.join(engine_names())} (default: PLAYGROUND_ENGINE, else llama-cpp)")
    for name, info in GenerationParams.model_fields.items():
        flag = "--" + name.replace("_", "-")
        p.add_argument(flag, type=type(info.default), default=None, help=f"{info.description} (default {info.default})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m playground", description="Translate, simplify, debug or complete code with a local model."
    )
    sub = parser.add_subparsers(dest="task", required=True)
    for task in TASKS.values():
        p = sub.add_parser(task.name, help=task.description, description=task.description)
        _add_common(p)
        if task.extra is not None:
            p.add_argument(task.extra.flag, dest="extra", required=task.extra.required, help=task.extra.help)
    return parser


def _extra(task: Task, value: str | None) -> dict[str, str]:
    """The task's extra input from its option (a file name for code)."""
    if task.extra is not None and task.extra.kind == "code" and value:
        value = _read(value)
    return task.inputs(value)


def _read(name: str) -> str:
    if name == "-":
        return decode_source(sys.stdin.buffer.read(), "standard input")
    path = Path(name)
    try:
        return decode_source(path.read_bytes(), str(path))
    except OSError as exc:
        raise PlaygroundError(f"Cannot read {path}: {exc.strerror or exc}.") from None


def _print_final(result: Result, out: object) -> None:
    w = out.write  # type: ignore[attr-defined]
    w("\n\n--- code " + "-" * 50 + "\n")
    w(highlight_terminal(result.code, result.language))
    if result.explanation:
        w("\n" + result.explanation + "\n")
    if result.lint_note:
        w(f"\nlint: {result.lint_note}\n")
    elif result.lint:
        w("\nlint:\n" + "".join(f"  line {f.line}, col {f.col}: {f.message}\n" for f in result.lint))
    else:
        w("\nlint: no problems found\n")
    s = result.stats
    w(f"\n{s.prompt_tokens} prompt + {s.completion_tokens} new tokens, {s.tokens_per_s:.1f} tokens/s, "
      f"first token {s.ttft_s:.2f}s, total {s.total_s:.2f}s ({result.model}, {result.engine})\n")
    if len(result.rounds) == 2:
        kept = "the repaired round" if result.code == result.rounds[1].code else "the first round (no fewer errors)"
        w(f"repair: 2 rounds, showing {kept}\n")
    if result.notice:
        w(f"note: {result.notice}\n")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    cancel = threading.Event()
    try:
        get_settings()  # a bad PLAYGROUND_* value is refused before anything loads
        code = _read(args.file)
        language = args.source or (language_from_filename(args.file) if args.file != "-" else None)
        params = GenerationParams.build(**{k: getattr(args, k) for k in GenerationParams.model_fields})
        kwargs: dict[str, object] = {
            "language": canonical_language(language) if language else None,
            **_extra(TASKS[args.task], getattr(args, "extra", None)),
            "params": params, "engine": args.engine, "model": args.model, "cancel": cancel,
        }
        result = None
        shown, rounds = 0, 0
        for result in stream(args.task, code, repair=args.repair, **kwargs):  # type: ignore[arg-type]
            if not args.json:
                if len(result.rounds) != rounds:  # the repair round starts: its answer streams from the top
                    rounds, shown = len(result.rounds), 0
                    if rounds == 1:
                        found = "; ".join(f"line {f.line}: {f.message}" for f in result.rounds[0].lint
                                          if f.kind == "error")
                        sys.stdout.write(f"\n\n--- pyflakes found errors ({found}); asking once more ---\n")
                    continue
                sys.stdout.write(result.answer[shown:])
                sys.stdout.flush()
                shown = len(result.answer)
        assert result is not None
        if args.json:
            print(json.dumps(result.to_dict(), indent=2))
        else:
            _print_final(result, sys.stdout)
        return 0
    except PlaygroundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        cancel.set()
        print("\nstopped", file=sys.stderr)
        return 130
