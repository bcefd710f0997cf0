"""Code Playground: translate, simplify, debug and complete code with a local quantized model.

The public API:

    >>> import playground
    >>> result = playground.run("translate", "print(1)", language="python", target="javascript")
    >>> for partial in playground.stream("simplify", code): ...
    >>> playground.check(code, tests="assert f(1) == 2")  # no model: the code's examples and the tests
"""

from .checks import check
from .engines import Chunk, Engine, Stepper, engine_names, get_engine_class, load_engine, register_engine
from .errors import (
    CancelledError,
    ContextOverflowError,
    EngineError,
    InputError,
    ModelError,
    PlaygroundError,
    UnknownLanguageError,
)
from .inputs import decode_source
from .models import ModelInfo
from .params import GenerationParams
from .pipeline import run, stream
from .result import Answer, Result, Stats, Status
from .settings import Settings, get_settings
from .tasks import TASKS, Prompt, Task, build_prompt
from .verdict import Verdict

__all__ = [
    "TASKS", "Answer", "CancelledError", "Chunk", "ContextOverflowError", "Engine", "EngineError",
    "GenerationParams", "InputError", "ModelError", "ModelInfo", "PlaygroundError", "Prompt",
    "Result", "Settings", "Stats", "Status", "Stepper", "Task", "UnknownLanguageError", "Verdict", "build_prompt",
    "check", "decode_source",
    "engine_names", "get_engine_class", "get_settings", "load_engine", "register_engine", "run", "stream",
]
