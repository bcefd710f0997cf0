"""A request's state as values: a Result, its Answer, Stats and Verdicts are shared as they are, and Status says
where the request is (no model: pure values)."""

from __future__ import annotations

import dataclasses

import pytest

from playground.lint import Finding
from playground.result import Answer, Candidate, Result, Round, Stats, Status
from playground.verdict import Item, Verdict


def _result() -> Result:
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


def test_a_result_its_stats_and_its_verdicts_are_values() -> None:
    """A front end may keep any Result a stream yields: nothing in it can change afterwards."""
    result = _result()
    assert result.checks is not None and result.rejected is not None
    for thing, name in ((result, "answer"), (result, "status"), (result.stats, "completion_tokens"),
                        (result.checks, "candidate"), (result.checks, "items")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(thing, name, None)
    assert isinstance(result.checks.items, tuple) and isinstance(result.checks.notes, tuple)
    assert isinstance(result.rejected.verdict.items, tuple)  # given as a list, kept as a tuple
    later = dataclasses.replace(result, stats=dataclasses.replace(result.stats, completion_tokens=99))
    assert result.stats.completion_tokens == 5 and later.stats.completion_tokens == 99


def test_the_json_shape_is_kept() -> None:
    record = _result().to_dict()
    assert list(record) == ["task", "code", "language", "explanation", "lint", "lint_note", "prompt", "stats",
                            "model", "engine", "notice", "stopped", "rounds", "checks", "rejected", "attempts"]
    assert record["lint"] == [{"line": 1, "col": 4, "message": "undefined name 'y'"}]
    assert record["rounds"] == [{"code": "x = y", "lint": record["lint"], "tokens": 5, "prompt": "prompt"}]
    assert record["stopped"] is False and record["code"] == "x = y"
    assert record["rejected"] == {"code": "x = y", "checks": {**record["checks"], "notes": []}}  # type: ignore[dict-item]
    assert record["attempts"] == []  # each answer checked, fresh or a repair: see tests/test_repair_rounds.py
