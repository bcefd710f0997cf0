"""The HTTP API's documented names do not change: every endpoint's parameters (name, whether it has a default,
the default, the type) as gradio_client lists them, against tests/golden/api.json.

The tabs' endpoints and the typed tools are made from the task list (web/handlers.py, web/tools.py); a change to
a task that renames or reorders what a client sends fails here. A new task adds its two endpoints (`/<task>`
and `/<task>_code`): run `pytest --update-goldens tests/test_api_names.py` and read the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from playground.catalog import SMALL_MODEL
from playground.tasks import TASKS
from playground.web import ModelManager, build_demo
from tests import fakes  # noqa: F401 (registers the "echo" engine)

GOLDEN = Path(__file__).parent / "golden" / "api.json"


def api() -> dict[str, list[list[object]]]:
    info = build_demo(ModelManager(engine="echo", model=SMALL_MODEL, public=False)).get_api_info()
    return {name: [[p["parameter_name"], p.get("parameter_has_default"), p.get("parameter_default"),
                    p["python_type"]["type"]] for p in endpoint["parameters"]]
            for name, endpoint in info["named_endpoints"].items()}


def test_the_api_names_and_parameters_are_the_documented_ones(update_goldens: bool,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLAYGROUND_CANDIDATES", raising=False)  # the shipped defaults, not the test session's
    found = api()
    if update_goldens:
        GOLDEN.write_text(json.dumps(found, indent=1) + "\n", "utf-8")
    assert found == json.loads(GOLDEN.read_text("utf-8"))
    # every task has its two endpoints, and nothing else but the code check and the class record's is public
    assert set(found) == {f"/{t}" for t in TASKS} | {f"/{t}_code" for t in TASKS} | {"/check_code"} | {
        "/rate", "/class_csv", "/export_session", "/hint", "/explain_error"}
