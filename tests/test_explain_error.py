"""Explain this error (playground/explain_error.py): the facts come from the traceback and, for Python, a run in
the real sandbox; the words from the model (scripted here: what a real model writes is bench/hints.py's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from playground.errors import InputError
from playground.explain_error import explain_error
from tests.fakes import ScriptedEngine

ROOT = Path(__file__).resolve().parent.parent
MEAN = '''def mean(values):
    """
    >>> mean([])
    0
    """
    return sum(values) / len(values)
'''
TRACEBACK = '''Traceback (most recent call last):
  File "main.py", line 9, in <module>
    print(mean([]))
  File "main.py", line 6, in mean
    return sum(values) / len(values)
ZeroDivisionError: division by zero'''


def test_a_zero_division_is_reproduced_and_explained_at_the_line_it_happened_on() -> None:
    engine = ScriptedEngine("The list is empty, so `len(values)` is 0 and Python cannot divide by 0. Try an empty list "
                            "by hand. Here is how you could fix it:\n```python\nif not values:\n    return 0\n```")
    said = explain_error(MEAN, TRACEBACK, "python", engine)
    assert (said.exception, said.line, said.reproduced, said.ran) == ("ZeroDivisionError", 6, True, "mean([])")
    # the rewritten code and its lead-in are dropped
    assert said.text == ("This is a `ZeroDivisionError` on line 6. The list is empty, so `len(values)` is 0 and Python "
                         "cannot divide by 0. Try an empty list by hand.")
    prompt = engine.prompts[0]
    assert "It happened on line 6: `return sum(values) / len(values)`." in prompt and "raised it too" in prompt
    assert said.to_dict()["line"] == 6 and said.to_dict()["reproduced"] is True


def test_words_that_name_the_exception_and_line_get_no_facts_in_front() -> None:
    said = explain_error(MEAN, TRACEBACK, "python", ScriptedEngine("A `ZeroDivisionError` on line 6: the list is "
                                                                     "empty."))
    assert said.text == "A `ZeroDivisionError` on line 6: the list is empty."


def test_a_traceback_that_names_no_line_of_this_code() -> None:
    error = ('Traceback (most recent call last):\n  File "other.py", line 40, in helper\n    x = table[key]\n'
             "KeyError: 'k'")
    said = explain_error(MEAN, error, "python", ScriptedEngine("A dictionary has no key `k`."))
    assert (said.exception, said.line, said.reproduced) == ("KeyError", None, False)
    assert said.text == "This is a `KeyError`. A dictionary has no key `k`."


def test_an_error_in_other_words_is_explained_without_an_exception_name() -> None:
    said = explain_error(MEAN, "Fehler: Division durch Null in Zeile 6", "python", ScriptedEngine("Du teilst durch 0."))
    assert (said.exception, said.line, said.reproduced) == (None, 6, False)
    assert said.text == "It happened on line 6. Du teilst durch 0."


def test_an_empty_error_says_what_to_paste() -> None:
    with pytest.raises(InputError, match="Paste the error message or traceback"):
        explain_error(MEAN, "  \n", "python", ScriptedEngine())


def test_another_language_is_explained_not_reproduced() -> None:
    code = "function first(items) {\n  return items[0].name;\n}\n"
    error = "TypeError: Cannot read properties of undefined (reading 'name')"
    said = explain_error(code, error, "javascript", ScriptedEngine("`items[0]` is undefined: the list is empty."))
    assert (said.exception, said.reproduced) == ("TypeError", False) and said.line == 2  # the line using `name`


@pytest.mark.model
def test_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "mean.py").write_text(MEAN)
    done = subprocess.run([sys.executable, "-m", "playground", "explain-error", str(tmp_path / "mean.py"), "--error",
                           TRACEBACK, "--json", "--model", "smollm2-135m"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PLAYGROUND_DATA_DIR": str(tmp_path)}, timeout=300)
    assert done.returncode == 0, done.stderr
    said = json.loads(done.stdout)
    assert (said["exception"], said["line"], said["reproduced"]) == ("ZeroDivisionError", 6, True) and said["text"]
    empty = subprocess.run([sys.executable, "-m", "playground", "explain-error", str(tmp_path / "mean.py"), "--error",
                            ""], cwd=ROOT, capture_output=True, text=True, timeout=300,
                           env={**os.environ, "PLAYGROUND_DATA_DIR": str(tmp_path)})
    assert empty.returncode == 2 and "Paste the error message" in empty.stderr
