"""extract(): the code block and the prose around it, from answers models really give."""

from __future__ import annotations

import pytest

from playground.extract import Extracted, extract
from tests.helpers import extract_code

XSS = '</textarea><script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


@pytest.mark.parametrize(("text", "language", "code", "tag", "explanation"), [
    # one fenced block, tagged or not
    ("```python\nprint(1)\n```", "python", "print(1)", "python", ""),
    ("```\nprint(1)\n```", "python", "print(1)", None, ""),
    ("Here it is:\n```js\nlet a = 1;\n```\nIt sets a.", "javascript", "let a = 1;", "javascript",
     "Here it is:\n\nIt sets a."),
    # the tag is normalised: case, aliases, info strings
    ("```Python\nx = 1\n```", None, "x = 1", "python", ""),
    ("```py\nx = 1\n```", None, "x = 1", "python", ""),
    ('```python title="main.py" linenos\nx = 1\n```', None, "x = 1", "python", ""),
    ("```python:main.py\nx = 1\n```", None, "x = 1", "python", ""),
    ("```{.python}\nx = 1\n```", None, "x = 1", "python", ""),
    ("```C++\nint x;\n```", None, "int x;", "cpp", ""),
    ("```HTML\n<p>hi</p>\n```", None, "<p>hi</p>", "html", ""),  # not ours: kept, lowercased
    # ~~~ fences, and a ``` line inside a ~~~ block is code
    ("~~~ruby\nputs 1\n~~~", "ruby", "puts 1", "ruby", ""),
    ("~~~\n```\ninner\n```\n~~~", None, "```\ninner\n```", None, ""),
    ("````markdown\n```py\nx\n```\n````", None, "```py\nx\n```", "markdown", ""),
    # indented fences (inside list items): the fence's indentation is removed, the code's kept
    ("1. Do this:\n    ```python\n    def f():\n        return 1\n    ```\nDone.", "python",
     "def f():\n    return 1", "python", "1. Do this:\n\nDone."),
    ("  ```py\n  x = 1\n    y\n  ```", None, "x = 1\n  y", "python", ""),
    # CRLF and lone CR line endings
    ("Here:\r\n```js\r\nlet a = 1;\r\n```\r\nBye\r\n", "js", "let a = 1;", "javascript", "Here:\n\nBye"),
    ("```py\rx = 1\ry = 2\r```", None, "x = 1\ny = 2", "python", ""),
    # trailing whitespace goes, indentation stays
    ("```python\n\n    indented = True   \n\n\n```", None, "    indented = True", "python", ""),
])
def test_single_block(text: str, language: str | None, code: str, tag: str | None, explanation: str) -> None:
    assert extract(text, language) == Extracted(code, tag, explanation)


@pytest.mark.parametrize(("text", "language", "code"), [
    # the first block tagged with the wanted language wins, even over a longer one
    ("```python\nshort\n```\nUsage:\n```python\nprint(short_and_longer())\n```", "python", "short"),
    # aliases on either side match
    ("```bash\npip install x\n```\n```py\nimport x\n```", "python3", "import x"),
    ("```sh\nls\n```\n```node\nconsole.log(1)\n```", "js", "console.log(1)"),
    ("```rust\nfn a() {}\n```\n```golang\nfunc a() {}\n```", "go", "func a() {}"),
    ("```c#\nint x;\n```\n```kt\nval x = 1\n```", "kotlin", "val x = 1"),
    # an empty matching block is skipped for a non-empty one
    ("```python\n```\n```python\nx = 1\n```", "python", "x = 1"),
    # no tag matches: the longest block
    ("```bash\npip install requests\n```\n```\nimport requests\nrequests.get(url)\n```", "python",
     "import requests\nrequests.get(url)"),
    ("```js\na\n```\n```ts\nlonger\n```", "python", "longer"),
    # no language asked: the longest block
    ("```python\nx = 1\n```\n```text\nsome much longer output\n```", None, "some much longer output"),
])
def test_several_blocks(text: str, language: str | None, code: str) -> None:
    assert extract(text, language).code == code


def test_other_blocks_stay_in_the_explanation_as_they_are() -> None:
    text = "Fixed:\n```python\nx = 1\n```\nRun it with:\n```bash\npython x.py\n```\nDone."
    found = extract(text, "python")
    assert found.code == "x = 1"
    assert found.explanation == "Fixed:\n\nRun it with:\n```bash\npython x.py\n```\nDone."


def test_several_matching_blocks_are_not_joined() -> None:
    text = "```python\ndef f():\n    return 1\n```\nand\n```python\nprint(f())\n```"
    found = extract(text, "python")
    assert found.code == "def f():\n    return 1"
    assert "print(f())" not in found.code and "print(f())" in found.explanation


@pytest.mark.parametrize(("text", "code"), [
    ("Sure:\n```python\ndef f():\n    return 1", "def f():\n    return 1"),  # stream cut short
    ("```python\nx = 1\n``", "x = 1"),  # closing fence half streamed
    ("```python\nx = 1\n`", "x = 1"),
    ("~~~python\nx = 1\n~~", "x = 1"),
    ("```python\n", ""),  # only the prefill so far
    ("```python", ""),
    ("```", ""),
])
def test_unclosed_fence_runs_to_the_end(text: str, code: str) -> None:
    assert extract(text, "python").code == code


@pytest.mark.parametrize(("text", "code"), [
    ("def f():\n    return 1\n", "def f():\n    return 1"),
    ("\n\n    indented first line\n", "    indented first line"),
    ("Here is the answer: it works.", "Here is the answer: it works."),  # prose stays visible, as code
    ("The function returns the sum.", "The function returns the sum."),
    ("```x = 1```", "```x = 1```"),  # backticks after the info string: inline code, not a fence
])
def test_no_fence_means_the_whole_text_is_the_code(text: str, code: str) -> None:
    assert extract(text, "python") == Extracted(code, None, "")


def test_inline_triple_backticks_do_not_open_a_block() -> None:
    found = extract("Use ```x``` here\n```py\nz = 2\n```", "python")
    assert (found.code, found.explanation) == ("z = 2", "Use ```x``` here")


@pytest.mark.parametrize("text", [
    f"```html\n{XSS}\n```",
    f"Careful:\n```python\nhtml = '{XSS}'\n```\n{XSS}",
])
def test_markup_in_the_answer_is_returned_verbatim(text: str) -> None:
    """extract() does not escape (highlight does): the code must round-trip unchanged."""
    assert XSS in extract(text, "python").code


@pytest.mark.parametrize("text", ["", " ", "\n\n", "\t \r\n"])
def test_empty_answers(text: str) -> None:
    assert extract(text) == Extracted("", None, "")
    assert extract_code(text) is None


@pytest.mark.parametrize(("text", "code"), [
    ("```python\nx = 1\n```", "x = 1"),
    ("x = 1", "x = 1"),
    ("```python\n```", ""),  # a fenced but empty answer is empty code, not "no answer"
])
def test_extract_code(text: str, code: str) -> None:
    assert extract_code(text, "python") == code
