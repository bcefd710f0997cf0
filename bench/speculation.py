"""Speculative decoding benchmark: llama-server with and without speculation (prints figures, asserts nothing).

The default code model (Qwen2.5-Coder-1.5B-Instruct) is served by one llama-server per configuration, one
slot each, all started once and kept up while the benchmark runs: plain decoding, n-gram speculation
(`--spec-type ngram-simple`, `--spec-type ngram-mod`: drafts copied from the prompt and the answer so far)
and, when Qwen2.5-Coder-0.5B is installed, a draft model. The inputs are the playground's prompts, built
as the app builds them: the app's own examples for the four tasks, and "longer inputs" (hard evaluation
items of 10-30 lines for simplify, debug and translate: answers that mostly copy the input, where n-gram
speculation should pay most). Every input is sent to every configuration in a rotating order (ABCD, then
BCDA, ...), greedy, 256 new tokens at most, so each ratio compares runs seconds apart on a noisy shared
machine. Reported per configuration and task group: median decode tokens/s (the server's own timings),
median per-input ratio to plain, the draft acceptance rate, and how many answers differ from plain's.

Run: `PYTHONPATH=. .venv/bin/python bench/speculation.py [--limit N] [--rounds R]` (the default: 26 inputs x 2
rounds x 4 configurations = 208 requests; `--limit 1 --rounds 1` is a smoke run of 28). SIGTERM or Ctrl-C stops
the servers and prints the figures of the inputs measured so far.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.assemble import installed  # noqa: E402
from playground.catalog import get_model  # noqa: E402
from playground.engines.server_process import ServerProcess, find_binary  # noqa: E402
from playground.errors import PlaygroundError  # noqa: E402
from playground.evaluate.dataset import load_items  # noqa: E402
from playground.models import locate, model_info  # noqa: E402
from playground.tasks import Prompt, build_prompt  # noqa: E402
from playground.tasks.examples import load_examples  # noqa: E402

TASKS = ("translate", "simplify", "debug", "complete")
LONG_TASKS = ("simplify", "debug", "translate")
LONG_LINES = (10, 30)  # a longer input's line count, inclusive
LONG_PER_TASK = 3
N_PREDICT = 256
REQUEST_TIMEOUT_S = 600.0
DRAFT_MODEL = "qwen2.5-coder-0.5b"
MODEL = "qwen2.5-coder-1.5b"


@dataclass(frozen=True)
class Input:
    """One prompt: its group ("examples" or "longer inputs"), task, name and the exact prompt the app sends."""

    group: str
    task: str
    name: str
    prompt: Prompt


@dataclass
class Server:
    """One running llama-server configuration (started, watched and stopped by the engine's ServerProcess)."""

    name: str
    process: ServerProcess

    @property
    def url(self) -> str:
        return self.process.url


@dataclass(frozen=True)
class Run:
    """One answer: decode tokens/s, tokens, draft tokens proposed and accepted (None: not reported), text."""

    tps: float
    tokens: int
    drafted: int | None
    accepted: int | None
    content: str


@dataclass
class Results:
    """Runs per configuration, input index and round (None: the request failed)."""

    runs: dict[str, dict[int, list[Run | None]]] = field(default_factory=dict)

    def add(self, config: str, index: int, run: Run | None) -> None:
        self.runs.setdefault(config, {}).setdefault(index, []).append(run)


def configurations(draft: Path | None) -> list[tuple[str, list[str]]]:
    """(name, extra llama-server arguments) of each configuration; plain first."""
    configs = [("plain", []), ("ngram-simple", ["--spec-type", "ngram-simple"]),
               ("ngram-mod", ["--spec-type", "ngram-mod"])]
    if draft is not None:
        configs.append(("draft-0.5b", ["--spec-type", "draft-simple", "--spec-draft-model", str(draft)]))
    return configs


def draft_model() -> Path | None:
    """The 0.5B model's file if it is installed, else None (and say why the row is skipped)."""
    model = get_model(DRAFT_MODEL)
    if not installed(model):
        print(f"draft-0.5b skipped: {model.title} is not installed (`{model.install()}`).")
        return None
    return locate(DRAFT_MODEL).path


def build_inputs(info_path: Path, limit: int | None) -> list[Input]:
    """The app's examples for every task, then the longer inputs; the first `limit` of each per task."""
    info = model_info(info_path)
    inputs = []
    for task in TASKS:
        for example in load_examples(task)[:limit]:
            prompt = build_prompt(task, example.code, info, source=example.language, target=example.target,
                                    error=example.error, suffix=example.suffix)
            inputs.append(Input("examples", task, example.name, prompt))
    for task in LONG_TASKS:
        items = [i for i in load_items(task, tier="hard") if LONG_LINES[0] <= len(i.code.splitlines()) <= LONG_LINES[1]]
        for item in items[:LONG_PER_TASK if limit is None else min(limit, LONG_PER_TASK)]:
            target = "javascript" if task == "translate" else None  # as the evaluation asks
            prompt = build_prompt(task, item.code, info, source="python", target=target)
            inputs.append(Input("longer inputs", task, item.name, prompt))
    return inputs


def start(name: str, binary: Path, model: Path, extra: list[str]) -> Server | None:
    """Start one configuration, one slot, and wait for /health; None (saying why) if it does not come up."""
    try:
        return Server(name, ServerProcess(model, 1, 4096, os.cpu_count() or 1, binary=binary, extra=extra))
    except PlaygroundError as exc:
        print(f"{name} skipped: {exc}\n")
        return None


def complete(client: httpx.Client, server: Server, prompt: Prompt, n_predict: int = N_PREDICT) -> Run | None:
    """One greedy answer from /completion; None (and a message) if the request fails."""
    body = {"prompt": prompt.text, "n_predict": n_predict, "temperature": 0, "top_k": 1, "seed": 1,
            "cache_prompt": False, "stop": prompt.stop}
    try:
        response = client.post(server.url + "/completion", json=body)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        print(f"{server.name}: request failed ({exc}); log tail: {server.process.tail(5)}")
        return None
    timings = data.get("timings") or {}
    drafted, accepted = timings.get("draft_n"), timings.get("draft_n_accepted")
    return Run(tps=float(timings.get("predicted_per_second", 0.0)), tokens=int(timings.get("predicted_n", 0)),
               drafted=None if drafted is None else int(drafted),
               accepted=None if accepted is None else int(accepted), content=str(data.get("content", "")))


def measure(servers: list[Server], inputs: list[Input], rounds: int, results: Results) -> None:
    """Every input, `rounds` times, on every server in a rotating order (ABCD, BCDA, ...), into `results`."""
    turn, started = 0, time.perf_counter()
    with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
        for server in servers:  # warm up: the weights paged in, the threads started
            complete(client, server, inputs[0].prompt, n_predict=8)
        for index, item in enumerate(inputs):
            for _ in range(rounds):
                shift = turn % len(servers)
                for server in servers[shift:] + servers[:shift]:
                    results.add(server.name, index, complete(client, server, item.prompt))
                turn += 1
            print(f"  {index + 1}/{len(inputs)} {item.group}: {item.task}/{item.name} "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)


def group_row(results: Results, config: str, indices: list[int], inputs: list[Input]) -> str:
    """One table row: median tokens/s, median per-input ratio to plain, acceptance, answers unlike plain's."""
    rates, ratios, drafted, accepted, differ, total, first = [], [], 0, 0, 0, 0, ""
    for index in indices:
        pairs = [(run, base) for run, base in zip(results.runs[config].get(index, []),
                                                   results.runs["plain"].get(index, []), strict=False)
                 if run is not None and base is not None]
        if not pairs:
            continue
        rates.append(statistics.median(run.tps for run, _ in pairs))
        if per_round := [run.tps / base.tps for run, base in pairs if base.tps > 0]:
            ratios.append(statistics.median(per_round))
        for run, base in pairs:
            drafted += run.drafted or 0
            accepted += run.accepted or 0
            total += 1
            if run.content != base.content:
                differ += 1
                first = first or f"{inputs[index].task}/{inputs[index].name}"
    if not rates:
        return f"| {config} | - | - | - | no answers |"
    ratio = f"{statistics.median(ratios):.2f}" if ratios else "-"
    acceptance = f"{accepted / drafted:.0%} ({accepted}/{drafted})" if drafted else (
        "-" if config == "plain" else "none drafted")
    unlike = f"{differ}/{total}" + (f" (first: {first})" if first else "")
    return (f"| {config} | {statistics.median(rates):.1f} | {ratio} | {acceptance} | "
            f"{unlike} |")


def report(results: Results, inputs: list[Input]) -> None:
    """A table per task group (examples by task, then the longer inputs), then each configuration's median ratio."""
    groups: dict[str, list[int]] = {}
    for index, item in enumerate(inputs):
        key = f"app examples, {item.task}" if item.group == "examples" else "longer inputs"
        groups.setdefault(key, []).append(index)
    for key, indices in groups.items():
        print(f"\n{key} ({len(indices)} inputs)\n")
        print("| configuration | decode tokens/s (median) | ratio to plain (median) | draft acceptance | "
              "answers unlike plain's |\n|---|---:|---:|---:|---|")
        for config in results.runs:
            print(group_row(results, config, indices, inputs))
    print()
    for config, by_input in results.runs.items():
        ratios = []
        for index, runs in by_input.items():
            pairs = zip(runs, results.runs["plain"].get(index, []), strict=False)  # strict: not when interrupted
            per_round = [run.tps / base.tps for run, base in pairs if run and base and base.tps > 0]
            if per_round:
                ratios.append(statistics.median(per_round))
        overall = f"{statistics.median(ratios):.2f}" if ratios else "-"
        print(f"{config}: overall median ratio to plain {overall} over {len(ratios)} inputs")


def build_info(server: Server) -> str:
    try:
        props = httpx.get(server.url + "/props", timeout=10.0).json()
    except (httpx.HTTPError, ValueError) as exc:
        return f"unknown ({exc})"
    return str(props.get("build_info", "unknown"))


def interrupted(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N inputs per task (default: all examples "
                        f"+ {LONG_PER_TASK} longer inputs per task)")
    parser.add_argument("--rounds", type=int, default=2, help="times each input is sent to each configuration")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, interrupted)  # stop the servers and report what was measured
    started = time.perf_counter()
    binary, model = find_binary(), locate(MODEL).path
    inputs = build_inputs(model, args.limit)
    servers: list[Server] = []
    try:
        for name, extra in configurations(draft_model()):
            if (server := start(name, binary, model, extra)) is not None:
                servers.append(server)
        if not servers or servers[0].name != "plain":
            print("plain did not start: nothing to compare with.")
            return
        print(f"Speculative decoding benchmark: {os.cpu_count()} cores, model {model} "
              f"({model.stat().st_size / 1e9:.2f} GB), llama-server {binary} (build {build_info(servers[0])}), "
              f"{len(inputs)} inputs x {args.rounds} rounds x {len(servers)} configurations, greedy, "
              f"{N_PREDICT} new tokens at most\n")
        results = Results()
        try:
            measure(servers, inputs, args.rounds, results)
        except KeyboardInterrupt:
            print("interrupted: the figures below are of the inputs measured so far")
        if "plain" in results.runs:
            report(results, inputs)
    finally:
        for server in servers:
            server.process.close()
    print(f"\nwall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
