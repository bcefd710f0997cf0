"""Checked answers: run an answer in a WebAssembly sandbox against the examples, the tests and the original.

sandbox (CPython-WASI under wasmtime) and javascript (QuickJS) run code, runners picks one per language;
sources says where checks come from, functions reads a program's functions and own calls (Python,
JavaScript, TypeScript); judge compares outcomes; plan puts the checks together per task; expect runs the
original first (the expectation, or Debug's evidence of where it shows the reported error, judged in
debug); checking runs an answer against the plan; suite keeps the Tests task's written tests that pass and
scores them on planted bugs (mutants); run.py is the Run box. Nothing in this package runs code in the host
process, and it knows nothing about engines.
"""

from ..languages import RUNNABLE
from ..verdict import Item, Verdict
from .cases import Case, Outcome
from .checking import check, run_checks
from .plan import CheckPlan, Expect, plan_checks
from .run import RunReport, run_snippet
from .sandbox import Limits, SandboxUnavailable, warm
from .suite import Kept, keep_passing

__all__ = ["RUNNABLE", "Case", "CheckPlan", "Item", "Kept", "Limits", "Outcome", "RunReport", "SandboxUnavailable",
           "Expect", "Verdict", "check", "keep_passing", "plan_checks", "run_checks", "run_snippet", "warm"]
