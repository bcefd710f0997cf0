"""Where a model comes from: a catalog name (playground/catalog.py), a local path, or the Hugging Face Hub."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .assemble import ProgressCallback, assemble, cached_file
from .catalog import DEFAULT_MODEL, SMALL_MODEL, CatalogModel, get_model, lookup
from .errors import ModelError
from .gguf import FILE_TYPES, fim_tokens, read_metadata, token_text

if TYPE_CHECKING:  # imported with huggingface_hub, on a download
    from tqdm.auto import tqdm

HUB_PREFIX = "hf:"
DEFAULT_SPECS = ("", "default")


@dataclass
class ModelInfo:
    """Facts about the loaded model, for display and for prompt building."""

    name: str
    path: str = ""
    architecture: str = ""
    quantization: str = ""
    context_length: int = 0
    size_bytes: int = 0
    chat_template: str | None = None
    bos_token: str = ""
    eos_token: str = ""
    fim_tokens: tuple[str, str, str] | None = None  # (prefix, suffix, middle) sentinels
    metadata: dict[str, str] = field(default_factory=dict)
    notice: str = ""  # how the file was found, when the user should know (a fallback)


@dataclass(frozen=True)
class HubRef:
    """A GGUF file in a Hub repository: hf:OWNER/REPO/FILE.gguf."""

    repo_id: str
    filename: str

    @classmethod
    def parse(cls, spec: str) -> HubRef:
        body = spec.removeprefix(HUB_PREFIX).strip("/")
        parts = body.split("/")
        if len(parts) < 3 or not body.endswith(".gguf"):
            raise ModelError(
                f"Cannot read the Hub reference {spec!r}: write it as hf:OWNER/REPO/FILE.gguf, "
                "for example hf:Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf."
            )
        return cls("/".join(parts[:2]), "/".join(parts[2:]))

    def __str__(self) -> str:
        return f"{HUB_PREFIX}{self.repo_id}/{self.filename}"


def download(ref: HubRef, progress: ProgressCallback | None = None) -> Path:
    """Download (or find in the local cache) a Hub GGUF file, showing progress."""
    from huggingface_hub import hf_hub_download

    try:
        # hf_hub_download writes to a temporary .incomplete file and renames it only when
        # the download finished, so a partial file is never used as a model.
        return Path(hf_hub_download(ref.repo_id, ref.filename,
                                    tqdm_class=_progress_tqdm(progress) if progress is not None else None))
    except Exception as exc:  # huggingface_hub raises many types; each gets its own advice
        raise ModelError(f"Could not download {ref} from the Hugging Face Hub: {_download_advice(exc)}") from exc


def _download_advice(exc: Exception) -> str:
    """What went wrong with a download, and what to do, in one sentence."""
    from huggingface_hub import errors

    if isinstance(exc, errors.GatedRepoError) or getattr(getattr(exc, "response", None), "status_code", 0) == 401:
        return "the repository needs a token (accept its terms on the Hub, then set HF_TOKEN)."
    # LocalEntryNotFoundError subclasses EntryNotFoundError: test it first.
    if isinstance(exc, errors.LocalEntryNotFoundError | errors.OfflineModeIsEnabled):
        return ("the Hub cannot be reached (offline?) and the file is not in the local cache. "
                "Connect to the internet, or download the file yourself and pass --model PATH.")
    if isinstance(exc, errors.RepositoryNotFoundError | errors.EntryNotFoundError | errors.RevisionNotFoundError):
        return "no such repository or file. Check the OWNER/REPO and the file name on the model's Hub page."
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "the disk is full. Free some space (or set HF_HOME to a larger disk) and try again."
    detail = str(exc).splitlines()[0] if str(exc) else "no details"
    return (f"{type(exc).__name__}: {detail}. Check your network and try again (the download resumes), "
            "or download the file yourself and pass --model PATH.")


def _progress_tqdm(progress: ProgressCallback) -> type[tqdm[Any]]:
    """A tqdm subclass forwarding byte counts to a callback (hf_hub_download accepts tqdm_class)."""
    from tqdm.auto import tqdm

    class _Forward(tqdm):  # type: ignore[type-arg]  # generic in its stubs only: tqdm[Any] fails at run time
        def update(self, n: float | None = 1) -> bool | None:
            out = super().update(n)
            progress(int(self.n), int(self.total) if self.total else None)
            return out

    return _Forward


@dataclass(frozen=True)
class Located:
    """A model file found for a spec, the catalog model it is (if any), and what the user should know."""

    path: Path
    model: CatalogModel | None = None
    notice: str = ""


def find(model: CatalogModel, progress: ProgressCallback | None = None) -> Path:
    """A catalog model's file: from the cache, its package, its part packages (assembled), else the Hub."""
    if (path := cached_file(model) or model.package_file()) is not None:
        return path
    reasons = []
    if model.parts:
        try:
            return assemble(model, progress)
        except ModelError as exc:
            reasons.append(str(exc))
    elif model.package:
        reasons.append(f"{model.title} is not installed: run `{model.install()}` (it installs {model.requirement}).")
    if model.hub:
        try:
            return download(HubRef.parse(model.hub), progress)
        except ModelError as exc:
            reasons.append(str(exc))
    raise ModelError(" Then: ".join(reasons) or f"{model.title} has no source.")


def is_default(spec: str | None) -> bool:
    """Whether a spec asks for the default model (unset, empty or `default`)."""
    return (spec or "").strip().lower() in DEFAULT_SPECS


def locate(spec: str | None, progress: ProgressCallback | None = None) -> Located:
    """Turn a model spec (None/'default', a catalog name, a path, hf:...) into a local file.

    The default model falls back to the small bundled one, with a notice that says why.
    """
    spec = (spec or "").strip()
    if is_default(spec):
        default = get_model(DEFAULT_MODEL)
        try:
            return Located(find(default, progress), default)
        except ModelError as exc:
            small = get_model(SMALL_MODEL)
            return Located(find(small), small, f"The default model, {default.title}, could not be loaded, so "
                                               f"{small.title} is used. {exc}")
    if (entry := lookup(spec)) is not None:
        return Located(find(entry, progress), entry)
    if spec.startswith(HUB_PREFIX):
        return Located(download(HubRef.parse(spec), progress))
    path = Path(os.path.expanduser(spec))
    if not path.is_file():
        raise ModelError(
            f"Model file not found at {path}: give the path of an existing .gguf file, hf:OWNER/REPO/FILE.gguf "
            "for a Hub model, or a model's name (default, qwen2.5-coder-1.5b, qwen2.5-coder-0.5b, smollm2-135m)."
        )
    return Located(path)


def resolve(spec: str | None, progress: ProgressCallback | None = None) -> Path:
    """The local file for a model spec (see locate)."""
    return locate(spec, progress).path


def model_info(path: str | Path, notice: str = "") -> ModelInfo:
    """Facts about a GGUF model from its metadata (raises ModelError if unreadable)."""
    path = Path(path)
    meta = read_metadata(path)
    arch = str(meta.get("general.architecture", ""))
    ftype = meta.get("general.file_type")
    return ModelInfo(
        name=path.name,
        path=str(path),
        architecture=arch,
        quantization=FILE_TYPES.get(ftype, str(ftype or "")) if isinstance(ftype, int) else "",
        context_length=int(meta.get(f"{arch}.context_length", 0) or 0),
        size_bytes=path.stat().st_size,
        chat_template=meta.get("tokenizer.chat_template"),
        bos_token=token_text(meta, "bos"),
        eos_token=token_text(meta, "eos"),
        fim_tokens=fim_tokens(meta),
        metadata={k: str(v) for k, v in meta.items() if not isinstance(v, list)},
        notice=notice,
    )
