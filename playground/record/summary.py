"""What the teacher's page shows of the class record: tables (pandas DataFrames, which Gradio plots and shows),
the load and what would help with it, and the CSV of it all. Pure functions of the record's rows."""

from __future__ import annotations

import csv
import io
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .schema import requests

CSV_COLUMNS = (*(c.name for c in requests.columns), "rating", "comment")
SLOWEST = 10
BUSY = 0.7  # the model busy this share of the last hour: answers start to queue


@dataclass(frozen=True)
class Load:
    """How busy the model was over the last hour, and how long requests waited for it."""

    last_hour: int  # requests that ended in the last hour
    busy: float  # share of the hour the model spent answering, per slot
    waited_p50: float | None
    waited_p95: float | None
    advice: str  # what would help, "" when nothing queues


def per_task(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Requests per task, the share of checked answers that passed, and the ratings."""
    out = []
    for task in sorted({row["task"] for row in rows}):
        mine = [row for row in rows if row["task"] == task]
        checked = [row for row in mine if row["verdict"] in ("pass", "fail")]
        passed = sum(row["verdict"] == "pass" for row in checked)
        out.append({"task": task, "requests": len(mine), "checked": len(checked),
                    "passed %": round(100 * passed / len(checked)) if checked else None,
                    "thumbs up": sum(row["rating"] == "up" for row in mine),
                    "thumbs down": sum(row["rating"] == "down" for row in mine)})
    return pd.DataFrame(out, columns=["task", "requests", "checked", "passed %", "thumbs up", "thumbs down"])


def outcomes(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Requests per task by how their answer did: passed its checks, failed them, or not checked (stopped,
    an error, or nothing to check)."""
    counts = Counter((row["task"], "passed" if row["verdict"] == "pass" else "failed" if row["verdict"] == "fail"
                      else "not checked") for row in rows)
    return pd.DataFrame([{"task": task, "answer": answer, "requests": n} for (task, answer), n in
                         sorted(counts.items())], columns=["task", "answer", "requests"])


def per_hour(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Requests per hour and task (the hour as local time)."""
    counts = Counter((time.strftime("%Y-%m-%d %H:00", time.localtime(row["created"])), row["task"]) for row in rows)
    return pd.DataFrame([{"hour": hour, "task": task, "requests": n} for (hour, task), n in sorted(counts.items())],
                        columns=["hour", "task", "requests"])


def errors(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The exceptions students brought with their code most often (an error message given to Debug, a hint or
    Explain this error), and how often they asked to have it explained."""
    counts = Counter(row["error_kind"] for row in rows if row.get("error_kind"))
    explained = Counter(row["error_kind"] for row in rows if row.get("error_kind") and row.get("kind") == "explanation")
    return pd.DataFrame([{"error": kind, "requests": n, "explained": explained[kind]}
                         for kind, n in counts.most_common(10)], columns=["error", "requests", "explained"])


def rated(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Every rating, newest first, with its comment and what the checks said of the answer."""
    out = [{"time": _clock(row["created"]), "task": row["task"], "rating": row["rating"], "comment": row["comment"],
            "checks": _checks(row), "request_id": row["id"]}
           for row in sorted(rows, key=lambda row: -row["created"]) if row["rating"]]
    return pd.DataFrame(out, columns=["time", "task", "rating", "comment", "checks", "request_id"])


def slowest(rows: Sequence[dict[str, Any]], n: int = SLOWEST) -> pd.DataFrame:
    """The slowest requests: their whole time, first token, tokens, answers tried and wait."""
    out = [{"time": _clock(row["created"]), "task": row["task"], "seconds": row["seconds"],
            "first token s": row["first_token"], "tokens": row["tokens"], "answers": row["answers"],
            "waited s": row["waited"], "model": row["model"]}
           for row in sorted(rows, key=lambda row: -row["seconds"])[:n]]
    return pd.DataFrame(out, columns=["time", "task", "seconds", "first token s", "tokens", "answers", "waited s",
                                      "model"])


def load(rows: Sequence[dict[str, Any]], now: float, slots: int, engine: str) -> Load:
    """The last hour's load; advice when requests wait or the model is busy most of the time."""
    hour = [row for row in rows if row["created"] >= now - 3600]
    busy = sum(row["seconds"] for row in hour) / 3600 / max(slots, 1)
    waits = sorted(row["waited"] for row in hour if row.get("waited") is not None)
    p50 = statistics.median(waits) if waits else None
    p95 = waits[min(len(waits) - 1, int(0.95 * len(waits)))] if waits else None
    advice = ""
    if (p95 or 0) > 5 or busy > BUSY:
        more = ("more slots (PLAYGROUND_SLOTS) or a machine with more cores" if engine == "llama-server" else
                "the llama-server engine (PLAYGROUND_ENGINE=llama-server: several answers decoded at once, "
                "docs/engines.md)")
        why = (f"requests waited up to {p95:.0f} s (p95) for the model" if (p95 or 0) > 5 else
               f"the model was busy {busy:.0%} of the last hour per slot")
        advice = (f"Answers are queueing: {why}. What would help: {more}, or an OpenAI-compatible server such as "
                  "vLLM on a GPU (PLAYGROUND_ENGINE=openai). A smaller model (qwen2.5-coder-0.5b) answers faster, "
                  "less well.")
    return Load(len(hour), busy, p50, p95, advice)


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
    """Every request with its rating, as CSV (the record's own columns)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {key: _inert(value) for key, value in row.items()}
        writer.writerow({**cells, "created": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(row["created"]))})
    return out.getvalue()


def _inert(value: Any) -> Any:
    """A cell a spreadsheet shows as text: one that starts like a formula (=, +, -, @, a tab or a carriage
    return: a student's comment `=HYPERLINK(...)`) gets a leading apostrophe."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _clock(created: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(created))


def _checks(row: dict[str, Any]) -> str:
    if not row["verdict"] or not row["checks_total"]:
        return "not checked"
    return f"{row['verdict']} {row['checks_passed']}/{row['checks_total']}"
