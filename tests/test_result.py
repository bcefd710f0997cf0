"""A request's state as values: Answer is shared as it is, Status says where the request is, and a snapshot
is a copy nothing done to the live Result afterwards changes (no model: pure values)."""

from __future__ import annotations

import dataclasses

import pytest

from playground.lint import Finding
from playground.result import Answer, Candidate, Result, Round, Stats, Status
from playground.verdict import Item, Verdict


def _live() -> Result:
    answer = Answer("```python\nx = y\n```", "x = y", "", (Finding(1, 4, "undefined name 'y'", "error"),))
    return Result("simplify", "python", "prompt", "m", "e", answer=answer, stats=Stats(completion_tokens=5),
                  status=Status.DONE, rounds=(Round(answer, "prompt", 5, 0.5),),
                  checks=Verdict([Item("f(1)", False, "1", "2")], notes=["a note"]),
                  rejected=Candidate(answer, Verdict([Item("f(1)", False, "1", "2")])))


def test_an_answer_is_a_value() -> None:
    answer = Answer("text", "code")
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.code = "other"  # type: ignore[misc]
    assert answer == Answer("text", "code") and answer.lint == ()


def test_only_done_and_stopped_are_finished() -> None:
    assert [s for s in Status if s.finished] == [Status.DONE, Status.STOPPED]


def test_a_snapshot_does_not_change_when_the_live_result_does() -> None:
    live = _live()
    snapshot = live.snapshot()
    before = snapshot.to_dict()
    live.stats.completion_tokens = 99
    live.stats.total_s = 9.0
    live.answer = Answer("other")
    live.rounds = ()
    assert live.checks is not None and live.rejected is not None
    live.checks.items.append(Item("f(2)", True))
    live.checks.notes.append("another note")
    live.checks.candidate = 3
    live.rejected.verdict.items.clear()
    live.status, live.notice = Status.STOPPED, "changed"
    assert snapshot.to_dict() == before
    assert snapshot.status is Status.DONE and snapshot.stats.completion_tokens == 5


def test_the_json_shape_is_kept() -> None:
    record = _live().to_dict()
    assert list(record) == ["task", "code", "language", "explanation", "lint", "lint_note", "prompt", "stats",
                            "model", "engine", "notice", "stopped", "rounds", "checks", "rejected"]
    assert record["lint"] == [{"line": 1, "col": 4, "message": "undefined name 'y'"}]
    assert record["rounds"] == [{"code": "x = y", "lint": record["lint"], "tokens": 5, "prompt": "prompt"}]
    assert record["stopped"] is False and record["code"] == "x = y"
    assert record["rejected"] == {"code": "x = y", "checks": {**record["checks"], "notes": []}}  # type: ignore[dict-item]
