"""Render chat messages into the exact prompt string a model expects, using its own template.

Chat templates are Jinja2 programs stored in the GGUF file (tokenizer.chat_template); we run
them in a sandbox the way Hugging Face transformers and llama-cpp-python do.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from jinja2 import Template, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import ModelError

Message = dict[str, str]

# For models without a template (base models): a plain, widely understood layout.
FALLBACK_TEMPLATE = (
    "{% for m in messages %}"
    "{% if m.role == 'system' %}{{ m.content }}\n\n"
    "{% elif m.role == 'user' %}### Instruction:\n{{ m.content }}\n\n"
    "{% else %}### Response:\n{{ m.content }}\n\n{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}### Response:\n{% endif %}"
)


def _raise(message: str) -> None:
    raise TemplateError(message)


@lru_cache(maxsize=8)
def _compile(source: str) -> Template:
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = _raise
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    return env.from_string(source)


def render_chat(
    messages: list[Message],
    template: str | None,
    bos_token: str = "",
    eos_token: str = "",
) -> str:
    """The prompt text for messages, ending where the assistant's answer starts."""
    try:
        return _compile(template or FALLBACK_TEMPLATE).render(
            messages=messages,
            add_generation_prompt=True,
            bos_token=bos_token,
            eos_token=eos_token,
        )
    except TemplateError as exc:
        raise ModelError(
            f"The model's chat template failed ({exc}). Pick another model, or report the model file."
        ) from None
