"""The known calls again, changed where random inputs seldom land and simple bugs hide (nothing runs here).

Generated inputs (generate.py) are drawn at random from the calls' types: an age of exactly 18, two words with
the same first letter, a list nested one level deeper or a `"1"` beside a `1` come up rarely, and those are
the inputs on which `>` and `>=`, an overwrite and an append, `flat()` and `flat(Infinity)`, `==` and `===`
part. So each known call (the examples', the code's own, the model's) is tried again with one such change,
taken from the code's own text (its integer literals, whether it compares for equality) or from the call's
values; the original's run on them is the oracle as on any generated input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..languages import has_python_ast
from .functions import Literals, defined_functions, literals
from .generate import MAX_FUNCTIONS, functions, generated_calls, relations, shape, typed

MAX_BOUNDARY = 120  # calls at the code's own boundaries (boundary_calls), for the Tests task's probes
MAX_VARIATIONS = 16  # changed calls per function (variations), for the oracle's inputs
MAX_PATHS = 4  # integers inside one call's arguments that are set to the code's literals

Call = tuple[str, tuple[Any, ...]]


def boundary_calls(code: str, calls: list[Call], limit: int = MAX_BOUNDARY, language: str = "python") -> list[Call]:
    """The known calls again at the code's own boundaries: one number argument set to another's value and one
    off it (`x == low` in a clamp, where `x < low` and `x <= low` part), and one integer argument set to an
    integer literal of the function and one off it (`score >= 90` against `> 90`); keeping what every known
    call of the same shape keeps (no `low > high` when no call has one)."""
    names, own = set(defined_functions(code, language)), literals(code, language)
    out: dict[str, Call] = {}
    keeps = _keeps(calls)

    def add(name: str, args: tuple[Any, ...], i: int, value: Any) -> None:
        moved = (name, args[:i] + (value,) + args[i + 1:])
        if all(keep(moved[1]) for keep in keeps[(name, shape(args))]):  # what every such call keeps (lo <= hi)
            out.setdefault(repr(moved), moved)

    for name, args in calls:
        if name not in names:
            continue
        numbers = [i for i, a in enumerate(args) if type(a) in (int, float)]
        for i in numbers:  # the parameters' equalities first: they are few
            for j in numbers:
                if i != j:
                    for d in (-1, 0, 1):
                        add(name, args, i, args[j] + d)
        for i in (k for k in numbers if type(args[k]) is int):
            for value in _around(own.get(name, Literals()).integers):
                add(name, args, i, value)
    return list(out.values())[:limit]


def variations(code: str, calls: list[Call], language: str = "python", limit: int = MAX_VARIATIONS) -> list[Call]:
    """Each known call of the code's functions again with one change, taken in turns so that every kind comes
    up within the limit per function:
    - an integer in the arguments, at any depth (a record's field, a list's item), set to one of the function's
      integer literals or one off it (`person.age >= 18` against `> 18`);
    - a list of strings with its first item again, and again in the other case (`groups[letter] = [word]`
      overwrites what `push` keeps; `word[0]` without `toUpperCase()`);
    - a list of lists with its first item nested one level deeper (`flat()` against `flat(Infinity)`);
    - where the function compares for equality, a list of numbers with the string of a number it is compared
      with, or of its first item (`"3"` beside `3`: `==` against `===`).
    What every known call of the same shape keeps, a changed call keeps too."""
    own, names = literals(code, language), set(defined_functions(code, language))
    keeps = _keeps(calls)
    out: dict[str, list[Call]] = {}
    seen = {repr(c) for c in calls}
    for name, args in calls:
        if name not in names:
            continue
        kinds = [_with_literals(args, own.get(name, Literals())), _repeated(args), _nested(args),
                 _mixed(args) if own.get(name, Literals()).compares else iter(())]
        for changed in _in_turns(kinds):
            call = (name, changed)
            found = out.setdefault(name, [])
            if len(found) >= limit:
                break
            if repr(call) not in seen and all(keep(changed) for keep in keeps[(name, shape(args))]):
                seen.add(repr(call))
                found.append(call)
    return [c for found in out.values() for c in found]


def _keeps(calls: list[Call]) -> dict[tuple[str, tuple[str, ...]], list[Callable[[tuple[Any, ...]], bool]]]:
    return {(name, shape(args)): relations([a for f, a in calls if f == name and shape(a) == shape(args)])
            for name, args in calls}


def _around(integers: frozenset[int]) -> list[int]:
    """The literals and one off each, those other than 0 and 1 (which count and index) first."""
    rare = sorted(v + d for v in integers if v not in (0, 1) for d in (0, -1, 1))
    common = sorted(v + d for v in integers if v in (0, 1) for d in (0, -1, 1))
    return list(dict.fromkeys(rare + common))


def _in_turns(kinds: list[Iterator[tuple[Any, ...]]]) -> Iterator[tuple[Any, ...]]:
    """One of each kind in turn, until all are spent."""
    while kinds:
        for kind in list(kinds):
            value = next(kind, None)
            if value is None:
                kinds.remove(kind)
            else:
                yield value


def _with_literals(args: tuple[Any, ...], own: Literals) -> Iterator[tuple[Any, ...]]:
    values = _around(own.integers)
    for path in sorted(_integer_paths(args), key=len)[:MAX_PATHS]:
        for value in values:
            yield _replaced(args, path, value)


def _integer_paths(value: Any, path: tuple[Any, ...] = (), depth: int = 0) -> Iterator[tuple[Any, ...]]:
    """Where the integers are inside value (indices and keys), outermost first, at most three levels down."""
    if type(value) is int:
        yield path
    elif depth < 3 and isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _integer_paths(item, path + (i,), depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for key, item in value.items():
            yield from _integer_paths(item, path + (key,), depth + 1)


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """value with the item at path replaced by new (containers copied, never changed in place)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], rest, new)}
    items = list(value)
    items[head] = _replaced(items[head], rest, new)
    return tuple(items) if isinstance(value, tuple) else items


def _lists(args: tuple[Any, ...], holds: Callable[[list[Any]], bool]) -> Iterator[int]:
    return (i for i, a in enumerate(args) if type(a) is list and a and holds(a))


def _repeated(args: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    for i in _lists(args, lambda a: all(type(x) is str for x in a)):
        first = args[i][0]
        yield _replaced(args, (i,), [*args[i], first])
        if first[:1].isalpha():
            yield _replaced(args, (i,), [*args[i], first[:1].swapcase() + first[1:]])


def _nested(args: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    for i in _lists(args, lambda a: type(a[0]) is list and bool(a[0])):
        inner = args[i][0]
        yield _replaced(args, (i, 0), [[inner[0]], *inner[1:]])


def _mixed(args: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    """The string of a number the list is compared with (another argument: `count(xs, 3)` gets a `"3"`), then
    of its own first item."""
    for i in _lists(args, lambda a: all(type(x) is int for x in a)):
        others = [a for j, a in enumerate(args) if j != i and type(a) is int]
        for value in dict.fromkeys([*others, args[i][0]]):
            yield _replaced(args, (i,), [*args[i], str(value)])


def probes(code: str, calls: list[Call], language: str) -> list[Call]:
    """Inputs beyond the known calls: the calls changed where simple bugs hide (variations), then inputs
    generated from the calls' types (generate.py)."""
    return variations(code, calls, language) + generated_calls(code, calls, language=language)


def untested(code: str, language: str, calls: list[Call]) -> list[str]:
    """Public functions with parameters that no call and no type-hinted signature gives inputs for."""
    called = {f for f, _ in calls}
    if not has_python_ast(language):
        return [name for name, arity in defined_functions(code, language).items()
                if not name.startswith("_") and name not in called and arity][:MAX_FUNCTIONS]
    return [name for name, node in functions(code).items()
            if not name.startswith("_") and name not in called and not typed(node) and node.args.args][:MAX_FUNCTIONS]
