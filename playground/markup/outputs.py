"""Named outputs of Gradio events, for the web app and the teaching view (as fragments.py is their HTML).

A handler returns, or yields, the values it changes by name (`{"answer": html, "stats": line}`) and
leaves out what it does not change. An event's outputs are an `Outputs`: its components by name, in the
order the event lists them (which is also an API endpoint's order of returns). `Outputs.bind(handler)` is
the one place names become components: Gradio takes `{component: value}` from a plain or a generator
handler, and leaves the outputs missing from it unchanged. A name that is not one of the event's outputs,
or values given by position, fail here instead of showing a value in the wrong box.

Like the rest of markup/, only web/ and teach/ import it; the core imports no Gradio.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import gradio as gr
from gradio.blocks import Block

Values = Mapping[str, Any]  # what a handler returns: the values of some of its event's outputs, by name


class Outputs(Mapping[str, Block]):
    """An event's output components by name; `outputs=` takes `.list`, the handler goes through `.bind()`."""

    def __init__(self, components: Mapping[str, Block] | None = None, /, **named: Block) -> None:
        self._components: dict[str, Block] = {**(components or {}), **named}

    @classmethod
    def of(cls, fields: type | Iterable[str], components: Mapping[str, Block]) -> Outputs:
        """The components named by a record's fields (a TypedDict of the values) or by a list of names, in
        that order, picked from the components of a tab or panel by name."""
        names = list(fields.__annotations__) if isinstance(fields, type) else list(fields)
        if missing := [name for name in names if name not in components]:
            raise KeyError(f"no component named {missing} (there are {sorted(components)})")
        return cls({name: components[name] for name in names})

    def __getitem__(self, name: str) -> Block:
        return self._components[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._components)

    def __len__(self) -> int:
        return len(self._components)

    def __add__(self, other: Mapping[str, Block]) -> Outputs:
        if clash := set(self) & set(other):
            raise ValueError(f"outputs named twice: {sorted(clash)}")
        return Outputs({**self._components, **other})

    def __repr__(self) -> str:
        return f"Outputs({', '.join(self._components)})"

    @property
    def list(self) -> list[Block]:
        """The event's `outputs=`, in order."""
        return list(self._components.values())

    def components(self, values: Values) -> dict[Block, Any]:
        """A handler's values by name as Gradio's {component: value}; nothing to change is gr.skip()."""
        if not isinstance(values, Mapping):
            raise TypeError(f"a handler gives its outputs by name (a dict of {list(self)}), "
                            f"not a {type(values).__name__}")
        if unknown := [name for name in values if name not in self._components]:
            raise KeyError(f"{unknown} are not outputs of this event ({list(self)})")
        if not values:  # Gradio reads an empty dict as one value; a single skip() leaves every output as it is
            skip: dict[Block, Any] = gr.skip()
            return skip
        return {self._components[name]: value for name, value in values.items()}

    def bind(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """The handler as Gradio calls it: same signature and name (the API reads both), values by component.

        A generator stays a generator (Gradio streams it), and closing it (Stop, a tab closed) closes the
        handler's generator at once, so its `finally` runs."""
        if inspect.isgeneratorfunction(handler):
            @functools.wraps(handler)
            def stream(*args: Any, **kwargs: Any) -> Iterator[dict[Block, Any]]:
                updates = handler(*args, **kwargs)
                try:
                    for values in updates:
                        yield self.components(values)
                finally:
                    updates.close()

            bound: Callable[..., Any] = stream
        else:
            @functools.wraps(handler)
            def call(*args: Any, **kwargs: Any) -> dict[Block, Any]:
                return self.components(handler(*args, **kwargs))

            bound = call
        bound.outputs = self  # type: ignore[attr-defined]  # tests/test_ui_outputs.py checks every event's
        return bound
