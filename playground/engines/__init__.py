"""Engines: the Engine protocol and its capabilities, the registry, and the built-in engines (loaded on demand)."""

from .base import Chunk, Distribution, Engine, Infiller, Service, Stepper, StopReason
from .registry import (
    engine_choices,
    engine_concurrency,
    engine_names,
    get_engine_class,
    load_engine,
    loads_model_file,
    register_engine,
    unload_all,
    unload_engine,
)

__all__ = [
    "Chunk", "Distribution", "Engine", "Infiller", "Service", "Stepper", "StopReason", "engine_choices",
    "engine_concurrency", "engine_names", "get_engine_class",
    "load_engine", "loads_model_file", "register_engine", "unload_all", "unload_engine",
]
