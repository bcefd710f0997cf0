"""States are enums that equal the strings the JSON and the OpenAI API use: why an answer ended."""

from __future__ import annotations

import json
from typing import Any

from playground.engines import StopReason
from playground.engines.events import openai_chunks


def test_a_servers_finish_reason_is_read_as_a_stop_reason() -> None:
    assert StopReason.read("length") is StopReason.LENGTH and StopReason.read("stop") is StopReason.STOP
    assert StopReason.read(None) is None and StopReason.read("") is None  # not finished yet
    assert StopReason.read("content_filter") is StopReason.STOP  # a server's own reason ended the text
    assert json.dumps({"finish": StopReason.LENGTH}) == '{"finish": "length"}'  # the JSON keeps its string


def test_openai_events_end_with_their_stop_reason() -> None:
    events: list[dict[str, Any] | None] = [{"choices": [{"text": "a", "finish_reason": None}]},
              {"choices": [{"text": "b", "finish_reason": "length"}]}]
    chunks = list(openai_chunks(events, "http://127.0.0.1:1"))
    assert [c.finish_reason for c in chunks] == [None, StopReason.LENGTH]
    assert list(openai_chunks([None], "http://127.0.0.1:1"))[-1].finish_reason is StopReason.CANCELLED
