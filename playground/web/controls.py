"""The sampling panel's controls, one per GenerationParams field the page exposes (SAMPLING), with its bounds,
default and description; the answers' budget and policy default to the settings (PLAYGROUND_CANDIDATES,
PLAYGROUND_POLICY)."""

from __future__ import annotations

import gradio as gr

from ..params import GenerationParams, Policy
from ..settings import get_settings
from .handlers import SAMPLING

LABELS = {"temperature": "Temperature", "top_p": "Top-p", "top_k": "Top-k", "max_tokens": "Max new tokens",
          "repeat_penalty": "Repetition penalty", "seed": "Seed",
          "candidates": "Answers at most (stops at the first that passes)", "policy": "After a failed answer"}


def sampling_controls() -> list[gr.components.Component]:
    """One control per GenerationParams field, with its bounds, default and description."""
    controls: list[gr.components.Component] = []
    for name in SAMPLING:
        field = GenerationParams.model_fields[name]
        if name == "policy":  # PLAYGROUND_POLICY
            controls.append(gr.Radio([str(p) for p in Policy], value=str(get_settings().policy), label=LABELS[name],
                                     info=field.description, elem_id=f"sampling-{name}"))
            continue
        lo, hi = GenerationParams.bounds(name)
        if name == "seed":
            controls.append(gr.Number(field.default, label=LABELS[name], info=field.description, precision=0,
                                      minimum=lo, maximum=hi, elem_id=f"sampling-{name}"))
            continue
        if lo is None or hi is None:
            raise TypeError(f"GenerationParams.{name} has no bounds (ge/le) for its slider")
        step = 1 if field.annotation in (int, "int") else 0.01 if hi <= 1 else 0.05
        if any(getattr(m, "gt", None) is not None for m in field.metadata):
            lo += step  # the bound itself is excluded
        value = get_settings().candidates if name == "candidates" else field.default  # PLAYGROUND_CANDIDATES
        controls.append(gr.Slider(lo, hi, value=value, step=step, label=LABELS[name], info=field.description,
                                  elem_id=f"sampling-{name}"))
    return controls
