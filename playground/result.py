"""The state of one request: the answer so far (Answer), where the request is (Status), how the generation went
(Stats), and all of it together (Result). Values only: how a front end shows them is the front end's business."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .lint import Finding
from .verdict import Verdict


@dataclass(frozen=True)
class Answer:
    """One answer: what the model wrote and what the pipeline read from it. A value, replaced (never changed)
    as tokens arrive, so rounds, candidates and the result share it without copying."""

    text: str = ""  # everything the model wrote (with the prefilled start)
    code: str = ""
    explanation: str = ""
    lint: tuple[Finding, ...] = ()


class Status(Enum):
    """Where a request is. A stream yields GENERATING and CHECKING states, and ends with DONE or STOPPED."""

    GENERATING = "generating"  # tokens stream in (a repair round or another candidate starts its answer over)
    CHECKING = "checking"  # the answer runs against its checks (and the model may write example calls first)
    DONE = "done"
    STOPPED = "stopped"  # the user pressed Stop: the request ended with what it had

    @property
    def finished(self) -> bool:
        """Whether the request has ended (done or stopped): nothing will change any more."""
        return self in (Status.DONE, Status.STOPPED)


@dataclass(frozen=True)
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
class Round:
    """One round of answering (see playground.repair): its answer, the prompt that asked for it, its cost."""

    answer: Answer
    prompt: str = ""
    tokens: int = 0  # completion tokens of this round
    seconds: float = 0.0  # wall time of this round


@dataclass(frozen=True)
class Candidate:
    """One answer that was checked, how it did, and how it was asked for: a fresh sample, or a repair of an
    earlier answer (its number, 1-based) with what the repair turn said failed."""

    answer: Answer
    verdict: Verdict
    repairs: int = 0  # the answer this one repairs (1-based); 0: a fresh sample
    feedback: str = ""  # what the repair turn told the model failed
    prompt: str = ""  # the prompt that asked for it
    prompt_tokens: int = 0  # its tokens (0: not counted apart from the request's first prompt)

    def story(self, number: int) -> str:
        """This answer's line in the request's account of its rounds: "Answer 1: 1 of 5 checks fails, e.g.
        `median([1, 2])`: expected 1.5, got 1", "Answer 2, repaired from answer 1: passes 5/5"."""
        how = f", repaired from answer {self.repairs}" if self.repairs else ", a fresh sample" if number > 1 else ""
        empty = not self.answer.code.strip() and not self.answer.explanation.strip()
        return f"Answer {number}{how}: {'no code' if empty else self.verdict.sentence()}"

    def to_dict(self) -> dict[str, object]:
        return {"code": self.answer.code, "checks": self.verdict.to_dict(),
                **({"repairs": self.repairs, "feedback": self.feedback} if self.repairs else {})}


def _findings(findings: tuple[Finding, ...]) -> list[dict[str, object]]:
    return [{"line": f.line, "col": f.col, "message": f.message} for f in findings]


@dataclass(frozen=True)
class Result:
    """The state of one request, a value: a stream yields a new Result at each step, and ends with status DONE
    or STOPPED."""

    task: str
    language: str
    prompt: str  # the prompt of the answer shown (a repair's: the conversation, with what failed)
    model: str
    engine: str
    # With repair=True and lint errors in the first answer, rounds is (first round, repaired round), and the
    # answer is the repaired one if it has fewer errors, else the first one.
    answer: Answer = field(default_factory=Answer)
    lint_note: str | None = None
    notice: str = ""
    stats: Stats = field(default_factory=Stats)
    status: Status = Status.GENERATING
    rounds: tuple[Round, ...] = ()
    checks: Verdict | None = None  # how the answer did on its checks (None: not checked)
    candidate: int = 1  # which candidate this is (1 = the user's own settings)
    candidates: int = 1  # how many may be tried
    # Simplify when no candidate kept the behaviour: the answer is the original, and the best candidate is here.
    rejected: Candidate | None = None
    attempts: tuple[Candidate, ...] = ()  # every answer checked so far, in order (fresh samples and repairs)
    repairs: int = 0  # while an answer streams: the earlier answer (1-based) it repairs; 0: a fresh sample

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of the command line's --json output."""
        answer = self.answer
        return {
            "task": self.task, "code": answer.code, "language": self.language, "explanation": answer.explanation,
            "lint": _findings(answer.lint), "lint_note": self.lint_note, "prompt": self.prompt,
            "stats": dict(self.stats.__dict__), "model": self.model, "engine": self.engine, "notice": self.notice,
            "stopped": self.status is Status.STOPPED,
            "rounds": [{"code": r.answer.code, "lint": _findings(r.answer.lint), "tokens": r.tokens,
                        "prompt": r.prompt} for r in self.rounds],
            "checks": self.checks.to_dict() if self.checks is not None else None,
            "rejected": self.rejected.to_dict() if self.rejected is not None else None,
            "attempts": [a.to_dict() for a in self.attempts],
        }
