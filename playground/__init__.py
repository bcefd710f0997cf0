"""Code Playground: translate, simplify, debug and complete code with a local quantized model.

The public API:

    >>> import playground
    >>> result = playground.run("translate", "print(1)", language="python", target="javascript")
    >>> for partial in playground.stream("simplify", code): ...
"""

from .engines import Chunk, Engine, ModelInfo, engine_names, get_engine_class, load_engine, register_engine
from .errors import (
    CancelledError,
    ContextOverflowError,
    EngineError,
    InputError,
    ModelError,
    PlaygroundError,
    UnknownLanguageError,
)
from .params import GenerationParams
from .pipeline import Result, Stats, decode_source, run, stream
from .tasks import TASKS, Prompt, Task, build_prompt

__all__ = [
    "TASKS", "CancelledError", "Chunk", "ContextOverflowError", "Engine", "EngineError",
    "GenerationParams", "InputError", "ModelError", "ModelInfo", "PlaygroundError", "Prompt",
    "Result", "Stats", "Task", "UnknownLanguageError", "build_prompt", "decode_source",
    "engine_names", "get_engine_class", "load_engine", "register_engine", "run", "stream",
]
