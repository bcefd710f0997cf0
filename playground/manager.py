"""The model behind the web app: which one is loaded, switching models, and what a public app allows.

Environment variables:
- PLAYGROUND_MODEL: the model loaded first ("default" = the bundled SmolLM2, a .gguf path, or
  hf:OWNER/REPO/FILE.gguf). If it cannot be loaded, the bundled model is used and the reason shown.
- PLAYGROUND_ENGINE: the engine for it (default llama-cpp).
- PLAYGROUND_PUBLIC: "1" turns on public mode (also on when SPACE_ID is set, i.e. on a Hugging Face
  Space): no local paths, no engine switch, and only the models in PLAYGROUND_ALLOWED_MODELS
  (comma-separated specs) besides the default and the bundled one.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass

from .engines import Engine, ModelInfo, load_engine, unload_engine
from .errors import ModelError, PlaygroundError
from .models import HUB_PREFIX, ProgressCallback, resolve

BUNDLED = "default"
_TRUE = {"1", "true", "yes", "on"}
_REPO = re.compile(r"^[\w.-]+/[\w.-]+$")


def is_public(env: dict[str, str] | None = None) -> bool:
    """Public mode: PLAYGROUND_PUBLIC=1, or running on a Hugging Face Space (SPACE_ID set)."""
    env = os.environ if env is None else env
    flag = env.get("PLAYGROUND_PUBLIC", "").strip().lower()
    if flag:
        return flag in _TRUE
    return bool(env.get("SPACE_ID"))


def hub_spec(repo: str, filename: str) -> str:
    """The model spec hf:OWNER/REPO/FILE.gguf for a Hub repository and file, checked."""
    repo, filename = repo.strip().strip("/"), filename.strip().strip("/")
    if not _REPO.match(repo):
        raise ModelError(
            f"{repo!r} is not a Hub repository: write it as OWNER/REPO, e.g. Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF."
        )
    if not filename.endswith(".gguf"):
        raise ModelError("Name the .gguf file in the repository, e.g. qwen2.5-coder-0.5b-instruct-q4_k_m.gguf.")
    return f"{HUB_PREFIX}{repo}/{filename}"


@dataclass(frozen=True)
class ModelCard:
    """What the model panel shows about the loaded model."""

    name: str
    engine: str
    spec: str
    size_bytes: int
    quantization: str
    context_size: int
    trained_context: int
    fim: bool
    notice: str = ""


class ModelManager:
    """Holds the current engine; a failed switch leaves the previous one loaded and working."""

    def __init__(self, engine: str | None = None, model: str | None = None, public: bool | None = None,
                 allowed: list[str] | None = None, **options: object) -> None:
        self.engine_name = engine or os.environ.get("PLAYGROUND_ENGINE", "llama-cpp")
        self.default_spec = (model or os.environ.get("PLAYGROUND_MODEL", "") or BUNDLED).strip()
        self.public = is_public() if public is None else public
        extra = allowed if allowed is not None else os.environ.get("PLAYGROUND_ALLOWED_MODELS", "").split(",")
        self.allowed = list(dict.fromkeys([self.default_spec, BUNDLED, *(s.strip() for s in extra if s.strip())]))
        self.options = options
        self.spec = self.default_spec
        self.notice = ""
        self._engine: Engine | None = None
        self._lock = threading.RLock()

    @property
    def loaded(self) -> bool:
        """Whether a model is loaded yet (the first one loads on first use)."""
        return self._engine is not None

    def engine(self, progress: ProgressCallback | None = None) -> Engine:
        """The current engine, loading the default on first use (falling back to the bundled model)."""
        with self._lock:
            if self._engine is None:
                try:
                    self._engine = self._load(self.engine_name, self.default_spec, progress)
                except PlaygroundError as exc:
                    if self.default_spec == BUNDLED:
                        raise
                    self._engine = self._load(self.engine_name, BUNDLED, None)
                    self.spec = BUNDLED
                    self.notice = f"The configured model could not be loaded, so the bundled one is used: {exc}"
            return self._engine

    def preload(self) -> None:
        """Load the default model now (errors are shown later, when the model is used)."""
        try:
            self.engine()
        except PlaygroundError:
            pass

    def switch(self, spec: str, engine: str | None = None, progress: ProgressCallback | None = None) -> ModelCard:
        """Load another model (and engine); on failure the previous one stays and the error is raised."""
        spec, engine = (spec or BUNDLED).strip(), (engine or self.engine_name).strip()
        self.check_allowed(spec, engine)
        with self._lock:
            new = self._load(engine, spec, progress)
            old, self._engine = self._engine, new
            self.engine_name, self.spec, self.notice = engine, spec, ""
        if old is not None and old is not new:
            unload_engine(old)  # a generation still using it keeps its reference until it ends
        return self.card()

    def check_allowed(self, spec: str, engine: str) -> None:
        """In public mode refuse local paths, other Hub models and other engines."""
        if not self.public:
            return
        if engine != self.engine_name:
            raise ModelError("This public app cannot switch engines; run it locally to use another engine.")
        if spec not in self.allowed:
            raise ModelError(
                "This public app only loads its listed models (" + ", ".join(self.allowed) + "); "
                "run it locally (see the README) to load any local file or Hub model."
            )

    def card(self) -> ModelCard:
        """Facts about the loaded model for the model panel (loads the default if needed)."""
        engine = self.engine()
        info: ModelInfo = engine.info
        return ModelCard(
            name=info.name, engine=engine.name, spec=self.spec, size_bytes=info.size_bytes,
            quantization=info.quantization, context_size=engine.context_size,
            trained_context=info.context_length, fim=bool(info.fim_tokens) and engine.can_infill,
            notice=self.notice,
        )

    def _load(self, engine: str, spec: str, progress: ProgressCallback | None) -> Engine:
        target = spec
        if spec.startswith(HUB_PREFIX):
            target = str(resolve(spec, progress))  # download first, so progress can be shown
        try:
            return load_engine(engine, target, **self.options)
        except PlaygroundError:
            raise
        except Exception as exc:  # a broken file or back end must not take the app down
            raise ModelError(f"Could not load {spec} with the {engine} engine ({type(exc).__name__}: {exc}).") from exc


def human_size(n: int) -> str:
    """Bytes as a short human-readable size (94.3 MB)."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"




class Runs:
    """The generations in progress, by (session, task): Stop and a closed browser tab end them."""

    def __init__(self) -> None:
        self._runs: dict[tuple[str, str], tuple[threading.Event, threading.Event, list[object]]] = {}
        self._lock = threading.Lock()

    def start(self, key: tuple[str, str]) -> threading.Event:
        """Register a new generation; returns the Event that cancels it."""
        cancel = threading.Event()
        with self._lock:
            previous = self._runs.get(key)
            self._runs[key] = (cancel, threading.Event(), [])
        if previous is not None:
            previous[0].set()  # one generation per session and task
        return cancel

    def finish(self, key: tuple[str, str], cancel: threading.Event, outcome: object = None) -> None:
        """Mark the generation with this cancel Event as ended, leaving its last state for stop()."""
        with self._lock:
            run = self._runs.get(key)
            if run is None or run[0] is not cancel:
                return
            del self._runs[key]
        run[2].append(outcome)
        run[1].set()

    def stop(self, key: tuple[str, str], wait: float = 10.0) -> tuple[bool, object]:
        """Cancel a generation between two tokens, wait for it to end: (whether one ran, its last state)."""
        with self._lock:
            run = self._runs.get(key)
        if run is None:
            return False, None
        run[0].set()
        run[1].wait(wait)
        return True, (run[2][0] if run[2] else None)

    def active(self) -> int:
        """How many generations are running."""
        with self._lock:
            return len(self._runs)


def model_spec(source: str, path: str = "", repo: str = "", filename: str = "") -> str:
    """The model spec for the model panel's form: bundled, a local file, or a Hub repo + file."""
    if source == "local":
        if not path.strip():
            raise ModelError("Type the path of a .gguf file on this machine.")
        return path.strip()
    if source == "hub":
        return hub_spec(repo, filename)
    return BUNDLED
