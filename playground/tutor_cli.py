"""The tutor on the command line: `python -m playground hint FILE [--error MSG] [--step 1-4] [--json]`, one step of
the ladder (hints.py) for code with a bug (Debug) or code to finish (`--task complete`), and `python -m playground
explain-error FILE --error MSG [--json]` (explain_error.py). The class's limits hold here too (PLAYGROUND_TASKS,
PLAYGROUND_MAX_HINT_STEP)."""

from __future__ import annotations

import argparse
import json
import sys

from .engines import engine_names, load_engine
from .explain_error import explain_error
from .hints import STEPS, WHAT, climb
from .languages import canonical_language, guess_language, language_from_filename
from .limits import Limits
from .params import GenerationParams
from .settings import Settings
from .tasks import TASKS, Request

HINTED = [t.name for t in TASKS.values() if t.shows.hints]


HINT_HELP = "a hint, one step at a time: where to look, what is wrong, the idea, the answer"
EXPLAIN_HELP = "explain an error message or traceback: what it means, at which line of the code, why, what to try"


def explain_arguments(p: argparse.ArgumentParser) -> None:
    """The `explain-error` subcommand's arguments."""
    p.add_argument("file", help="the code the error came from, or - for standard input")
    p.add_argument("--error", required=True, help="the error message or traceback")
    p.add_argument("--from", dest="source", help="the code's language (default: from the file name, else guessed)")
    p.add_argument("--json", action="store_true", help="print one JSON object: line, exception, reproduced, text")
    p.add_argument("--model", help="the model (default: PLAYGROUND_MODEL)")
    p.add_argument("--engine", help=f"one of: {', '.join(engine_names())} (default: PLAYGROUND_ENGINE)")


def run_explain(args: argparse.Namespace, code: str, settings: Settings, model: str | None) -> int:
    """Answer `explain-error` (errors are the caller's: exit status 2)."""
    debug = next(t for t in TASKS.values() if t.shows.explains_errors)
    Limits.from_setting(settings.tasks, TASKS, settings.max_hint_step).check_task(debug.name, debug.title)
    language = args.source or (language_from_filename(args.file) if args.file != "-" else None) or \
        guess_language(code) or ""
    said = explain_error(code, args.error, canonical_language(language) if language else "",
                         load_engine(args.engine or settings.engine, model or settings.model))
    if args.json:
        print(json.dumps(said.to_dict(), indent=2))
        return 0
    where = f"line {said.line}" if said.line else "no line of this code"
    how = f", reproduced by running {said.ran}" if said.reproduced else ", not reproduced here"
    print(f"{said.exception or 'an error'} at {where}{how}:\n{said.text}")
    return 0


def hint_arguments(p: argparse.ArgumentParser) -> None:
    """The `hint` subcommand's arguments."""
    p.add_argument("file", help="the code, or - for standard input")
    p.add_argument("--error", default="", help="the error message or traceback the code gave (Debug)")
    p.add_argument("--step", type=int, choices=STEPS, default=1,
                   help="1 where to look, 2 what is wrong (no code), 3 the idea of the fix (one line), 4 the answer")
    p.add_argument("--task", choices=HINTED, default=HINTED[0], help="what the code needs (default: debug)")
    p.add_argument("--from", dest="source", help="the code's language (default: from the file name, else guessed)")
    p.add_argument("--json", action="store_true", help="print one JSON object: step, line (step 1), text, code "
                                                       "(steps 3-4)")
    p.add_argument("--model", help="the model (default: PLAYGROUND_MODEL)")
    p.add_argument("--engine", help=f"one of: {', '.join(engine_names())} (default: PLAYGROUND_ENGINE)")


def run_hint(args: argparse.Namespace, code: str, settings: Settings, model: str | None) -> int:
    """Answer the subcommand (the caller reads the file and turns PlaygroundErrors into exit status 2)."""
    limits = Limits.from_setting(settings.tasks, TASKS, settings.max_hint_step)
    task = TASKS[args.task]
    limits.check_task(task.name, task.title)
    limits.check_hint(args.step)
    language = args.source or (language_from_filename(args.file) if args.file != "-" else None)
    request = Request.build(task, code, language=language, error=args.error, params=GenerationParams.build(
        temperature=0.0, candidates=settings.candidates, policy=settings.policy))
    engine = load_engine(args.engine or settings.engine, model or settings.model)
    hint, _ = climb(request, args.step, engine)
    if args.json:
        print(json.dumps(hint.to_dict(), indent=2))
        return 0
    where = f" (line {hint.line})" if hint.line else ""
    print(f"Step {hint.step} of 4, {WHAT[hint.step]}{where}:\n{hint.text}")
    if hint.code:
        print("\n" + hint.code)
    leaked = "; the model's words gave the fix away, so this hint is built from the facts" if hint.leaked else ""
    print(f"\n({hint.seconds:.1f} s{leaked})", file=sys.stderr)
    return 0
