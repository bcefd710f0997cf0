"""The wait a queued visitor is told: played forward from the measured time of a whole request on this model
(playground/web/waits.py), sent through Gradio's queue (web/gradio_internals.estimate_waits).

Gradio's own estimate timed a streaming request by its first update, which our handlers send at once, so two
requests ahead of you read as a fraction of a second. The server test runs a real Gradio app on the echo
engine (a stand-in for UI wiring: what is checked is the queue's arithmetic, not generation).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from gradio_client.utils import Status

from playground.catalog import SMALL_MODEL
from playground.result import Stats
from playground.web.manager import ModelCard, ModelManager, Speeds
from playground.web.present import speed_line
from playground.web.waits import starts
from tests.browser import client, serve
from tests.fakes import EchoEngine  # noqa: F401 (registers the "echo" engine)


def test_one_slot_queue_waits_for_the_running_request_then_one_request_each() -> None:
    assert starts([], 1, 3, 10.0) == [0.0, 10.0, 20.0]
    assert starts([4.0], 1, 2, 10.0) == [6.0, 16.0]


def test_several_slots_start_the_queue_as_each_slot_frees() -> None:
    assert starts([4.0, 1.0], 2, 3, 10.0) == [6.0, 9.0, 16.0]
    assert starts([4.0], 2, 2, 10.0) == [0.0, 6.0]  # one slot is free now


def test_a_request_running_longer_than_usual_is_taken_to_end_now() -> None:
    assert starts([15.0], 1, 2, 10.0) == [0.0, 10.0]


def test_no_limit_means_no_wait() -> None:
    assert starts([3.0, 4.0], None, 2, 10.0) == [0.0, 0.0]
    assert starts([], 1, 0, 10.0) == []


def test_the_time_per_request_is_the_median_of_the_model_that_answered_last() -> None:
    speeds = Speeds()
    assert speeds.per_request() is None
    for seconds in (9.0, 30.0, 11.0):
        speeds.add("llama-cpp", "a.gguf", Stats(completion_tokens=40, tokens_per_s=20.0, total_s=seconds))
    speeds.add("llama-cpp", "a.gguf", Stats(completion_tokens=2, tokens_per_s=0.0, total_s=13.0))  # short: timed too
    assert speeds.per_request() == 12.0 and speeds.median("llama-cpp", "a.gguf") == (20.0, 3)
    speeds.add("llama-cpp", "b.gguf", Stats(completion_tokens=40, tokens_per_s=20.0, total_s=4.0))
    assert speeds.per_request() == 4.0  # another model starts the count again
    speeds.forget()
    assert speeds.per_request() is None and speeds.median("llama-cpp", "b.gguf") is None


def test_the_header_states_the_time_per_answer_the_estimate_uses() -> None:
    card = ModelCard(name="q.gguf", engine="llama-cpp", spec="q", size_bytes=1, quantization="Q4_K_M",
                     context_size=4096, trained_context=32768, fim=True)
    line = speed_line(card, (21.04, 3), 12.4)
    assert "Measured here: 21.0 tokens/s, 12 s per answer with its checks (median of the last 3 answers" in line
    assert "per answer" not in speed_line(card, (21.0, 1), None)
    assert "(from the last answer;" in speed_line(card, (21.0, 1), None)  # not "median of the last 1 answer"


def _queued(job: Any) -> Any:
    """The job's status once it waits in the queue."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = job.status()
        if status.code is Status.IN_QUEUE and status.rank is not None:
            return status
        time.sleep(0.02)
    raise AssertionError(f"the request never showed as queued: {job.status()}")


@pytest.mark.slow
def test_queued_requests_are_told_the_measured_wait_one_request_each() -> None:
    code = "total = 0\n" + "".join(f"total += {i}\n" for i in range(30))
    args = {"code": code, "source_language": "Python", "tests": "", "temperature": 0.0, "top_p": 0.95,
            "top_k": 40, "max_tokens": 200, "repeat_penalty": 1.1, "seed": 1, "candidates": 1}
    manager = ModelManager(engine="echo", model=SMALL_MODEL, public=False, delay=0.05)
    with serve(manager) as (url, _):
        # Before any answer was timed there is no estimate: the rank, and no made-up number.
        first = client(url).submit(**args, api_name="/simplify")
        while not first.outputs():
            time.sleep(0.01)
        early = client(url).submit(**args, api_name="/simplify")
        assert _queued(early).eta is None
        assert first.result(timeout=120)[0]["done"] and early.result(timeout=120)[0]["done"]

        per_request = manager.speeds.per_request()
        assert per_request is not None and per_request > 1.0, per_request
        running = client(url).submit(**args, api_name="/simplify")
        while not running.outputs():
            time.sleep(0.01)
        second = client(url).submit(**args, api_name="/simplify")
        _queued(second)
        third = client(url).submit(**args, api_name="/simplify")
        _queued(third)
        time.sleep(1.2)  # Gradio re-sends every queued event its estimate each second
        a, b = second.status(), third.status()
        assert (a.rank, b.rank) == (0, 1)
        assert a.eta is not None and b.eta is not None
        assert 0.0 <= a.eta <= per_request
        # Gradio's own figure fails the line above: it counts the request's own run (9.9 s here, against 5.1 s
        # per request). The one behind waits a whole request more; the two figures may come from passes up to
        # a second apart, in which the running request went on.
        assert per_request - 1.1 <= b.eta - a.eta <= per_request + 0.05, (a.eta, b.eta, per_request)
        for job in (running, second, third):
            assert job.result(timeout=180)[0]["done"]
