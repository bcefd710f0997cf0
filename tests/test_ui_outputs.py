"""Every UI output is named: handlers give their values by name, and one place (playground/markup/outputs.py) turns
the names into Gradio's {component: value}, so moving a component in the page shifts nothing else."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from playground.markup.outputs import Outputs
from playground.web.manager import ModelManager
from tests.fakes import Wrapped  # noqa: F401  # registers the "echo" engine

ROOT = Path(__file__).resolve().parent.parent
FRONT_ENDS = [ROOT / "playground" / "web", ROOT / "playground" / "teach"]


@pytest.fixture(scope="module")
def page() -> gr.Blocks:
    from app import build_page

    return build_page(ModelManager(engine="echo"))


def _ours(fn: Any) -> bool:
    """A handler of the playground's (not one Gradio adds itself, such as gr.Examples' load_example)."""
    module = getattr(fn, "__module__", "") or ""
    return module.startswith("playground") or module == "app"


def test_every_event_with_several_outputs_gives_them_by_name(page: gr.Blocks) -> None:
    """An event of ours with more than one output runs a handler bound to its Outputs, and those are its
    outputs, in order: no handler is left returning a tuple that Gradio would match by position."""
    several = [block_fn for block_fn in page.fns.values() if _ours(block_fn.fn) and len(block_fn.outputs) > 1]
    assert len(several) > 30  # each task tab, the model panel and the teaching tab
    for block_fn in several:
        outputs = getattr(block_fn.fn, "outputs", None)
        assert isinstance(outputs, Outputs), f"{block_fn.name} returns its {len(block_fn.outputs)} outputs by position"
        assert [b._id for b in outputs.list] == [b._id for b in block_fn.outputs], block_fn.name


def test_the_streaming_endpoints_return_the_live_outputs_in_the_apis_order(page: gr.Blocks) -> None:
    """The API's returns are the event's outputs in order: view.Live's fields, then the final View (a State)."""
    from playground.web.view import Live

    for task in ("translate", "simplify", "debug", "complete"):
        block_fn = next(f for f in page.fns.values() if f.api_name == task)
        outputs = getattr(block_fn.fn, "outputs", None)  # what Outputs.bind() gives its handler
        assert isinstance(outputs, Outputs)
        assert list(outputs) == [*Live.__annotations__, "ended"]
        assert [_label(b) for b in block_fn.outputs[:-1]] == list(Live.__annotations__)


def _label(block: gr.components.Component | gr.blocks.BlockContext) -> object:
    assert isinstance(block, gr.components.Component), block  # an output, not a layout block
    return block.label


def _outputs() -> Outputs:
    return Outputs(first=gr.HTML(render=False), second=gr.HTML(render=False))


def test_named_values_become_components_and_positions_are_refused() -> None:
    outputs = _outputs()
    assert outputs.components({"second": "b"}) == {outputs["second"]: "b"}  # left out: unchanged
    assert outputs.components({}) == gr.skip()  # nothing to change (Gradio reads {} as one value)
    with pytest.raises(TypeError, match="by name"):
        outputs.bind(lambda: ("a", "b"))()
    with pytest.raises(KeyError, match="third"):
        outputs.components({"third": "c"})
    with pytest.raises(ValueError, match="named twice"):
        outputs + Outputs(first=gr.HTML(render=False))
    with pytest.raises(KeyError, match="no component named"):
        Outputs.of(("first", "third"), outputs)


def test_a_bound_generator_streams_and_closing_it_closes_the_handler() -> None:
    """Stop (or a closed browser tab) closes the stream Gradio holds; the handler's `finally` must run then."""
    closed: list[bool] = []

    def handler(text: str) -> Iterator[dict[str, str]]:
        try:
            yield {"first": text}
            yield {"second": text}
        finally:
            closed.append(True)

    outputs = _outputs()
    stream = outputs.bind(handler)("x")
    assert next(stream) == {outputs["first"]: "x"} and stream.__name__ == "handler"
    stream.close()
    assert closed == [True]


def _front_end_trees() -> Iterator[tuple[str, ast.AST]]:
    for folder in FRONT_ENDS:
        for path in sorted(folder.glob("*.py")):
            yield path.name, ast.parse(path.read_text("utf-8"))


def test_no_counted_outputs_remain_in_the_front_ends() -> None:
    """No `[gr.skip()] * n`, no skips made in a loop, no N_OUTPUTS-style counts of a tab's outputs."""

    def is_skip(node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "skip"

    found = []
    for name, tree in _front_end_trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and any(
                    is_skip(n) for side in (node.left, node.right) for n in ast.walk(side)):
                found.append(f"{name}:{node.lineno} skips counted")
            if isinstance(node, ast.GeneratorExp | ast.ListComp) and is_skip(node.elt):
                found.append(f"{name}:{node.lineno} skips made in a loop")
            if isinstance(node, ast.Name) and node.id.startswith("N_"):
                found.append(f"{name}:{node.lineno} {node.id}")
    assert not found, found
