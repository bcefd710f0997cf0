"""Inputs generated for a function of the original code: from its type hints, else from its examples' arguments.

The hypothesis strategies are built from types rebuilt from the syntax tree (no annotation is evaluated);
only the drawn argument values cross into the sandbox. Draws are derandomized: the same every time.
"""

from __future__ import annotations

import ast
import warnings
from typing import Any

GENERATED = 20  # inputs generated per function
MAX_FUNCTIONS = 3  # functions of the original that get generated inputs
MAX_BOUNDARY = 60  # calls at the code's own boundaries (boundary_calls)


def functions(code: str) -> dict[str, ast.FunctionDef]:
    """The top-level functions of Python code, by name (none when it does not parse)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return {}
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def generated_calls(code: str, calls: list[tuple[str, tuple[Any, ...]]], n: int = GENERATED) -> list[
        tuple[str, tuple[Any, ...]]]:
    """Inputs for the code's functions: from their type hints, else from the types of the examples' arguments."""
    defs = functions(code)
    wanted = list(dict.fromkeys([name for name, _ in calls if name in defs] +
                                [name for name in defs if not name.startswith("_")]))[:MAX_FUNCTIONS]
    out: list[tuple[str, tuple[Any, ...]]] = []
    for name in wanted:
        strategy = _signature_strategy(defs[name])
        if strategy is None:
            strategy = _example_strategy([a for f, a in calls if f == name])
        if strategy is not None:
            out += [(name, args) for args in _draw(strategy, n)]
    return out


def boundary_calls(code: str, calls: list[tuple[str, tuple[Any, ...]]], limit: int = MAX_BOUNDARY) -> list[
        tuple[str, tuple[Any, ...]]]:
    """The known calls again with one integer argument set to an integer literal of the function, or one off
    it: where `score >= 90` and `score > 90` part (at 90), random inputs seldom land."""
    defs = functions(code)
    out: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for name, args in calls:
        if name not in defs:
            continue
        literals = {n.value for n in ast.walk(defs[name]) if isinstance(n, ast.Constant) and type(n.value) is int}
        values = sorted({v + d for v in literals for d in (-1, 0, 1)})
        for i, arg in enumerate(args):
            if type(arg) is int:
                for value in values:
                    moved = (name, args[:i] + (value,) + args[i + 1:])
                    out.setdefault(repr(moved), moved)
    return list(out.values())[:limit]


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


def _example_strategy(examples: list[tuple[Any, ...]]) -> Any:
    """A strategy from the types of an example call's arguments (ints -> ints, a list of str -> lists of str,
    a dict of str to lists of int -> such dicts)."""
    from hypothesis import strategies as st

    if not examples:
        return None
    parts = [_like(value) for value in examples[0]]
    return None if not parts or any(p is None for p in parts) else st.tuples(*parts)


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
        return None if keys is None or items is None else st.dictionaries(keys, items, max_size=6)
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
