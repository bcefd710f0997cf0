"""Inputs generated for a function of the original code: from its type hints, else from its examples' arguments.

The hypothesis strategies are built from types rebuilt from the syntax tree (no annotation is evaluated);
only the drawn argument values cross into the sandbox. Draws are derandomized: the same every time.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

from ..languages import has_python_ast
from .functions import defined_functions

GENERATED = 20  # inputs generated per function
MAX_FUNCTIONS = 3  # functions of the original that get generated inputs


def functions(code: str) -> dict[str, ast.FunctionDef]:
    """The top-level functions of Python code, by name (none when it does not parse)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return {}
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def generated_calls(code: str, calls: list[tuple[str, tuple[Any, ...]]], n: int = GENERATED,
                    language: str = "python") -> list[tuple[str, tuple[Any, ...]]]:
    """Inputs for the code's functions: from their type hints (Python), else from the types of the examples'
    arguments."""
    defs = functions(code) if has_python_ast(language) else {}
    names = list(defs) if has_python_ast(language) else list(defined_functions(code, language))
    wanted = list(dict.fromkeys([name for name, _ in calls if name in names] +
                                [name for name in names if not name.startswith("_")]))[:MAX_FUNCTIONS]
    out: list[tuple[str, tuple[Any, ...]]] = []
    for name in wanted:
        strategy = _signature_strategy(defs[name]) if name in defs else None
        if strategy is None:
            strategy = _example_strategy([a for f, a in calls if f == name])
        if strategy is not None:
            out += [(name, args) for args in _draw(strategy, n)]
    return out


def typed(node: ast.FunctionDef) -> bool:
    """Whether inputs can be generated from the function's type hints alone."""
    return _signature_strategy(node) is not None


def _signature_strategy(node: ast.FunctionDef) -> Any:
    """A strategy for the function's positional parameters, when every one has a type we can build."""
    from hypothesis import strategies as st

    params = [a for a in node.args.posonlyargs + node.args.args if a.arg not in ("self", "cls")]
    if not params or node.args.vararg or node.args.kwonlyargs and any(d is None for d in node.args.kw_defaults):
        return None
    parts = [_strategy(a.annotation) if a.annotation is not None else None for a in params]
    return None if any(p is None for p in parts) else st.tuples(*parts)


_SIMPLE = {"int": "integers", "float": "floats", "str": "text", "bool": "booleans", "None": "none"}


def _strategy(node: ast.expr | None, depth: int = 0) -> Any:
    """A bounded strategy for a type hint written in the code (built from its syntax, never evaluated)."""
    from hypothesis import strategies as st

    if node is None or depth > 4:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a string annotation
        try:
            return _strategy(ast.parse(node.value, mode="eval").body, depth + 1)
        except SyntaxError:
            return None
    if isinstance(node, ast.Constant) and node.value is None:
        return st.none()
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
    if name in _SIMPLE:
        return _simple(name)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _strategy(node.left, depth + 1), _strategy(node.right, depth + 1)
        return None if left is None or right is None else st.one_of(left, right)
    if isinstance(node, ast.Subscript):
        return _generic(node, depth)
    if name in ("list", "List", "Sequence", "Iterable", "set", "Set", "tuple", "Tuple", "dict", "Dict", "Mapping"):
        return _container(name, [st.integers(-100, 100)])
    return None


def _simple(name: str) -> Any:
    from hypothesis import strategies as st

    if name == "int":
        return st.integers(-1000, 1000)
    if name == "float":
        return st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
    if name == "str":
        return st.text(st.characters(codec="ascii", categories=("L", "N", "P", "Zs")), max_size=12)
    return st.booleans() if name == "bool" else st.none()


def _generic(node: ast.Subscript, depth: int) -> Any:
    from hypothesis import strategies as st

    base = node.value.id if isinstance(node.value, ast.Name) else getattr(node.value, "attr", "")
    elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    if base == "Optional":
        inner = _strategy(elts[0], depth + 1)
        return None if inner is None else st.one_of(st.none(), inner)
    if base == "Union":
        parts = [_strategy(e, depth + 1) for e in elts]
        return None if any(p is None for p in parts) else st.one_of(*parts)
    if base in ("tuple", "Tuple") and not (len(elts) == 2 and isinstance(elts[1], ast.Constant)
                                           and elts[1].value is Ellipsis):
        parts = [_strategy(e, depth + 1) for e in elts]
        return None if any(p is None for p in parts) else st.tuples(*parts)
    parts = [_strategy(e, depth + 1) for e in elts[:2]]
    return None if any(p is None for p in parts) else _container(base, parts)


def _container(base: str, parts: list[Any]) -> Any:
    from hypothesis import strategies as st

    if base in ("list", "List", "Sequence", "Iterable", "tuple", "Tuple"):
        items = st.lists(parts[0], max_size=8)
        return items.map(tuple) if base in ("tuple", "Tuple") else items
    if base in ("set", "Set", "frozenset", "FrozenSet"):
        return st.sets(parts[0], max_size=8)
    if base in ("dict", "Dict", "Mapping") and len(parts) == 2:
        return st.dictionaries(parts[0], parts[1], max_size=6)
    return None


MAX_SHAPES = 3  # distinct call shapes (arity and argument types) inputs are generated from


def _example_strategy(examples: list[tuple[Any, ...]]) -> Any:
    """A strategy from the calls' arguments: for each distinct shape (how many arguments, of which types; up to
    MAX_SHAPES) values of the same types (ints -> ints, a list of str -> lists of str, a record -> records with
    its keys), keeping the relations every such call shows (a number never negative, the first <= the second)."""
    from hypothesis import strategies as st

    shapes: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for args in examples:
        shapes.setdefault(shape(args), []).append(args)
    strategies = []
    for group in list(shapes.values())[:MAX_SHAPES]:
        parts = [_like(_richest([args[i] for args in group])) for i in range(len(group[0]))]
        if parts and all(p is not None for p in parts):
            strategies.append(_kept(st.tuples(*parts), relations(group)))
    return st.one_of(*strategies) if strategies else None


def shape(args: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(type(a).__name__ for a in args)


def _kept(strategy: Any, keeps: list[Callable[[tuple[Any, ...]], bool]]) -> Any:
    def holds(args: tuple[Any, ...]) -> bool:
        return all(keep(args) for keep in keeps)

    return strategy.filter(holds) if keeps else strategy


def _richest(values: list[Any]) -> Any:
    """Of one argument's values, the first non-empty container (its items tell the element type), else the first."""
    return next((v for v in values if isinstance(v, list | tuple | set | dict) and v), values[0])


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _at_least_zero(i: int, args: tuple[Any, ...]) -> bool:
    return bool(args[i] >= 0)


def _ordered(i: int, j: int, args: tuple[Any, ...]) -> bool:
    return bool(args[i] <= args[j])


def relations(group: list[tuple[Any, ...]]) -> list[Callable[[tuple[Any, ...]], bool]]:
    """What every call of one shape keeps, when at least two show it: a number argument never negative; one
    number argument never above (or below) another. Generated inputs keep it too: `clamp(x, 617, -393)` with
    min above max, or a time of -854 seconds, are inputs the calls show the code is not meant for."""
    if len(group) < 2:
        return []
    positions = [i for i in range(len(group[0])) if all(_number(args[i]) for args in group)]
    keeps: list[Callable[[tuple[Any, ...]], bool]] = []
    for i in positions:
        if all(args[i] >= 0 for args in group):
            keeps.append(partial(_at_least_zero, i))
        for j in (j for j in positions if j > i):
            if all(args[i] <= args[j] for args in group) and any(args[i] < args[j] for args in group):
                keeps.append(partial(_ordered, i, j))
            elif all(args[i] >= args[j] for args in group) and any(args[i] > args[j] for args in group):
                keeps.append(partial(_ordered, j, i))
    return keeps


def _like(value: Any) -> Any:
    from hypothesis import strategies as st

    if isinstance(value, bool):
        return st.booleans()
    for kind, name in ((int, "int"), (float, "float"), (str, "str")):
        if isinstance(value, kind):
            return _simple(name)
    if isinstance(value, list | tuple | set):
        inner = _like(next(iter(value))) if value else st.integers(-100, 100)
        if inner is None:
            return None
        items = st.sets(inner, max_size=8) if isinstance(value, set) else st.lists(inner, max_size=8)
        return items.map(type(value))
    if isinstance(value, dict):  # {"ann": [1, 2]} -> dicts of str to lists of int
        key, item = next(iter(value.items())) if value else ("", 0)
        keys, items = _like(key), _like(item)
        if keys is None or items is None:
            return None
        shaped = {k: _like(v) for k, v in value.items()} if value and len(value) <= 8 else {}
        if not shaped or any(s is None for s in shaped.values()):
            return st.dictionaries(keys, items, max_size=6)
        # A record ({"name": "Ann", "age": 7}) keeps its keys; a mapping may have any: both are drawn.
        return st.one_of(st.fixed_dictionaries(shaped), st.dictionaries(keys, items, max_size=6))
    if value is None:
        return st.none()
    return None


def _draw(strategy: Any, n: int) -> list[tuple[Any, ...]]:
    """n distinct examples, the same every time (derandomized, no example database)."""
    from hypothesis import HealthCheck, Phase, given, settings

    drawn: list[tuple[Any, ...]] = []
    seen: set[str] = set()

    @settings(max_examples=n * 3, database=None, derandomize=True, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(args: tuple[Any, ...]) -> None:
        key = repr(args)
        if key not in seen and len(drawn) < n:
            seen.add(key)
            drawn.append(args)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        collect()
    return drawn
