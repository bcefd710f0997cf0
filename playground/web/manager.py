"""The model behind the web app: which one is loaded, switching models, and what a public app allows.

Settings (docs/configuration.md): PLAYGROUND_MODEL is loaded first (if it cannot be, the small bundled
SmolLM2 is used and the reason shown) with PLAYGROUND_ENGINE. Public mode (PLAYGROUND_PUBLIC, on by default on a
Hugging Face Space): no local paths, no engine switch, and only PLAYGROUND_ALLOWED_MODELS besides the
default and the bundled one.
"""

from __future__ import annotations

import hmac
import re
import statistics
import threading
from collections import deque
from dataclasses import dataclass

from ..assemble import ProgressCallback, installed
from ..catalog import CATALOG, DEFAULT_MODEL, SMALL_MODEL, by_filename, get_model, lookup
from ..engines import Engine, Service, load_engine, loads_model_file, unload_engine
from ..errors import ModelError, PlaygroundError
from ..models import HUB_PREFIX, ModelInfo, is_default, locate
from ..result import Stats
from ..settings import get_settings

DEFAULT = "default"
BUNDLED = SMALL_MODEL  # always installed: what the app falls back to
_REPO = re.compile(r"^[\w.-]+/[\w.-]+$")


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
    runtime: str = ""  # e.g. "llama-server b0-unknown, 4 slots of 4096 tokens"
    about: str = ""  # a catalog model's license, measured speed and quality


class Speeds:
    """Decoding speeds and request times of the latest answers on this machine (of the model in use), for the
    page's header and the queue's wait estimate (waits.py)."""

    MIN_TOKENS = 8  # shorter answers time mostly their first token

    def __init__(self, keep: int = 20) -> None:
        self._model: tuple[str, str] = ("", "")
        self._rates: deque[float] = deque(maxlen=keep)
        self._seconds: deque[float] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def add(self, engine: str, model: str, stats: Stats) -> None:
        """Count a finished answer's speed and whole time (another model starts the count again)."""
        with self._lock:
            if (engine, model) != self._model:
                self._restart((engine, model))
            if stats.total_s > 0:
                self._seconds.append(stats.total_s)
            if stats.completion_tokens >= self.MIN_TOKENS and stats.tokens_per_s > 0:
                self._rates.append(stats.tokens_per_s)

    def median(self, engine: str, model: str) -> tuple[float, int] | None:
        """(median tokens/s, answers counted) of this model on this engine, or None before any."""
        with self._lock:
            if (engine, model) != self._model or not self._rates:
                return None
            return statistics.median(self._rates), len(self._rates)

    def per_request(self) -> float | None:
        """Median seconds of a whole request (generation and checks) of the model that answered last."""
        with self._lock:
            return statistics.median(self._seconds) if self._seconds else None

    def forget(self) -> None:
        """Start counting again (another model was loaded)."""
        with self._lock:
            self._restart(("", ""))

    def _restart(self, model: tuple[str, str]) -> None:
        """Count from nothing for `model` (engine, name); the caller holds the lock."""
        self._model = model
        self._rates.clear()
        self._seconds.clear()


class ModelManager:
    """Holds the current engine; a failed switch leaves the previous one loaded and working."""

    def __init__(self, engine: str | None = None, model: str | None = None, public: bool | None = None,
                 allowed: list[str] | None = None, locked: bool | None = None, admin_token: str | None = None,
                 **options: object) -> None:
        settings = get_settings()
        self.engine_name = engine or settings.engine
        self.default_spec = (model or settings.model or DEFAULT).strip()
        self.public = settings.is_public if public is None else public
        self._admin_token = settings.admin_token.get_secret_value() if admin_token is None else admin_token
        # Why a switch needs the token (lock_reason says it): the settings', or a token given here is a lock too.
        cause = ("network" if locked else "") if locked is not None else (
            settings.lock_cause or ("token" if self._admin_token and settings.lock_model is None else ""))
        self.lock_cause = "" if self.public else cause
        self.locked = bool(self.lock_cause)
        extra = allowed if allowed is not None else settings.allowed_model_list
        self.allowed = list(dict.fromkeys([self.default_spec, BUNDLED, *(s.strip() for s in extra if s.strip())]))
        self.options = options
        self.spec = self.default_spec
        self.notice = ""
        self.preparing: tuple[int, int | None] | None = None  # bytes joined or downloaded while the first load runs
        self.speeds = Speeds()
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
        """Load the default model now, recording progress (errors are shown later, when the model is used)."""

        def report(done: int, total: int | None) -> None:
            self.preparing = (done, total)

        try:
            self.engine(report)
        except PlaygroundError:
            pass
        finally:
            self.preparing = None

    def switch(self, spec: str, engine: str | None = None, progress: ProgressCallback | None = None,
               token: str = "") -> ModelCard:
        """Load another model (and engine); on failure the previous one stays and the error is raised.
        A locked manager first needs the admin token."""
        spec, engine = (spec or DEFAULT).strip(), (engine or self.engine_name).strip()
        self.check_token(token)
        self.check_allowed(spec, engine)
        with self._lock:
            new = self._load(engine, spec, progress)
            old, self._engine = self._engine, new
            self.engine_name, self.spec, self.notice = engine, spec, ""
        self.speeds.forget()
        if old is not None and old is not new:
            unload_engine(old)  # a generation still using it keeps its reference until it ends
            if isinstance(old, Service):  # a server process is stopped, once its generations have ended
                threading.Thread(target=old.shutdown, name="stop-old-engine", daemon=True).start()
        return self.card()

    def choices(self) -> list[tuple[str, str]]:
        """The model panel's list, (label, spec), the model in use first: the allowed models in public mode,
        else the catalog's."""
        current = DEFAULT_MODEL if is_default(self.spec) and not self.public else self.spec
        specs = self.allowed if self.public else list(CATALOG)
        if current in specs or not self.public:
            specs = [current, *(s for s in specs if s != current)]
        return [(spec_label(s), s) for s in specs]

    @property
    def admin_token(self) -> str:
        """The teacher's token (PLAYGROUND_ADMIN_TOKEN, or the one given): the model switch and the class page."""
        return self._admin_token

    @property
    def can_unlock(self) -> bool:
        """Whether an admin token is set, so a locked panel can be unlocked."""
        return bool(self._admin_token)

    @property
    def lock_reason(self) -> str:
        """Why the model panel's form is locked, in the page's words ("" when it is not)."""
        if not self.locked:
            return ""
        if not self.can_unlock:
            why = "Switching is locked (PLAYGROUND_LOCK_MODEL=1)" if self.lock_cause == "setting" else \
                "This app is shared over the network"
            return (f"{why}, so its model is fixed: switching it would change it for everyone. Whoever runs it can "
                    "set PLAYGROUND_ADMIN_TOKEN to let a teacher switch it.")
        why = {"token": "An admin token is set (PLAYGROUND_ADMIN_TOKEN)",
               "setting": "Switching is locked (PLAYGROUND_LOCK_MODEL=1)"}.get(self.lock_cause,
                                                                               "This app is shared over the network")
        return f"{why}: switching the model changes it for everyone using this app, so it needs the admin token."

    def check_token(self, token: str) -> None:
        """On a locked manager, refuse a switch without the admin token (compared in constant time)."""
        if not self.locked:
            return
        if not self.can_unlock:
            raise ModelError(self.lock_reason)
        if not (token or "").strip():
            raise ModelError("Enter the admin token to switch the model (whoever runs this app set it as "
                             "PLAYGROUND_ADMIN_TOKEN).")
        if not hmac.compare_digest(token.strip().encode(), self._admin_token.encode()):
            raise ModelError("That is not the admin token. Ask whoever runs this app for it (they set it as "
                             "PLAYGROUND_ADMIN_TOKEN).")

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
        known = by_filename(info.name)
        return ModelCard(
            name=info.name, engine=engine.name, spec=self.spec, size_bytes=info.size_bytes,
            quantization=info.quantization, context_size=engine.context_size,
            trained_context=info.context_length, fim=bool(info.fim_tokens),
            notice=self.notice or info.notice, runtime=info.metadata.get("runtime", ""),
            about=known.about if known else "",
        )

    def _load(self, engine: str, spec: str, progress: ProgressCallback | None) -> Engine:
        target, notice = spec, ""
        if loads_model_file(engine, self.options.get("url")):
            # Download or assemble first, so progress can be shown; the engine then finds the file.
            found = locate(spec, progress)
            target, notice = str(found.path), found.notice
        try:
            loaded = load_engine(engine, target, **self.options)
            if notice and not loaded.info.notice:
                loaded.info.notice = notice
            return loaded
        except PlaygroundError:
            raise
        except Exception as exc:  # a broken file or back end must not take the app down
            raise ModelError(f"Could not load {spec} with the {engine} engine ({type(exc).__name__}: {exc}).") from exc


def spec_label(spec: str) -> str:
    """How the model panel lists a spec: a named model's title and what it measured, else the spec."""
    model = get_model(DEFAULT_MODEL) if is_default(spec) else lookup(spec)
    if model is None:
        return spec.removeprefix(HUB_PREFIX)
    where = "installed" if installed(model) else "downloads from the Hub"
    return f"{model.title}: {model.speed or 'speed not measured'}, {where}"


def model_spec(source: str, path: str = "", repo: str = "", filename: str = "", choice: str = "") -> str:
    """The model spec for the model panel's form: a named model, a local file, or a Hub repo + file."""
    if source == "local":
        if not path.strip():
            raise ModelError("Type the path of a .gguf file on this machine.")
        return path.strip()
    if source == "hub":
        return hub_spec(repo, filename)
    return choice.strip() or DEFAULT
