"""GenerationParams: the one validated set of sampling settings (the UI builds its sliders from it)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputError

MAX_NEW_TOKENS_CAP = 2048
CANDIDATE_TEMPERATURE = 0.6
# Sampling constants every engine and the teaching view share: llama-cpp-python's generate() defaults,
# which its engine leaves in place, so the llama-server engine and the teaching stepper use them too.
MIN_P = 0.05
PENALTY_WINDOW = 64  # tokens the repeat penalty looks back over (llama-cpp-python's last_n_tokens_size)


class Policy(StrEnum):
    """How the answers after a failed one are made (the budget is `candidates`, answers in all)."""

    FRESH = "fresh"  # a new sample from the same prompt, with the next seed
    REPAIR = "repair"  # a follow-up turn: the best failing answer and what failed, to fix
    MIXED = "mixed"  # in turn: a fresh sample, then a repair of it, then a fresh one, ...


class GenerationParams(BaseModel):
    """Sampling settings shared by every task and engine."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature: float = Field(
        0.2, ge=0.0, le=2.0,
        description="Randomness. 0 always picks the most likely token (repeatable); higher is more varied.",
    )
    top_p: float = Field(
        0.95, gt=0.0, le=1.0,
        description="Nucleus sampling: keep the smallest set of tokens whose probabilities add up to this.",
    )
    top_k: int = Field(
        40, ge=0, le=200,
        description="Keep only the k most likely tokens before sampling (0 = no limit).",
    )
    max_tokens: int = Field(
        512, ge=1, le=MAX_NEW_TOKENS_CAP,
        description="Longest answer, in tokens. Generation also ends at the end of the code.",
    )
    repeat_penalty: float = Field(
        1.1, ge=1.0, le=2.0,
        description="Penalise tokens already used; 1.0 is off. Helps small models stop looping.",
    )
    seed: int = Field(
        42, ge=0, le=2**31 - 1,
        description="Random seed: the same seed, settings and input give the same answer.",
    )

    candidates: int = Field(
        1, ge=1, le=8,
        description="Answers to try until one passes its checks; later ones are sampled with the next seeds.",
    )
    policy: Policy = Field(
        Policy.FRESH,
        description="After an answer fails its checks: fresh (a new sample), repair (the model is shown what "
                    "failed and fixes its answer) or mixed (fresh and repair in turn).",
    )

    def repairs(self, index: int) -> bool:
        """Whether answer `index` (0 = the first) repairs an earlier one rather than starting afresh."""
        return index > 0 and (self.policy is Policy.REPAIR or (self.policy is Policy.MIXED and index % 2 == 1))

    def for_candidate(self, index: int) -> GenerationParams:
        """The settings of candidate `index` (0 = the user's own): later ones sample, with seeds seed+1, +2, ...

        At temperature 0 every candidate would be the same answer, so later ones use at least 0.6.
        """
        if index == 0:
            return self
        seed = (self.seed + index) % (2**31)
        return self.model_copy(update={"seed": seed, "temperature": max(self.temperature, CANDIDATE_TEMPERATURE)})

    @classmethod
    def build(cls, **values: Any) -> GenerationParams:
        """Validate values (None means default), turning pydantic's error into a user-facing one."""
        clean = {k: v for k, v in values.items() if v is not None}
        try:
            return cls(**clean)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            )
            raise InputError(f"Invalid generation settings ({problems}).") from None

    @classmethod
    def bounds(cls, name: str) -> tuple[float | None, float | None]:
        """(minimum, maximum) of a numeric field, for building sliders."""
        lo = hi = None
        for meta in cls.model_fields[name].metadata:
            lo = getattr(meta, "ge", getattr(meta, "gt", lo)) if lo is None else lo
            hi = getattr(meta, "le", getattr(meta, "lt", hi)) if hi is None else hi
        return lo, hi
