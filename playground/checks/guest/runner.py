"""The program that runs INSIDE the WebAssembly sandbox (CPython compiled to WASI); the host never imports it.

It reads one JSON request from stdin: {"nonce", "code", "cases": [...], "output_cap"}. It runs the code
in a fresh namespace, then each case, and prints one line per case: the nonce, then a JSON result. User
output is captured and capped here, so it cannot push the results out of the host's output cap.
Results are printed as soon as each case ends, so a case that exhausts the limits loses only itself.
"""

import io
import json
import math
import os
import re
import sys
import time

REQUEST = json.loads(sys.stdin.read())
NONCE = REQUEST.pop("nonce")
CAP = int(REQUEST.get("output_cap", 65536))
REAL_OUT = sys.stdout
CODE_FILE = "<code>"  # the file name the code itself is compiled under: its frames are the code's lines


class Capped(io.TextIOBase):
    """A text stream that keeps the first CAP characters and counts the rest."""

    def __init__(self):
        self.parts, self.size, self.dropped = [], 0, 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = CAP - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def take(self):
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n[... {self.dropped} more characters not kept]"
        self.parts, self.size, self.dropped = [], 0, 0
        return text


OUT = Capped()


def encode(value, depth=0):
    """A JSON value that keeps what JSON would lose (tuples, sets, non-string keys, nan), bounded."""
    if depth > 20:
        return {"$repr": "..."}
    if value is None or isinstance(value, (bool, str)):
        return value if not isinstance(value, str) or len(value) <= CAP else value[:CAP]
    if isinstance(value, int):
        return value if abs(value) < 1 << 53 else {"$int": str(value) if value.bit_length() < 20000 else "huge"}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, (list, tuple)):
        items = [encode(v, depth + 1) for v in value[:1000]]
        return items if isinstance(value, list) else {"$tuple": items}
    if isinstance(value, (set, frozenset)):
        return {"$set": sorted((encode(v, depth + 1) for v in list(value)[:1000]), key=repr)}
    if isinstance(value, dict):
        return {"$dict": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in list(value.items())[:1000]]}
    if isinstance(value, bytes):
        return {"$bytes": value[:CAP].hex()}
    try:
        text = repr(value)
    except BaseException as exc:  # a __repr__ that raises
        text = f"<unprintable {type(value).__name__}: {type(exc).__name__}>"
    return {"$repr": text[:1000]}


def decode(value):
    """Arguments from the host: the same tagged JSON, back into Python values."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "$tuple" in value:
            return tuple(decode(v) for v in value["$tuple"])
        if "$set" in value:
            return set(decode(v) for v in value["$set"])
        if "$dict" in value:
            return {_hashable(decode(k)): decode(v) for k, v in value["$dict"]}
        if "$float" in value:
            return float(value["$float"])
        if "$int" in value:
            return int(value["$int"])
        return {k: decode(v) for k, v in value.items()}
    return value


def _hashable(value):
    return tuple(_hashable(v) for v in value) if isinstance(value, list) else value


def error_of(exc):
    """The exception's type and message, and the line of the code it was raised on (its innermost frame there)."""
    message = str(exc)
    error = {"type": type(exc).__name__, "message": message[:500]}
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == CODE_FILE:
            error["line"] = tb.tb_lineno
        tb = tb.tb_next
    return error


def report(result):
    line = json.dumps(result)
    if len(line) > 4 * CAP:  # a huge value: keep the row, not the value (the host bounds our lines too)
        result["value"] = {"$repr": f"<a value of {len(line):,} characters, too large to show>"}
        line = json.dumps(result)
    REAL_OUT.write(NONCE + line + "\n")
    REAL_OUT.flush()


def find(namespace, name):
    """The function the case calls: by its name, or its snake_case form (a translation may rename it)."""
    if callable(namespace.get(name)):
        return namespace[name]
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    if callable(namespace.get(snake)):
        return namespace[snake]
    raise NameError(f"no function named {name!r} in the code")


def displayed(source, namespace):
    """Run one doctest example like doctest does: an expression's value is shown with repr()."""
    shown = []
    hook = sys.displayhook
    sys.displayhook = lambda value: shown.append(repr(value)) if value is not None else None
    try:
        exec(compile(source, "<example>", "single"), namespace)
    finally:
        sys.displayhook = hook
    return "\n".join(shown)


def run_case(case, namespace):
    start = time.perf_counter()
    result = {"ok": True, "value": None, "error": None}
    try:
        kind = case["kind"]
        if kind == "call":
            function = find(namespace, case["func"])
            result["value"] = encode(function(*decode(case["args"])))
        elif kind == "doctest":
            shown = displayed(case["source"], namespace)
            result["value"] = shown
        elif kind == "eval":
            result["value"] = encode(eval(compile(case["source"], "<run>", "eval"), namespace))
        else:  # "exec": an assert line, or any statement (the code itself under CODE_FILE)
            exec(compile(case["source"], case.get("file", "<test>"), "exec"), namespace)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt from the code are results too
        result["ok"], result["error"] = False, error_of(exc)
    flooded = OUT.dropped
    result["output"] = OUT.take()
    if flooded and result["ok"]:  # printing without end is a fault of the code, like raising
        result["ok"] = False
        result["error"] = {"type": "OutputLimit", "message": f"printed {flooded + CAP:,} characters; "
                                                             f"the limit is {CAP:,}"}
    result["seconds"] = round(time.perf_counter() - start, 6)
    return result


def main():
    sys.stdout = sys.stderr = OUT
    sys.stdin = io.StringIO("")
    namespace = {"__name__": "__main__"}
    loaded = run_case({"kind": "exec", "source": REQUEST["code"], "file": CODE_FILE}, namespace)
    loaded["case"] = "load"
    report(loaded)
    if loaded["ok"]:
        for index, case in enumerate(REQUEST["cases"]):
            result = run_case(case, namespace)
            result["case"] = index
            report(result)
    REAL_OUT.write(NONCE + "END\n")
    REAL_OUT.flush()
    os._exit(0)  # no finalizers: a __del__ in the code does not run after the checks


main()
