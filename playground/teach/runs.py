"""Teaching view, whole answers: the variability grid and the reproducibility card.

Both run the real engine through its normal stream(), so what they show is what the other tabs do.
Card runs and grid cells start from an empty KV cache: llama.cpp's sums depend on how the prompt was
split into batches, so a run that reused a cached prefix can pick a different token than a fresh one
where two candidates are nearly tied, even at temperature 0 (seen on the bundled model).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path

from ..engines import Engine, Stepper
from ..errors import InputError, PlaygroundError
from ..lint import Finding, lint_tool
from ..params import GenerationParams
from ..pipeline import run_request
from ..tasks import Request

GRID_TEMPERATURES = (0.0, 0.4, 0.8, 1.2)
GRID_SEEDS = (1, 2, 3)
GRID_MAX_TOKENS = 96  # the least a grid answer may have
GRID_TOKENS_CAP = 384  # the most: nine answers of this length take minutes on a 1.5B model


def grid_tokens(engine: Engine, code: str) -> int:
    """A token cap that fits the task: room for an answer about twice the input's length (a translation of
    fizzbuzz is ~140 tokens, which a fixed 96 cut mid-line), between GRID_MAX_TOKENS and GRID_TOKENS_CAP."""
    return max(GRID_MAX_TOKENS, min(GRID_TOKENS_CAP, 2 * engine.count_tokens(code) + 48))
CARD_VERSION = 1
CARD_MAX_BYTES = 200_000


# ---------------------------------------------------------------- variability grid

@dataclass(frozen=True)
class Cell:
    """One answer of the grid: the settings, the extracted code, its lint and its checks' verdict."""

    temperature: float
    seed: int
    code: str
    language: str
    findings: list[Finding] = field(default_factory=list)
    lint_checked: bool = True  # False when nothing checks the output's language
    tokens: int = 0
    error: str = ""
    verdict: str = "none"  # Verdict.status: "pass", "fail", "parses" (syntax only) or "none" (nothing to check)
    passed: int = 0
    total: int = 0

    @property
    def lint_ok(self) -> bool:
        return self.lint_checked and not any(f.kind == "error" for f in self.findings)


def grid_cell(engine: Engine, request: Request, temperature: float, seed: int, max_tokens: int) -> Cell:
    """Run the request once with these settings (through the pipeline) and keep what the grid shows."""
    params = GenerationParams(temperature=temperature, seed=seed, max_tokens=max_tokens)
    _fresh(engine)  # every cell evaluates the prompt the same way, so only the settings differ
    try:
        result = run_request(replace(request, params=params), engine=engine)
    except PlaygroundError as exc:
        return Cell(temperature, seed, "", "", error=str(exc))
    checks = result.checks
    answer = result.answer
    return Cell(temperature, seed, answer.code, result.language, list(answer.lint), bool(lint_tool(result.language)),
                result.stats.completion_tokens, verdict=checks.status if checks else "none",
                passed=checks.passed if checks else 0, total=checks.total if checks else 0)


def variability_grid(engine: Engine, request: Request, temperatures: tuple[float, ...] = GRID_TEMPERATURES,
                     seeds: tuple[int, ...] = GRID_SEEDS, max_tokens: int = GRID_MAX_TOKENS) -> Iterator[list[Cell]]:
    """Yield the grid after each cell (row by row: one temperature, every seed)."""
    cells: list[Cell] = []
    for temperature in temperatures:
        for seed in seeds:
            cells.append(grid_cell(engine, request, temperature, seed, max_tokens))
            yield list(cells)


def pass_rate(cells: list[Cell], temperature: float) -> tuple[int, int]:
    """(cells that passed every check, cells whose behaviour was checked) at one temperature: sampling as
    pass@1 per seed."""
    row = [c for c in cells if c.temperature == temperature and c.verdict in ("pass", "fail") and not c.error]
    return sum(c.verdict == "pass" for c in row), len(row)


def distinct_outputs(cells: list[Cell]) -> int:
    """How many different programs the grid holds (ignoring trailing spaces and blank lines at the ends)."""
    return len({"\n".join(line.rstrip() for line in c.code.strip().splitlines()) for c in cells if not c.error})


# ---------------------------------------------------------------- reproducibility card

@cache
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_sha256(engine: Engine) -> str | None:
    """SHA-256 of the loaded model file (cached per path, size and mtime); None for a remote model."""
    path = engine.info.path
    if not path or not os.path.isfile(path):
        return None
    stat = os.stat(path)
    return _sha256(path, stat.st_size, stat.st_mtime_ns)


@dataclass(frozen=True)
class Card:
    """Everything needed to run one generation again and get the same output."""

    model_file: str
    model_sha256: str | None
    model_name: str
    quantization: str
    engine: str
    prompt: str
    stop: list[str]
    params: dict[str, float | int]
    output: str
    version: int = CARD_VERSION
    # The engine's runtime (llama-server's build and slots): batched decoding on another slot count can sum
    # in another order, so a card from one server may not reproduce exactly on another.
    runtime: str = ""

    @property
    def seed(self) -> int:
        return int(self.params["seed"])

    def to_json(self) -> str:
        data = asdict(self)
        data["seed"] = self.seed  # shown at the top level too, where a reader looks for it
        return json.dumps(data, indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Card:
        """Read a card; anything malformed is an InputError that says what is wrong."""
        if isinstance(text, bytes):
            if len(text) > CARD_MAX_BYTES:
                raise InputError(f"A reproducibility card is a small JSON file (under {CARD_MAX_BYTES} bytes).")
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError("That file is not a reproducibility card: it is not UTF-8 text.") from None
        if len(text) > CARD_MAX_BYTES:
            raise InputError(f"A reproducibility card is a small JSON file (under {CARD_MAX_BYTES} bytes).")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"That is not a reproducibility card: not valid JSON ({exc.msg}, line {exc.lineno}).") \
                from None
        if not isinstance(data, dict):
            raise InputError("That is not a reproducibility card: expected a JSON object.")
        if data.get("version") != CARD_VERSION:
            raise InputError(f"Unknown card version {data.get('version')!r}; this app reads version {CARD_VERSION}.")
        data.pop("seed", None)
        names = {f for f in cls.__dataclass_fields__}
        missing = sorted(names - set(data) - {"version", "runtime"})
        if missing:
            raise InputError(f"The card lacks {', '.join(missing)}.")
        try:
            GenerationParams(**data["params"])
        except Exception as exc:  # pydantic's ValidationError, or a params that is not a mapping
            raise InputError(f"The card's params are not valid settings: {exc}") from None
        if not isinstance(data["prompt"], str) or not isinstance(data["stop"], list):
            raise InputError("The card's prompt must be text and its stop a list of strings.")
        return cls(**{k: v for k, v in data.items() if k in names})


def _fresh(engine: Engine) -> None:
    """Drop the KV cache so the prompt is evaluated from scratch, as on the first run (engines with one)."""
    if isinstance(engine, Stepper):
        engine.reset()


def generate_text(engine: Engine, prompt: str, params: GenerationParams, stop: list[str]) -> str:
    """The engine's whole answer to an exact prompt (fresh cache, the given seed)."""
    _fresh(engine)
    return "".join(chunk.text for chunk in engine.stream(prompt, params, stop))


def make_card(engine: Engine, prompt: str, stop: list[str], params: GenerationParams) -> Card:
    """Generate once and record the run."""
    output = generate_text(engine, prompt, params, stop)
    info = engine.info
    return Card(Path(info.path).name if info.path else info.name, model_sha256(engine), info.name,
                info.quantization, engine.name, prompt, list(stop), params.model_dump(), output,
                runtime=info.metadata.get("runtime", ""))


def reproduce(engine: Engine, card: Card) -> tuple[str, bool]:
    """Run a card again on the loaded model: (output, identical to the card's output).

    A card made with another model file is refused, naming the file to load: the same settings on a
    different model prove nothing.
    """
    sha = model_sha256(engine)
    if card.model_sha256 and sha != card.model_sha256:
        raise InputError(f"This card was made with {card.model_file} (SHA-256 {card.model_sha256[:12]}…), "
                         f"but {Path(engine.info.path).name or engine.info.name} is loaded: "
                         "load that file to reproduce it.")
    if not card.model_sha256 and card.model_name != engine.info.name:
        raise InputError(f"This card was made with {card.model_name}, but {engine.info.name} is loaded.")
    output = generate_text(engine, card.prompt, GenerationParams(**card.params), card.stop)
    return output, output == card.output
