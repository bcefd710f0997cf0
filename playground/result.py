"""The state of one request as it streams (Result), and how the generation went (Stats)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .lint import Finding
from .repair import Round
from .verdict import Verdict


@dataclass
class Stats:
    """How the generation went. tokens_per_s counts decoding only (after the first token)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    ttft_s: float = 0.0
    tokens_per_s: float = 0.0
    total_s: float = 0.0  # the whole request once done: generation, the model's example calls and the checks
    context_size: int = 0
    cached_tokens: int = 0  # prompt tokens the engine reused from its cache (when it says: llama-server)
    calls_s: float = 0.0  # time the model spent writing example calls for the checks (playground.derive)


@dataclass(frozen=True)
class Candidate:
    """One candidate answer and how it did on the checks."""

    answer: str
    code: str
    explanation: str
    lint: list[Finding]
    verdict: Verdict

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "checks": self.verdict.to_dict()}


@dataclass
class Result:
    """The state of one request; streamed partially (done=False), then complete."""

    task: str
    language: str
    prompt: str
    model: str
    engine: str
    answer: str = ""  # everything the model wrote (with the prefilled start)
    code: str = ""
    explanation: str = ""
    lint: list[Finding] = field(default_factory=list)
    lint_note: str | None = None
    notice: str = ""
    stats: Stats = field(default_factory=Stats)
    done: bool = False
    stopped: bool = False  # the user pressed Stop
    # With repair=True and lint errors in the first answer: [first round, repaired round]. The
    # fields above then hold the repaired round if it has fewer errors, else the first one.
    rounds: list[Round] = field(default_factory=list)
    checks: Verdict | None = None  # how the answer did on its checks (None: not checked)
    checking: bool = False  # the answer is being run against its checks
    candidate: int = 1  # which candidate this is (1 = the user's own settings)
    candidates: int = 1  # how many may be tried
    # Simplify when no candidate kept the behaviour: the answer is the original, and the best candidate is here.
    rejected: Candidate | None = None

    def snapshot(self) -> Result:
        """A copy that later tokens do not change (a stream updates one Result in place)."""
        return replace(self, stats=replace(self.stats), lint=list(self.lint), rounds=list(self.rounds))

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of the command line's --json output."""
        return {
            "task": self.task, "code": self.code, "language": self.language,
            "explanation": self.explanation,
            "lint": [{"line": f.line, "col": f.col, "message": f.message} for f in self.lint],
            "lint_note": self.lint_note, "prompt": self.prompt, "stats": self.stats.__dict__, "model": self.model,
            "engine": self.engine, "notice": self.notice, "stopped": self.stopped,
            "rounds": [{"code": r.code, "lint": [{"line": f.line, "col": f.col, "message": f.message} for f in r.lint],
                        "tokens": r.tokens, "prompt": r.prompt} for r in self.rounds],
            "checks": self.checks.to_dict() if self.checks is not None else None,
            "rejected": self.rejected.to_dict() if self.rejected is not None else None,
        }
