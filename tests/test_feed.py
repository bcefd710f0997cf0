"""playground.feed.Latest: the model streams in its own thread; the web handler takes the newest state."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

import playground
from playground.engines import Engine
from playground.errors import EngineError
from playground.params import GenerationParams
from playground.result import Result, Status
from playground.web.feed import Latest, Pace

WAIT = 30.0  # seconds; only a broken feed waits this long


def gated(n: int, gate: threading.Event, produced: list[int]) -> Iterator[int]:
    """Yield 0, then wait for the gate, then 1..n-1 (recording what was produced)."""
    for i in range(n):
        produced.append(i)
        yield i
        if i == 0:
            assert gate.wait(WAIT), "the consumer never opened the gate"


def test_first_item_at_once_then_the_newest_and_always_the_last() -> None:
    gate = threading.Event()
    produced: list[int] = []
    feed = Latest(gated(5, gate, produced), interval=60.0)
    out = []
    for item in feed:
        out.append(item)
        gate.set()
    # Item 0 went out at once; 1..3 were superseded; the last one did not wait out the 60 s interval.
    assert out == [0, 4]
    assert produced == [0, 1, 2, 3, 4]


def test_the_stream_runs_on_while_the_consumer_is_busy() -> None:
    """The point of the feed: a slow consumer (Gradio sending an update) does not pause generation."""
    gate, done = threading.Event(), threading.Event()

    def items() -> Iterator[int]:
        yield from gated(100, gate, [])
        done.set()

    feed = iter(Latest(items(), interval=0.0))
    assert next(feed) == 0
    gate.set()  # the consumer is now "busy" (it does not ask for the next item) until the stream ended
    assert done.wait(WAIT), "the stream paused while its consumer was busy"
    assert list(feed) == [99]


def test_streams_share_an_update_budget() -> None:
    pace = Pace(rate=40.0, floor=0.05)
    assert pace.interval() == 0.05
    gates = [threading.Event() for _ in range(8)]
    feeds = [Latest(gated(3, gate, []), pace=pace) for gate in gates]
    assert pace.running == 8 and pace.interval() == pytest.approx(0.2)  # 8 streams: each 5 updates a second
    for feed, gate in zip(feeds, gates, strict=True):
        assert list(_opening(feed, gate)) == [0, 2]
    assert pace.running == 0 and pace.interval() == 0.05  # each stream leaves the budget when it ends
    failing = Latest(_raising(), pace=pace)
    with pytest.raises(ValueError):
        list(failing)
    assert pace.running == 0  # so does one that failed


def _opening(feed: Latest[int], gate: threading.Event) -> Iterator[int]:
    for item in feed:
        gate.set()
        yield item


def _raising() -> Iterator[int]:
    yield 1
    raise ValueError("engine died")


def test_one_stream_of_a_busy_server_waits_for_its_share() -> None:
    def slow() -> Iterator[int]:  # half a second of tokens
        for i in range(50):
            time.sleep(0.01)
            yield i

    busy = Pace(rate=40.0, floor=0.05)
    busy.running = 399  # 399 other streams: this one's turn would come every 10 s
    assert list(Latest(slow(), pace=busy)) == [0, 49]  # the first at once, the last always, nothing between
    assert busy.running == 399
    assert len(list(Latest(slow(), pace=Pace()))) > 2  # alone, it updates every 50 ms


def test_nothing_in_nothing_out() -> None:
    assert list(Latest(iter(()))) == []
    assert Latest(iter(())).rest() is None


def test_an_error_is_raised_after_the_items_before_it() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise EngineError("the engine died")

    out = []
    with pytest.raises(EngineError, match="the engine died"):
        for item in Latest(failing(), interval=0.0):
            out.append(item)
    assert out == [1]


def test_rest_after_an_early_stop_waits_for_the_end_and_returns_the_newest() -> None:
    stop = threading.Event()

    def until_stopped() -> Iterator[int]:
        i = 0
        while not stop.is_set():
            yield i
            i += 1
        yield -i  # the final state, made after the stop

    feed = Latest(until_stopped(), interval=0.0)
    first = next(iter(feed))
    stop.set()
    last = feed.rest()
    assert first >= 0 and last is not None and last < 0
    assert feed.rest() is None  # nothing new after that
    assert list(feed) == []


def test_rest_raises_an_error_not_yet_seen() -> None:
    def failing() -> Iterator[int]:
        yield from ()  # a generator that raises at its first item
        raise EngineError("broken")

    with pytest.raises(EngineError, match="broken"):
        Latest(failing()).rest()


def test_no_tokens_lost_with_the_bundled_model(engine: Engine, greedy: GenerationParams) -> None:
    """Through the feed, the last state is the same complete answer as a direct run, and done."""
    code = "def add(a, b):\n    return a + b\n"
    full = playground.run("simplify", code, language="python", params=greedy, engine=engine)
    produced: list[Result] = []

    def counted() -> Iterator[Result]:
        for result in playground.stream("simplify", code, language="python", params=greedy, engine=engine):
            produced.append(result)
            yield result

    seen = list(Latest(counted()))  # each Result is a value: handed on as it is
    assert (seen[-1].answer, seen[-1].status) == (full.answer, Status.DONE)
    assert seen[-1].stats.completion_tokens == full.stats.completion_tokens
    # Each state is handed on at most once: never more than the stream produced (tokens, then the checks'
    # progress and verdict, so not bounded by the token count), and the newest one always.
    assert 1 <= len(seen) <= len(produced)
    answers = [s.answer.text for s in seen]
    assert all(a.startswith(b) for a, b in zip(answers[1:], answers[:-1], strict=True))  # snapshots only grow, in order
