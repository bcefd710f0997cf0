"""Functions with a signature made at run time: the endpoints and tools generated from the task list.

Gradio names an endpoint's parameters, and its MCP server types and describes a tool's arguments, from the
function's signature, type hints and docstring. A generated function gets all three here, and is called as
Gradio calls it (by position, the request in its place) or by keyword; it receives its arguments by name.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

R = TypeVar("R")
Y = TypeVar("Y")

REQUIRED = inspect.Parameter.empty


def signed(body: Callable[[Mapping[str, Any]], R], name: str, doc: str,
           parameters: Sequence[tuple[str, type, Any]], returns: Any) -> Callable[..., R]:
    """A function called `name`, documented by `doc`, taking `parameters` ((name, type, default or REQUIRED),
    in order), that calls body with its arguments by name (defaults filled in)."""
    signature = _signature(parameters, returns)

    def function(*args: Any, **kwargs: Any) -> R:
        return body(_arguments(signature, args, kwargs))

    return _named(function, name, doc, signature)


def signed_stream(body: Callable[[Mapping[str, Any]], Iterator[Y]], name: str, doc: str,
                  parameters: Sequence[tuple[str, type, Any]], returns: Any) -> Callable[..., Iterator[Y]]:
    """signed() for a body that streams: the function is a generator function, as Gradio needs to stream it."""
    signature = _signature(parameters, returns)

    def function(*args: Any, **kwargs: Any) -> Iterator[Y]:
        yield from body(_arguments(signature, args, kwargs))

    return _named(function, name, doc, signature)


def _signature(parameters: Sequence[tuple[str, type, Any]], returns: Any) -> inspect.Signature:
    return inspect.Signature([inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=d, annotation=t)
                              for n, t, d in parameters], return_annotation=returns)


def _arguments(signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    given = signature.bind(*args, **kwargs)
    given.apply_defaults()
    return dict(given.arguments)


def _named(function: Callable[..., R], name: str, doc: str, signature: inspect.Signature) -> Callable[..., R]:
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    function.__signature__ = signature  # type: ignore[attr-defined]  # inspect.signature reads it
    function.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()} | {
        "return": signature.return_annotation}
    return function
