"""What a task is: its names, its extra input, and what it does at each of the pipeline's fixed points.

The pipeline, the check planner, the front ends and the evaluation ask the task; none of them tests a flag or
compares a task's name. A task (translate.py, simplify.py, ...) overrides only where it differs from this
base: the prompt, what its answer's checks expect, which program is checked, what happens when no candidate
passes, how its answer is linted, restored and explained, how the evaluation grades it, and what its tab shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import CheckPlan, Expect, Kept, plan_checks, run_checks
from ..extract import extract
from ..feedback import feedback
from ..languages import canonical_language, has_python_ast, suggested_filename
from ..lint import Finding, lint, lint_note
from ..models import ModelInfo
from ..prompting import Extra, Mode, Prompt, TaskInputs, chat_prompt, load_template, variables
from ..restore import restore_missing
from ..result import Answer
from ..verdict import Verdict


@dataclass(frozen=True)
class Shows:
    """What a task's tab shows beside the answer: facts the page and the teaching view read, in one place."""

    diff: bool = False  # the answer as a diff against the input ("Before / after")
    tests_box: bool = True  # the Tests box (tests the answer must pass)
    fills_middle: bool = False  # the answer goes before the code after the cursor: the tab notes whether the
    # model can fill in the middle, the teaching view's prompt anatomy shows that code
    code_answer: bool = True  # the answer is code (the Answer box, Copy code); False: prose only (Explain)
    hints: bool = False  # the tab offers the tutor's hints, one step at a time, before the answer (hints.py)
    explains_errors: bool = False  # the tab explains the error message its extra input holds (explain_error.py)


@dataclass(frozen=True)
class ForAgents:
    """How the task's API tool describes itself to a program or an agent (the MCP tool's description and its
    arguments'; the other arguments are described alike for every task)."""

    summary: str
    code: str = "the code."
    extra: str = ""  # the extra input's argument
    until: str = "one passes its checks"  # answers to try (1-8) until ...


@dataclass(frozen=True)
class NoHarm:
    """What a task keeps when no candidate passed: the answer shown, and a note saying why."""

    code: str
    note: str


@dataclass(frozen=True)
class Task:
    """A thing the playground can do to code. Subclasses say where a task differs."""

    name: str
    title: str
    description: str
    extra: Extra | None = None
    expect: Expect = Expect.OWN_CHECKS  # what its answers' checks expect beyond the examples and tests
    shows: Shows = Shows()
    agents: ForAgents | None = None  # None: the description says it
    eval_set: str = ""  # the evaluation items it is graded on: examples/eval/<eval_set or its name>.toml
    anchor: str = ""  # the evaluation's bare one-line prompt ({code}), the app's prompt is compared with
    verb: str = ""  # what it does to code, in a sentence listing the tasks ("write tests for"); "" = its name

    @property
    def for_agents(self) -> ForAgents:
        return self.agents or ForAgents(self.description)

    # ---- the request
    def answer_language(self, language: str, target: str | None) -> str:
        """The language of the answer's code, for input in language."""
        return language

    def inputs(self, value: str | None) -> TaskInputs:
        """The keyword arguments the extra input's value becomes for pipeline.stream()."""
        given = TaskInputs()
        if self.extra is not None:
            given[self.extra.name] = value if value is not None else self.extra.default
        return given

    def refuse(self, code: str, *, language: str, target: str | None, suffix: str) -> None:
        """Raise InputError for a request this task cannot answer (beyond the checks every input gets); the
        languages are canonical."""

    # ---- the prompt
    def findings(self, code: str, source: str) -> list[Finding]:
        """What the prompt tells the model about the input's code (Debug: pyflakes' findings)."""
        return []

    def prompt(self, code: str, info: ModelInfo, *, source: str, target: str | None = None, error: str = "",
               suffix: str = "", findings: list[Finding] | None = None) -> Prompt:
        """The prompt for this task on code, in the model's own chat template."""
        source = canonical_language(source)
        answer = canonical_language(self.answer_language(source, target))
        values = variables(code, source, answer, error, suffix, findings)
        return chat_prompt(load_template(self.name, info.architecture), values, info, answer, source)

    # ---- the answer as it streams
    def read(self, text: str, prompt: Prompt, code: str, suffix: str) -> Answer:
        """The answer so far, read: its code (the whole program, for fill-in-the-middle) and explanation."""
        if prompt.mode is Mode.FIM:
            return Answer(text, code + text + suffix)
        return self.read_chat(text, prompt.language)

    def read_chat(self, text: str, language: str) -> Answer:
        """A chat answer, read: the code in it (extract.py) and the prose around it."""
        found = extract(text, language)
        return Answer(text, found.code, found.explanation)

    def content(self, answer: Answer) -> str:
        """What of an answer a reader takes away: what Copy copies, Download saves and the evaluation grades
        (Explain: the explanation; the others: the code)."""
        return answer.code

    def file_name(self, answer: Answer, language: str, original: str) -> str:
        """The Download's file name: what the answer's code defines (`fizzbuzz.js`), else what the input
        defines, else the task's name, with the language's extension."""
        name = suggested_filename(answer.code, language, fallback="")
        return suggested_filename(original, language, fallback=self.name) if name.startswith(".") else name

    # ---- the checks
    def plan(self, code: str, *, language: str, target: str | None = None, tests: str = "",
             error: str = "") -> CheckPlan:
        """The checks for an answer to code (nothing runs yet)."""
        return plan_checks(code, language=language, answer=self.answer_language(language, target),
                           expect=self.expect, tests=tests, error=error)

    def program(self, answer: str, prompt: Prompt, suffix: str) -> str:
        """The program the checks run for an answer."""
        return answer

    def judge(self, plan: CheckPlan, answer: Answer, program: str) -> Kept:
        """The answer's code as it is kept, and the verdict on its program (the Tests task keeps only the tests
        that pass; Explain checks its explanation's examples on the code it explains)."""
        return Kept(answer.code, run_checks(plan, program))

    def feedback(self, verdict: Verdict, answer: Answer, program: str) -> str:
        """What failed, for a repair turn (feedback.py): the failed checks of the program and pyflakes' errors."""
        if not self.content(answer).strip():
            return "- Your answer has no code. Reply with the whole code in one fenced code block."
        return feedback(verdict, program, answer.lint, oracle=self.expect is Expect.SAME_BEHAVIOUR)

    def no_harm(self, original: str, tried: int) -> NoHarm | None:
        """What is kept instead of the best candidate when none passed (None: the best candidate)."""
        return None

    # ---- the answer
    def lint(self, original: str, answer: str, language: str) -> list[Finding]:
        """The answer's lint findings."""
        return lint(answer, language)

    def lint_note(self, language: str) -> str | None:
        """What the lint panel says its linter covers in this language (None: every linter there is)."""
        return lint_note(language)

    def restore(self, original: str, answer: str, *, language: str, source: str, mode: Mode) -> tuple[str, list[str]]:
        """A Python rewrite of Python code keeps what it uses from the original but left out (restore.py): the
        answer with it, and the names restored."""
        if mode is Mode.FIM or not (has_python_ast(language) and has_python_ast(source)) or not answer.strip():
            return answer, []
        return restore_missing(answer, original)

    def explanation_problem(self, explanation: str, original: str, answer: str) -> str:
        """What in the model's explanation its answer does not bear out ("" when nothing, or not checked)."""
        return ""

    # ---- the evaluation
    def reference(self, code: str, solution: str, tests: str) -> str:
        """The evaluation item's whole expected answer, from its input, its solution and its tests."""
        return solution

    def grade(self, original: str, answer: str) -> str:
        """Why the evaluation fails an answer before its tests run ("" when it does not)."""
        return ""

    def tested(self, original: str, answer: str) -> str:
        """The program the evaluation item's tests run for an answer (Explain: the code it explains)."""
        return answer

