"""Engines by name: built-in ones register through the same decorator as add-ons, and load once."""

from __future__ import annotations

import atexit
import importlib
import threading
from collections.abc import Callable
from typing import Any, Protocol

from ..errors import EngineError
from ..settings import get_settings
from .base import Engine


class EngineFactory(Protocol):
    """An engine class as the registry keeps it: called with a model to load it, and asked how many
    generations it runs at once before any is loaded (the web app sizes its queue with it)."""

    def __call__(self, model: str, /, *args: Any, **options: Any) -> Engine: ...

    def concurrency(self) -> int: ...


_REGISTRY: dict[str, EngineFactory] = {}
# Built-in engines live in submodules imported on first use, so optional back ends
# (ctransformers, an HTTP client) cost nothing until asked for.
_BUILTIN_MODULES = {
    "llama-cpp": "llama_cpp",
    "ctransformers": "ctransformers",
    "openai": "openai_http",
    "llama-server": "llama_server",
}


# What each built-in engine is for, as the model panel's engine list says it.
ENGINE_USES = {
    "llama-cpp": "GGUF models, in this process (the default)",
    "llama-server": "GGUF models, in a llama.cpp server this app starts (a class at once)",
    "ctransformers": "old GGML files only: not GGUF, so none of the listed models",
    "openai": "the model of an OpenAI-compatible server you run",
}


def register_engine(name: str) -> Callable[[EngineFactory], EngineFactory]:
    """Class decorator: make an engine available by name."""

    def decorate(factory: EngineFactory) -> EngineFactory:
        _REGISTRY[name] = factory
        return factory

    return decorate


def engine_names() -> list[str]:
    """Names of all known engines, built-in and registered."""
    return sorted(set(_REGISTRY) | set(_BUILTIN_MODULES))


def engine_choices() -> list[tuple[str, str]]:
    """(label, name) of every engine, the label saying what it loads."""
    return [(f"{name}: {ENGINE_USES[name]}" if name in ENGINE_USES else name, name) for name in engine_names()]


def get_engine_class(name: str) -> EngineFactory:
    """The factory registered under name; unknown names list the valid ones."""
    if name not in _REGISTRY and name in _BUILTIN_MODULES:
        try:
            importlib.import_module(f"{__package__}.{_BUILTIN_MODULES[name]}")
        except ImportError as exc:
            raise EngineError(
                f"The {name!r} engine is not installed ({exc}). "
                f"Install its dependency, or pick another engine: {', '.join(engine_names())}."
            ) from exc
    try:
        return _REGISTRY[name]
    except KeyError:
        raise EngineError(
            f"Unknown engine {name!r}. Valid engines: {', '.join(engine_names())}."
        ) from None


_LOADED: dict[tuple[str, str], Engine] = {}
_LOAD_LOCK = threading.Lock()


def loads_model_file(name: str, url: object = None) -> bool:
    """Whether the engine `name` loads a local model file: not the OpenAI-compatible engine, nor llama-server
    pointed at a server someone else runs (their model is the server's own)."""
    if name == "openai":
        return False
    return not (name == "llama-server" and (url or get_settings().llama_server_url))


def engine_concurrency(name: str) -> int:
    """How many generations the engine `name` runs at once with the current settings (before loading it)."""
    return max(1, get_engine_class(name).concurrency())


def load_engine(name: str, model: str, **options: object) -> Engine:
    """Load (once) and return the engine `name` for `model`; later calls share the instance."""
    key = (name, model + repr(sorted(options.items())))
    with _LOAD_LOCK:
        if key not in _LOADED:
            _LOADED[key] = get_engine_class(name)(model, **options)
        return _LOADED[key]


def unload_engine(engine: Engine) -> None:
    """Forget one loaded engine (the app's model switch); users still holding it keep it until done."""
    with _LOAD_LOCK:
        for key in [k for k, v in _LOADED.items() if v is engine]:
            del _LOADED[key]


def unload_all() -> None:
    """Forget every loaded engine (their memory is freed when no one holds them)."""
    with _LOAD_LOCK:
        for engine in _LOADED.values():
            engine.close()
        _LOADED.clear()


# Close models before the interpreter tears down the modules their destructors need.
atexit.register(unload_all)
