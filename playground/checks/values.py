"""Values that crossed the sandbox (tagged JSON, see guest/runner.py): compared structurally, shown briefly.

Two results match when they have the same structure, with floats within a tolerance; across languages
(Python and JavaScript) tuples and lists are the same array, dict keys are strings, and a set is a list.
"""

from __future__ import annotations

import json
import math
from typing import Any

REL_TOL = 1e-6
ABS_TOL = 1e-9
SHOWN = 120


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, dict) and "$float" in v:
        return float(v["$float"])
    if isinstance(v, dict) and "$int" in v and v["$int"] != "huge":
        try:
            return float(int(v["$int"]))
        except OverflowError:  # beyond a float (10**400): compared exactly, as its digits
            return None
    return None


def _loose(v: Any) -> Any:
    """The cross-language form: tuples and sets as lists, dicts with string keys, undefined as None."""
    if isinstance(v, list):
        return [_loose(x) for x in v]
    if isinstance(v, dict):
        if "$tuple" in v:
            return [_loose(x) for x in v["$tuple"]]
        if "$set" in v:
            return sorted((_loose(x) for x in v["$set"]), key=repr)
        if "$dict" in v:
            return {str(_loose(k)): _loose(x) for k, x in v["$dict"]}
        if "$undefined" in v:
            return None
        if not any(k.startswith("$") for k in v):
            return {k: _loose(x) for k, x in v.items()}
    return v


def same(a: Any, b: Any, loose: bool = False) -> bool:
    """Whether two tagged values are equal (floats within REL_TOL/ABS_TOL; loose: across languages)."""
    if loose:
        a, b = _loose(a), _loose(b)
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        if math.isnan(na) or math.isnan(nb):
            return math.isnan(na) and math.isnan(nb)
        exact_ints = isinstance(a, int) and isinstance(b, int)
        return a == b if exact_ints else math.isclose(na, nb, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return False
        if "$dict" in a:
            return _same_items(a["$dict"], b["$dict"])
        if "$set" in a:
            return _same_items([[x, None] for x in a["$set"]], [[x, None] for x in b["$set"]])
        return all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _same_items(a: list[list[Any]], b: list[list[Any]]) -> bool:
    """Unordered pairs: each of a matches a distinct one of b."""
    if len(a) != len(b):
        return False
    rest = list(b)
    for ka, va in a:
        hit = next((i for i, (kb, vb) in enumerate(rest) if same(ka, kb) and same(va, vb)), None)
        if hit is None:
            return False
        rest.pop(hit)
    return True


def show(v: Any) -> str:
    """A short Python-like text of a tagged value, for the Checks panel."""
    text = _show(v)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _show(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    if isinstance(v, dict):
        if "$tuple" in v:
            items = [_show(x) for x in v["$tuple"]]
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        if "$set" in v:
            return "{" + ", ".join(_show(x) for x in v["$set"]) + "}" if v["$set"] else "set()"
        if "$dict" in v:
            return "{" + ", ".join(f"{_show(k)}: {_show(x)}" for k, x in v["$dict"]) + "}"
        for tag in ("$repr", "$float", "$int"):
            if tag in v:
                return str(v[tag])
        if "$bytes" in v:
            return repr(bytes.fromhex(v["$bytes"]))
        if "$undefined" in v:
            return "undefined"
        return "{" + ", ".join(f"{k!r}: {_show(x)}" for k, x in v.items()) + "}"
    return repr(v)


def encode(value: Any) -> Any:
    """A host value (a literal from an example, or a generated input) as tagged JSON for the sandbox."""
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, set | frozenset):
        return {"$set": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {"$dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": repr(value)}
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1 << 53:
        return {"$int": str(value)}
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    return value


def huge(value: Any) -> bool:
    """Whether a tagged value holds an integer JavaScript cannot represent exactly."""
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) > 2**53
    if isinstance(value, list):
        return any(huge(v) for v in value)
    if isinstance(value, dict):
        return "$int" in value or any(huge(v) for v in value.values())
    return False


def literal(v: Any, javascript: bool = False) -> str:
    """A tagged value as the answer's language writes it (`None`, `''`, `{'a': 1}`; `null`, `""`, `{a: 1}`),
    shortened, so that an empty string or a missing value never shows as a blank cell."""
    text = _literal(v, javascript)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _literal(v: Any, js: bool) -> str:
    if v is None:
        return "null" if js else "None"
    if isinstance(v, bool):
        return ("true" if v else "false") if js else repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False) if js else repr(v)
    if isinstance(v, float) and js and v.is_integer():
        return str(int(v))
    if isinstance(v, list):
        return "[" + ", ".join(_literal(x, js) for x in v) + "]"
    if not isinstance(v, dict):
        return repr(v)
    if "$tuple" in v:
        items = [_literal(x, js) for x in v["$tuple"]]
        return "[" + ", ".join(items) + "]" if js else "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if "$set" in v:
        members = ", ".join(_literal(x, js) for x in v["$set"])
        return f"new Set([{members}])" if js else "{" + members + "}" if members else "set()"
    if "$dict" in v:
        pairs = [(k if js and isinstance(k, str) else None, _literal(k, js), x) for k, x in v["$dict"]]
        return "{" + ", ".join(f"{_key(raw) if raw is not None else shown}: {_literal(x, js)}"
                               for raw, shown, x in pairs) + "}"
    if "$undefined" in v:
        return "undefined"
    if "$float" in v:
        text = str(v["$float"])
        return {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}.get(text, text) if js else \
            f"float('{text}')"
    for tag in ("$repr", "$int"):
        if tag in v:
            return str(v[tag])
    if "$bytes" in v:
        return repr(bytes.fromhex(v["$bytes"]))
    return "{" + ", ".join(f"{_key(k) if js else repr(k)}: {_literal(x, js)}" for k, x in v.items()) + "}"


def _key(key: str) -> str:
    """An object key as JavaScript writes it: bare when it is an identifier, else quoted."""
    return key if key.isidentifier() and key.isascii() else json.dumps(key, ensure_ascii=False)


def call_text(func: str, args: tuple[Any, ...], javascript: bool = False, width: int = 40) -> str:
    """A call as the answer's language writes it, each argument shortened: `countWords("a  b")`."""
    shown = []
    for arg in args:
        text = _literal(arg, javascript)
        shown.append(text if len(text) <= width else text[: width - 1] + "…")
    return f"{func}({', '.join(shown)})"
