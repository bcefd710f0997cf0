"""`python -m playground TASK FILE ...`: stream an answer to the terminal, or print JSON.
`python -m playground check FILE ...`: check code (exit 0 when every check passes); the model is used only to
write example calls for an --against original that has none."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

from . import tutor_cli
from .assemble import ProgressCallback
from .checks import CheckPlan, Expect, check
from .derive import with_written_calls
from .engines import cpu_backend, engine_names, load_engine, loads_model_file
from .errors import PlaygroundError
from .inputs import decode_source
from .languages import RUNNABLE, language_from_filename
from .limits import Limits
from .models import locate
from .params import GenerationParams
from .pipeline import stream_request
from .record import new_request_id, open_record
from .record.classroom import Asked, Classroom
from .settings import Settings, get_settings
from .tasks import TASKS, Request, Task, TaskInputs, what_it_does
from .terminal import echo, print_final
from .verdict import VerdictStatus


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="source file to read, or - for standard input")
    p.add_argument("--from", dest="source",
                   help="language of the input (default: from the file extension, else guessed)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of streaming")
    p.add_argument("--repair", action="store_true",
                   help="when the Python answer has pyflakes errors, ask the model once more with them "
                        "(both rounds are shown; the one with fewer errors is kept)")
    p.add_argument("--tests", dest="tests_file", help="file of tests the answer must pass: >>> examples or "
                                                       "assert lines")
    p.add_argument("--no-checks", action="store_true", help="do not run the answer (only lint it)")
    p.add_argument("--model", help="a model's name (qwen2.5-coder-1.5b, qwen2.5-coder-0.5b, smollm2-135m, "
                                    "gemma3-270m), a local .gguf path or hf:OWNER/REPO/FILE.gguf (default: "
                                    "PLAYGROUND_MODEL, else Qwen2.5-Coder-1.5B-Instruct)")
    p.add_argument("--engine", help=f"one of: {', '.join(engine_names())} (default: PLAYGROUND_ENGINE, else llama-cpp)")
    for name, info in GenerationParams.model_fields.items():
        flag = "--" + name.replace("_", "-")
        choices = [str(c) for c in type(info.default)] if isinstance(info.default, StrEnum) else None
        default = f"PLAYGROUND_{name.upper()}, else {Settings.model_fields[name].default}" \
            if name in Settings.model_fields else info.default  # the budget and policy: the settings'
        p.add_argument(flag, type=type(info.default), default=None, choices=choices,
                       help=f"{info.description} (default {default})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m playground",
        description=f"{what_it_does()} with a local model."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for task in TASKS.values():
        p = sub.add_parser(task.name, help=task.description, description=task.description)
        _add_common(p)
        if task.extra is not None:
            p.add_argument(task.extra.flag, dest="extra", required=task.extra.required, help=task.extra.help)
    tutor_cli.hint_arguments(sub.add_parser("hint", help=tutor_cli.HINT_HELP, description=tutor_cli.__doc__))
    tutor_cli.explain_arguments(sub.add_parser("explain-error", help=tutor_cli.EXPLAIN_HELP,
                                               description=tutor_cli.__doc__))
    p = sub.add_parser("check", help="check code: its >>> examples, tests, and an original's behaviour",
                       description=CHECK_HELP)
    p.add_argument("file", help="the code to check, or - for standard input")
    p.add_argument("--tests", dest="tests_file", help="file of >>> examples or assert lines")
    p.add_argument("--against", help="the original code: the checked code must behave the same on its inputs "
                                     "(with --task debug: the buggy code it fixes)")
    p.add_argument("--task", choices=[t.name for t in TASKS.values() if t.expect is not Expect.OWN_CHECKS],
                   help="what the code is an answer to (default: simplify when --against is in the same language, "
                        "else translate); debug judges a fix of --against exactly as the Debug tab does")
    p.add_argument("--error", default="", help="with --task debug: the error message or traceback the buggy code "
                                              "gave (its exception must be gone where the code is meant to work)")
    p.add_argument("--language", choices=RUNNABLE,
                   help="language of the code (default: from the file extension, else python)")
    p.add_argument("--json", action="store_true", help="print the checks as one JSON object")
    p.add_argument("--no-model", action="store_true",
                   help="with --against: do not ask the model for example calls of functions that have no examples "
                        "or type hints (they are then checked only where examples call them)")
    p.add_argument("--model", help="the model that writes example calls with --against (default: PLAYGROUND_MODEL)")
    p.add_argument("--engine", help=f"one of: {', '.join(engine_names())} (default: PLAYGROUND_ENGINE)")
    p = sub.add_parser("cpu", help="which llama.cpp CPU kernels this machine runs, tried with a model",
                       description="List the CPU variants of this llama-cpp-python build and this CPU's score for "
                                   "each, then load the model with the chosen one in a child process, as the app "
                                   "does before loading it (docs/engines.md#illegal-instruction). Exit status 1 "
                                   "when no variant runs the model.")
    p.add_argument("--model", help="the model to try (default: PLAYGROUND_MODEL)")
    p.add_argument("--path", action="store_true", help="only print the chosen kernels' file, untried, for "
                                                       "GGML_BACKEND_PATH (empty for a build without variants)")
    return parser


CHECK_HELP = ("Run code in the sandbox against its own >>> examples, the tests, and (with --against) the "
              "original's behaviour, on the original's example calls, the calls it makes itself, calls the model "
              "writes for functions that have neither (unless --no-model) and inputs generated from them. With "
              "--task debug --error MSG, the code is a fix of --against, judged as the Debug tab judges it: the "
              "reported error must be gone where the code is meant to work. "
              "Exit status: 0 when every check passes, 1 when one fails or there is nothing to check (or only the "
              "syntax), 2 on bad input.")


def _extra(task: Task, value: str | None) -> TaskInputs:
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


def _check(args: argparse.Namespace) -> int:
    """The `check` command: 0 when every check passes, 1 otherwise."""
    code = _read(args.file)
    language = args.language or (language_from_filename(args.file) if args.file != "-" else None) or "python"
    against = _read(args.against) if args.against else None
    against_language = language_from_filename(args.against) if args.against else None
    if (args.task or args.error) and against is None:
        raise PlaygroundError("--task and --error need --against ORIGINAL: the code the checked code answers.")
    expect = TASKS[args.task].expect if args.task else None
    if expect is Expect.FIXED and not args.error.strip():
        raise PlaygroundError(f"--task {args.task} needs --error MSG: the error message the buggy code gave.")
    def write_calls(plan: CheckPlan) -> CheckPlan:
        engine_name = args.engine or get_settings().engine
        model = _model(args.model, engine_name) or get_settings().model
        return with_written_calls(plan, load_engine(engine_name, model))

    verdict = check(code, language=language, tests=_read(args.tests_file) if args.tests_file else "",
                    against=against, against_language=against_language, expect=expect, error=args.error,
                    write_calls=None if args.no_model else write_calls)
    if args.json:
        print(json.dumps(verdict.to_dict(), indent=2))
    else:
        for item in verdict.items:
            mark = "~" if item.timed_out else "!" if item.warning else "✓" if item.passed else "✗"
            detail = f": {item.warning}" if item.warning else f": {item.error}" if item.timed_out else "" \
                if item.passed else f": expected {item.expected}, got {item.got or '-'}" + (
                    f" ({item.error})" if item.error else "")
            print(f"{mark} {item.name}{detail}")
        print("\n".join(f"note: {n}" for n in verdict.notes) + ("\n" if verdict.notes else "") + verdict.sentence())
    return 0 if verdict.status is VerdictStatus.PASS else 1


def _cpu(args: argparse.Namespace) -> int:
    """The `cpu` command: the build's kernels, this CPU's scores, and the model tried with the chosen one."""
    if args.path:
        print(cpu_backend.environment().get(cpu_backend.ENV, ""))
        return 0
    every = cpu_backend.variants()
    settings = get_settings()
    runs = cpu_backend.candidates(every, settings.cpu_variant) if every else []
    if every:
        print(f"llama.cpp build: portable, {len(every)} CPU variants; this CPU runs "
              + ", ".join(f"{v.name} ({v.score})" for v in every if v.score > 0)
              + "; not: " + (", ".join(v.name for v in every if v.score <= 0) or "-")
              + f"; AMX's ({', '.join(cpu_backend.AMX_VARIANTS)}) only when named")
    else:
        print("llama.cpp build: for one CPU (no variants): " + cpu_backend.PORTABLE_FIX)
    order: list[cpu_backend.Variant | None] = list(runs) or [None]
    if settings.ggml_backend_path and not settings.cpu_variant:  # the app would honour it: try that
        path = Path(settings.ggml_backend_path)
        order = [cpu_backend.Variant(path.name.removeprefix(cpu_backend.VARIANT_PREFIX).removesuffix(".so"), path, 1)]
    model = Path(_model(args.model, "llama-cpp") or "")
    variant, failed, last = cpu_backend.first_running(model, order, threads=settings.thread_count)
    for result in failed:
        print(f"✗ {result.sentence()}")
    if last is None or not last.ok:
        if last is not None and last not in failed:
            print(f"✗ {last.sentence()}")
        return 1
    print(f"✓ {model.name} loads and decodes with " + (f"the {variant.name} kernels: {variant.path}" if variant
                                                        else "this build"))
    return 0


def _progress_bar() -> tuple[ProgressCallback, Callable[[], None]]:
    """(report, close): a progress bar on standard error while a model is assembled or downloaded."""
    from tqdm import tqdm

    bar: list[tqdm[Any]] = []

    def report(done: int, total: int | None) -> None:
        if not bar:
            bar.append(tqdm(total=total, unit="B", unit_scale=True, desc="Preparing the model", file=sys.stderr,
                            leave=False))
        bar[0].update(done - bar[0].n)

    return report, lambda: bar[0].close() if bar else None


def _model(spec: str | None, engine: str) -> str | None:
    """The model file for a local engine, found (assembled or downloaded) with a progress bar; else spec."""
    if not loads_model_file(engine):
        return spec  # the server's own model
    report, close = _progress_bar()
    try:
        found = locate(spec or get_settings().model, report)
    finally:
        close()
    if found.notice:
        print(f"note: {found.notice}", file=sys.stderr)
    return str(found.path)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    cancel = threading.Event()
    try:
        settings = get_settings()  # a bad PLAYGROUND_* value is refused before anything loads
        if args.command == "check":
            return _check(args)
        if args.command == "cpu":
            return _cpu(args)
        code = _read(args.file)
        if args.command in ("hint", "explain-error"):
            tutor = tutor_cli.run_hint if args.command == "hint" else tutor_cli.run_explain
            return tutor(args, code, settings, _model(args.model, args.engine or settings.engine))
        task = TASKS[args.command]
        Limits.from_setting(settings.tasks, TASKS, settings.max_hint_step).check_task(task.name, task.title)
        language = args.source or (language_from_filename(args.file) if args.file != "-" else None)
        values = {k: getattr(args, k) for k in GenerationParams.model_fields}
        values["candidates"] = values["candidates"] or settings.candidates
        values["policy"] = values["policy"] or settings.policy
        request = Request.build(args.command, code, language=language, params=GenerationParams.build(**values),
                                tests=_read(args.tests_file) if args.tests_file else "",
                                **_extra(TASKS[args.command], getattr(args, "extra", None)))
        results = stream_request(request, checks=False if args.no_checks else None, engine=args.engine,
                                 model=_model(args.model, args.engine or settings.engine), cancel=cancel,
                                 repair=args.repair)
        request_id = new_request_id()
        if args.json:
            *_, result = results
            print(json.dumps(result.to_dict() | {"request_id": request_id}, indent=2))
        else:
            result = echo(results, sys.stdout)
            print_final(result, sys.stdout)
        # the class record (docs/class-record.md): on this machine, the CLI's requests are one session
        Classroom(open_record()).keep(Asked(request_id, "cli", "cli", request.task.name, code, language or "",
                                            request), result)
        return 0
    except PlaygroundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        cancel.set()
        print("\nstopped", file=sys.stderr)
        return 130
