"""The tutor's short questions to the model (a hint's words, an error explained, the line of a bug): a prompt
from prompts/<name>.toml, read greedily; and the code with line numbers, as those prompts show it."""

from __future__ import annotations

import threading

from .chat import render_chat
from .engines import Engine
from .params import GenerationParams
from .prompting import fill, load_template


def numbered(code: str) -> str:
    """The code with its line numbers, as the tutor's prompts show it."""
    return "\n".join(f"{n:>3}  {text}" for n, text in enumerate(code.splitlines(), 1))


def short_answer(engine: Engine, name: str, values: dict[str, object], ask: str = "") -> str:
    """The model's greedy answer to prompts/<name>.toml filled with values (`ask`: the template's [asks] entry to
    fill in as the value `ask`) after the template's prefill, stopped at its stop strings and its max_tokens; ""
    when the prompt leaves no room."""
    info = engine.info
    template = load_template(name, info.architecture)
    if ask:
        values = {**values, "ask": fill(template["asks"][ask], values)}
    messages = [{"role": "system", "content": template["system"]},
                {"role": "user", "content": fill(template["user"], values)}]
    prompt = render_chat(messages, info.chat_template, info.bos_token, info.eos_token) + template.get("prefill", "")
    wanted = int(template.get("max_tokens", 80))
    room = min(wanted, engine.context_size - engine.count_tokens(prompt))
    if room < min(wanted, 16):
        return ""
    stream = engine.stream(prompt, GenerationParams(temperature=0.0, max_tokens=room), stop=template["stop"],
                           cancel=threading.Event())
    return "".join(chunk.text for chunk in stream).strip()
