"""The class record's benchmark (prints figures; not a test; loopback only).

1. Writes: 30 threads keep requests (a row and a rating each, as 30 students would) in one SQLite record (WAL):
   rows per second, and the time one `Classroom.keep` adds to a request (p50, p95, max), beside one writer alone.
2. The same through the app: 30 gradio_client clients each ask for an answer (the echo engine answers at once)
   and rate it; the time `keep` took inside the app, and whether every row and rating arrived.
3. Size: the SQLite file per 1,000 requests, with the code and answer off (the default) and on.
4. Two students at once on the real default model (`python app.py`, llama-cpp, one answer at a time): the wait
   the second student's page was told (rank and estimate, from the measured speed) against the wait it had.

Run: `PYTHONPATH=. .venv/bin/python bench/record.py [--rows 200] [--skip-model]` (~4 min with the model).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client  # noqa: E402

from playground.record import Record  # noqa: E402
from playground.record.classroom import Asked, Classroom  # noqa: E402
from playground.result import Result, Stats, Status  # noqa: E402
from playground.tasks import Request  # noqa: E402

CODE = "def mean(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total / len(xs)\n" * 3
ERROR = "Traceback (most recent call last):\n  File \"mean.py\", line 5\nZeroDivisionError: division by zero"
CLIENTS = 30


def result() -> Result:
    return Result(task="debug", language="python", prompt="", model="qwen2.5-coder-1.5b", engine="llama-cpp",
                  stats=Stats(completion_tokens=80, total_s=6.0, ttft_s=0.9), status=Status.DONE)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(values: list[float]) -> str:
    return (f"p50 {1000 * statistics.median(values):.2f} ms, p95 {1000 * percentile(values, 0.95):.2f} ms, "
            f"max {1000 * max(values):.2f} ms")


def writes(folder: Path, writers: int, per_writer: int) -> tuple[float, list[float]]:
    """(rows per second, seconds of each keep) for `writers` threads keeping `per_writer` requests and rating them."""
    classroom = Classroom(Record(f"sqlite:///{folder / f'writes-{writers}.sqlite3'}"))
    request = Request.build("debug", CODE, language="python", error=ERROR)
    took: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(writers + 1)

    def writer(n: int) -> None:
        start.wait()
        for k in range(per_writer):
            request_id = f"{n:08x}{k:024x}"
            began = time.perf_counter()
            classroom.keep(Asked(request_id, f"s{n}", "page", "debug", CODE, "python", request, waited=0.5), result())
            spent = time.perf_counter() - began
            classroom.rate(request_id, "up", "fine", f"s{n}")
            with lock:
                took.append(spent)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    assert classroom.record.on and classroom.record.count() == writers * per_writer, "rows were lost"
    return 2 * writers * per_writer / elapsed, took


def through_the_app(folder: Path) -> None:
    from playground.catalog import SMALL_MODEL
    from playground.web import ModelManager
    from tests import fakes  # noqa: F401 (registers the "echo" engine)
    from tests.browser import serve

    os.environ["PLAYGROUND_DATA_DIR"] = str(folder / "app")
    from playground.settings import reload_settings

    reload_settings()
    took: list[float] = []
    keep = Classroom.keep

    def timed(self: Classroom, *args: object, **kwargs: object) -> None:
        began = time.perf_counter()
        keep(self, *args, **kwargs)  # type: ignore[arg-type]
        took.append(time.perf_counter() - began)

    Classroom.keep = timed  # type: ignore[method-assign]  # measuring only, in this process
    params = {"temperature": 0.0, "top_p": 0.95, "top_k": 40, "max_tokens": 60, "repeat_penalty": 1.1, "seed": 1,
              "candidates": 1, "policy": "fresh"}
    try:
        with serve(ModelManager(engine="echo", model=SMALL_MODEL, public=False)) as (url, _):
            def student(n: int) -> None:
                api = Client(url, verbose=False, analytics_enabled=False, download_files=False)
                answer = api.predict(code=f"def f{n}(x):\n    return x + {n}\n", source_language="python",
                                     tests="", **params, api_name="/simplify")[0]
                api.predict(request_id=answer["request_id"], rating="up", comment="", api_name="/rate")

            began = time.perf_counter()
            with ThreadPoolExecutor(CLIENTS) as pool:
                list(pool.map(student, range(CLIENTS)))
            elapsed = time.perf_counter() - began
    finally:
        Classroom.keep = keep  # type: ignore[method-assign]
    record = Record(f"sqlite:///{folder / 'app' / 'class-record.sqlite3'}")
    rated = sum(1 for row in record.rows() if row["rating"])
    print(f"  {CLIENTS} clients through the app: {record.count()} rows and {rated} ratings kept of {CLIENTS} "
          f"({elapsed:.1f} s in all, the echo engine answering one at a time)")
    print(f"  keep() inside the app: {ms(took)}")


def sizes(folder: Path, rows: int = 1000) -> None:
    request = Request.build("debug", CODE, language="python", error=ERROR)
    for keep_code in (False, True):
        path = folder / f"size-{keep_code}.sqlite3"
        classroom = Classroom(Record(f"sqlite:///{path}", keep_code=keep_code))
        for n in range(rows):
            classroom.keep(Asked(f"{n:032x}", f"s{n % 30}", "page", "debug", CODE, "python", request), result())
            if n % 3 == 0:
                classroom.rate(f"{n:032x}", "up", "the fix is right", f"s{n % 30}")
        classroom.record.close()  # checkpoints the write-ahead log into the file
        size = path.stat().st_size + sum(p.stat().st_size for p in folder.glob(path.name + "-*"))
        print(f"  {rows} requests (a third rated), code {'kept' if keep_code else 'not kept'} "
              f"({len(CODE)}-char code and answer): {size / 1024:.0f} KiB")


def two_students(folder: Path) -> None:
    """The second of two students who press Generate together on the default model: told vs had."""
    from bench.ui import start_app

    os.environ["PLAYGROUND_DATA_DIR"] = str(folder / "students")  # the app's record: not the user's
    proc, url, _ = start_app()
    try:
        ask = {"code": CODE, "source_language": "python", "error_message": ERROR, "tests": "", "temperature": 0.0,
               "top_p": 0.95, "top_k": 40, "max_tokens": 256, "repeat_penalty": 1.1, "seed": 1, "candidates": 1,
               "policy": "fresh"}
        first = Client(url, verbose=False, analytics_enabled=False, download_files=False)
        first.predict(**ask, api_name="/debug")  # a timed answer: the estimate needs one
        a, b = (Client(url, verbose=False, analytics_enabled=False, download_files=False) for _ in range(2))
        job_a = a.submit(**ask, api_name="/debug")
        time.sleep(0.5)
        submitted = time.perf_counter()
        job_b = b.submit(**ask, api_name="/debug")
        told: tuple[int, float] | None = None
        started = None
        while not job_b.done():
            status = job_b.status()
            if told is None and status.rank is not None and status.eta is not None:
                told = (status.rank + 1, status.eta)
            if started is None and status.code.name in ("PROCESSING", "ITERATING"):
                started = time.perf_counter() - submitted
            time.sleep(0.1)
        job_a.result()
        if told is None or started is None:
            print("  two students: the second was never told a wait (it started at once)")
            return
        print(f"  two students on the default model: the second was told '{told[0]} in line, about "
              f"{told[1]:.0f} s' and began after {started:.0f} s")
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200, help="requests per writer thread")
    parser.add_argument("--skip-model", action="store_true", help="leave out the two students on the real model")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-record-") as name:
        folder = Path(name)
        print(f"class record benchmark: SQLite {__import__('sqlite3').sqlite_version}, {os.cpu_count()} cores")
        for writers in (1, CLIENTS):
            rate, took = writes(folder, writers, args.rows if writers > 1 else args.rows * 5)
            print(f"  {writers:>2} writer(s): {rate:,.0f} writes/s (a row and a rating per request); "
                  f"keep() {ms(took)}")
        through_the_app(folder)
        sizes(folder)
        if not args.skip_model:
            two_students(folder)


if __name__ == "__main__":
    main()
