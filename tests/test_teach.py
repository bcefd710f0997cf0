"""The teaching view's logic on the real bundled model: distributions, stepping, branching, cards, the grid."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from playground import pipeline
from playground.catalog import SMALL_MODEL
from playground.engines import Distribution, Engine, Stepper, load_engine
from playground.errors import EngineError, InputError
from playground.extract import extract
from playground.lint import lint
from playground.params import GenerationParams
from playground.prompting import Mode, Prompt
from playground.tasks import Request, build_prompt
from playground.teach.handlers import TeachApp
from playground.teach.render import anatomy_html, chart_html, confidence_html, grid_html
from playground.teach.runs import (
    GRID_MAX_TOKENS,
    GRID_TOKENS_CAP,
    Card,
    distinct_outputs,
    grid_tokens,
    make_card,
    pass_rate,
    reproduce,
    variability_grid,
)
from playground.teach.sampling import KEEP, Sampling, after_sampling
from playground.teach.steps import Step, Walk, go_to, model_key, next_token, start_walk, take
from playground.teach.tokens import prompt_anatomy, prompt_tokens, stepper, token_kinds
from tests import fakes  # noqa: F401 (registers the "echo" engine)

CODE = "def add(a, b):\n    return a + b\n"
GREEDY = Sampling(temperature=0.0)


@pytest.fixture
def prompt(engine: Engine) -> Prompt:
    return build_prompt("translate", CODE, engine.info, source="python", target="javascript")


def next_logits(engine: Engine, ids: list[int]) -> np.ndarray:
    """The full logits vector after ids, through the engine's Stepper capability."""
    dist = stepper(engine).next_distribution(ids, keep=1 << 30)  # keep every token
    logits = np.empty(dist.n_vocab)
    logits[dist.ids] = dist.logits
    return logits


@pytest.fixture
def logits(engine: Engine, prompt: Prompt) -> np.ndarray:
    return next_logits(engine, stepper(engine).tokenize(prompt.text))


# ---------------------------------------------------------------- distributions

@pytest.mark.parametrize("k", [1, 5, 20])
def test_top_k_probabilities_are_sorted_and_a_part_of_one(logits: np.ndarray, k: int) -> None:
    top = Distribution.from_logits(logits, keep=k).top(k)
    probs = [p for _, p in top]
    assert len(top) == k
    assert probs == sorted(probs, reverse=True)
    assert all(0 < p <= 1 for p in probs)
    assert sum(probs) <= 1 + 1e-9
    assert top[0][0] == int(np.argmax(logits))


def test_top_k_over_the_whole_vocabulary_sums_to_one(logits: np.ndarray) -> None:
    top = Distribution.from_logits(logits, keep=logits.size).top(logits.size)
    assert len(top) == logits.size
    assert sum(p for _, p in top) == pytest.approx(1.0, abs=1e-9)
    stored = Distribution.from_logits(logits, KEEP)
    assert stored.n_vocab == logits.size
    assert [t for t, _ in stored.top(20)] == [t for t, _ in top[:20]]
    assert [p for _, p in stored.top(20)] == pytest.approx([p for _, p in top[:20]])


def test_sampling_settings_reshape_the_distribution(logits: np.ndarray) -> None:
    dist = Distribution.from_logits(logits, KEEP)
    greedy = after_sampling(dist, GREEDY)
    assert greedy.sum() == 1.0 and np.count_nonzero(greedy) == 1
    assert dist.ids[int(np.argmax(greedy))] == int(np.argmax(logits))
    top_p = after_sampling(dist, Sampling(temperature=1.0, top_k=0, top_p=0.5, min_p=0.0))
    assert top_p.sum() == pytest.approx(1.0)
    kept = np.nonzero(top_p)[0]
    assert dist.probs()[kept].sum() >= 0.5  # the smallest set whose probability reaches top-p
    assert np.count_nonzero(after_sampling(dist, Sampling(temperature=1.0, top_k=1))) == 1

    def entropy(p: np.ndarray) -> float:
        p = p[p > 0]
        return float(-(p * np.log(p)).sum())

    loose = Sampling(top_k=0, top_p=1.0, min_p=0.0, repeat_penalty=1.0)
    cold = after_sampling(dist, Sampling(**{**loose.__dict__, "temperature": 0.5}))
    hot = after_sampling(dist, Sampling(**{**loose.__dict__, "temperature": 1.5}))
    assert entropy(hot) > entropy(cold)  # a higher temperature flattens the distribution


# ---------------------------------------------------------------- stepping and branching

def test_greedy_steps_take_the_argmax_and_match_the_engine(engine: Engine, prompt: Prompt) -> None:
    walk = start_walk(engine, prompt)
    for _ in range(12):
        step = next_token(engine, walk, Sampling(temperature=0.0, repeat_penalty=1.0))
        assert step.token == int(np.argmax(next_logits(engine, walk.prompt_ids + [s.token for s in walk.path()][:-1])))
        assert step.how == "greedy"
        if step.end:
            break
    params = GenerationParams(temperature=0, repeat_penalty=1.0, max_tokens=12)
    plain = "".join(c.text for c in engine.stream(prompt.text, params, prompt.stop))
    assert plain and walk.generated().startswith(plain)


def test_temperature_zero_is_deterministic(engine: Engine, prompt: Prompt) -> None:
    runs = []
    for _ in range(2):
        walk = start_walk(engine, prompt)
        for _ in range(8):
            next_token(engine, walk, GREEDY)
        runs.append([(s.token, round(s.prob, 6)) for s in walk.path()])
    assert runs[0] == runs[1]


def test_seeded_sampling_repeats_with_the_same_seed(engine: Engine, prompt: Prompt) -> None:
    def sample(seed: int) -> list[int]:
        walk = start_walk(engine, prompt)
        for _ in range(8):
            next_token(engine, walk, Sampling(temperature=1.5, top_k=0, top_p=1.0, seed=seed))
        return [s.token for s in walk.path()]

    assert sample(3) == sample(3)


def test_a_branch_continues_from_the_chosen_token(engine: Engine, prompt: Prompt) -> None:
    walk = start_walk(engine, prompt)
    for _ in range(4):
        next_token(engine, walk, GREEDY)
    prefix = [s.token for s in walk.path()][:3]
    step = walk.steps[walk.current]  # type: ignore[index]
    alternative = int(step.dist.ids[1])
    chosen = take(engine, walk, alternative)
    assert chosen.how == "chosen" and chosen.token == alternative
    assert [s.token for s in walk.path()][:3] == prefix  # the prefix is unchanged
    after = next_token(engine, walk, GREEDY)
    assert after.parent == chosen.index
    assert [s.token for s in walk.path()] == [*prefix, alternative, after.token]
    piece = stepper(engine).token_bytes(alternative).decode("utf-8", "replace")
    assert piece in walk.generated()
    assert walk.branch_points() == 1
    # Browsing back to the first branch keeps both; going forward on it reuses the step.
    go_to(walk, step.index)
    assert walk.path()[-1].token == step.token
    again = take(engine, walk, step.token)
    assert again.index == step.index and len(walk.steps) == 6


def test_branching_refuses_a_token_that_was_not_a_candidate(engine: Engine, prompt: Prompt) -> None:
    walk = start_walk(engine, prompt)
    with pytest.raises(InputError, match="Next token first"):
        take(engine, walk, 1)
    next_token(engine, walk, GREEDY)
    with pytest.raises(InputError, match="not among"):
        take(engine, walk, 10 ** 9)


def test_the_walk_ends_at_the_stop_sequence(engine: Engine, prompt: Prompt) -> None:
    walk = start_walk(engine, prompt)
    step: Step | None = None
    for _ in range(80):
        step = next_token(engine, walk, GREEDY)
        if step.end:
            break
    assert step is not None and step.end in ("stop sequence", "end of turn")
    with pytest.raises(InputError, match="ended"):
        next_token(engine, walk, GREEDY)


def test_the_walk_ends_at_the_token_cap_and_the_context_window(engine: Engine, prompt: Prompt) -> None:
    capped = start_walk(engine, prompt, max_tokens=3)
    steps = [next_token(engine, capped, GREEDY) for _ in range(3)]
    assert [s.end for s in steps] == ["", "", "token cap, 3 tokens"] and capped.ended() == "token cap, 3 tokens"
    with pytest.raises(InputError, match="ended here .token cap"):
        next_token(engine, capped, GREEDY)
    go_to(capped, steps[1].index)  # back one token: the answer goes on again
    assert capped.ended() == ""
    ids = stepper(engine).tokenize(prompt.text)
    full = Walk(model_key(engine), prompt, ids, len(ids) + 2)  # room for two tokens
    assert [next_token(engine, full, GREEDY).end for _ in range(2)] == ["", "end of the context window"]


# ---------------------------------------------------------------- prompt anatomy

def test_anatomy_covers_the_exact_prompt_and_names_its_parts(engine: Engine, prompt: Prompt) -> None:
    tokens = prompt_tokens(engine, prompt.text)
    assert tokens is not None
    assert "".join(t.text for t in tokens) in (prompt.text, engine.info.bos_token + prompt.text)
    assert [t.id for t in tokens] == stepper(engine).tokenize(prompt.text)
    parts = prompt_anatomy(prompt, engine.info, CODE, specials=[t.text for t in tokens if t.special])
    assert "".join(p.text for p in parts) == prompt.text
    kinds = {p.kind for p in parts}
    assert {"special", "system", "example", "instruction", "code", "prefill"} <= kinds
    assert any(p.kind == "code" and "return a + b" in p.text for p in parts)
    assert len(token_kinds(tokens, parts)) == len(tokens)


def test_anatomy_html_escapes_the_users_code(engine: Engine) -> None:
    code = "x = '</pre><script>window.__xss=1</script>'\n"
    prompt = build_prompt("simplify", code, engine.info, source="python")
    tokens = prompt_tokens(engine, prompt.text)
    parts = prompt_anatomy(prompt, engine.info, code)
    for show in (False, True):
        html = anatomy_html(parts, tokens, token_kinds(tokens, parts), engine.context_size, show)  # type: ignore[arg-type]
        assert "<script" not in html and "</pre><" not in html.split("<pre>", 1)[1].removesuffix("</pre></div>")
        assert "&lt;script&gt;" in html if not show else "&lt;" in html and "script" in html


def test_confidence_overlay_marks_lint_findings_and_escapes() -> None:
    """Post-processing on a made-up walk (no claim about the model): lines with pyflakes errors are flagged."""
    logits = np.linspace(0, 5, 50)
    dist = Distribution.from_logits(logits, KEEP)
    prompt = Prompt(text="…", prefill="```python\n", stop=["```"], language="python", mode=Mode.CHAT)
    walk = Walk("m", prompt, [1], 100)
    for i, piece in enumerate(["x = 1\n", "print(", "undefined_name", " < 2)\n"]):
        walk.steps.append(Step(i, i - 1 if i else None, i, 49 - i, piece.encode(), dist.prob(49 - i), "greedy", dist))
        if i:
            walk.steps[i - 1].children.append(i)
    walk.current = 3
    walk.steps[3].end = "stop sequence"  # a finished answer: lint runs on it
    html = confidence_html(walk, "python")
    assert "undefined name &#x27;undefined_name&#x27;" in html
    assert html.count("pg-flagged") == 1 and "&lt; 2)" in html and "< 2)" not in html
    assert "Answer finished (stop sequence). pyflakes: 1 finding" in html


def test_only_a_finished_answer_is_linted(engine: Engine) -> None:
    """Mid-answer, a prefix that does not parse yet is not flagged; the same text, finished, is."""
    prompt = build_prompt("simplify", CODE, engine.info, source="python")
    walk = start_walk(engine, prompt)
    for _ in range(3):
        next_token(engine, walk, GREEDY)
    partial = extract(walk.answer(), "python").code
    assert not walk.ended()
    assert any(f.message.startswith("syntax error") for f in lint(partial, "python"))  # e.g. "def add(" is open
    html = confidence_html(walk, "python")
    assert "pg-flag" not in html and "syntax error" not in html  # no flagged line, no ⚠ note
    assert "Lint runs when the answer is finished" in html and "pyflakes" not in html

    # The same three tokens, finished by a three-token cap: now the syntax error is flagged on its line.
    capped = start_walk(engine, prompt, max_tokens=3)
    for _ in range(3):
        next_token(engine, capped, GREEDY)
    assert capped.answer() == walk.answer() and capped.ended() == "token cap, 3 tokens"
    html = confidence_html(capped, "python")
    assert html.count("pg-flagged") == 1 and "⚠ syntax error" in html
    assert "Answer finished (token cap, 3 tokens). pyflakes: 1 finding" in html
    assert "Lint runs when" not in html

    # Carried on to its real end, the answer is linted as the task tabs lint it.
    while not walk.ended():
        next_token(engine, walk, GREEDY)
    assert walk.ended() in ("stop sequence", "end of turn")
    findings = lint(extract(walk.answer(), "python").code, "python")
    html = confidence_html(walk, "python")
    assert f"Answer finished ({walk.ended()}). pyflakes: " in html and "Lint runs when" not in html
    assert html.count("pg-flagged") == len({f.line for f in findings})


def test_chart_shows_both_distributions_and_marks_the_chosen(logits: np.ndarray) -> None:
    dist = Distribution.from_logits(logits, KEEP)
    chosen = int(dist.ids[2])
    pieces = {int(t): f"<tok{t}>" for t in dist.ids[:5]}
    html = chart_html(dist, pieces, Sampling(temperature=0.7, top_k=3), [], chosen, 5)
    assert html.count("<tr") == 6 and html.count("pg-chosen") == 1
    assert "removed" in html  # candidates 4 and 5 are cut by top-k 3
    assert "<tok" not in html and "&lt;tok" in html


# ---------------------------------------------------------------- whole answers: grid and card

def test_reproducibility_card_round_trips_to_the_same_output(engine: Engine, prompt: Prompt) -> None:
    params = GenerationParams(temperature=0.9, top_k=50, top_p=0.95, seed=7, max_tokens=48)
    card = make_card(engine, prompt.text, prompt.stop, params)
    assert card.output and card.model_sha256 and len(card.model_sha256) == 64
    data = json.loads(card.to_json())
    assert data["seed"] == 7 and data["model_file"] == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert data["quantization"] and data["engine"] == "llama-cpp" and data["prompt"] == prompt.text
    # Something else runs in between (different prompt, different cache) and the card still reproduces.
    pipeline.run("simplify", CODE, language="python", engine=engine, params=GenerationParams(max_tokens=16))
    output, same = reproduce(engine, Card.from_json(card.to_json()))
    assert same and output == card.output


def test_cards_from_another_model_or_malformed_are_refused(engine: Engine, prompt: Prompt) -> None:
    card = make_card(engine, prompt.text, prompt.stop, GenerationParams(max_tokens=4))
    data = json.loads(card.to_json())
    other = Card.from_json(json.dumps({**data, "model_sha256": "0" * 64}))
    with pytest.raises(InputError, match="load that file"):
        reproduce(engine, other)
    malformed: list[tuple[str | bytes, str]] = [
        ("{", "not valid JSON"), ("[1]", "JSON object"), (json.dumps({**data, "version": 9}), "version"),
        (json.dumps({k: v for k, v in data.items() if k != "prompt"}), "lacks prompt"),
        (json.dumps({**data, "params": {**data["params"], "temperature": -1}}), "params"),
        (b"\xff\xfe binary", "UTF-8")]
    for bad, match in malformed:
        with pytest.raises(InputError, match=match):
            Card.from_json(bad)


def test_variability_grid_is_identical_at_temperature_zero(engine: Engine) -> None:
    grids = list(variability_grid(engine, Request.build("complete", "def square(x):\n", language="python"),
                                  temperatures=(0.0, 1.2), seeds=(1, 2), max_tokens=24))
    assert [len(g) for g in grids] == [1, 2, 3, 4]
    cells = grids[-1]
    cold = [c for c in cells if c.temperature == 0.0]
    assert cold[0].code == cold[1].code and cold[0].code.startswith("def square(x):")
    assert all(c.lint_checked and isinstance(c.lint_ok, bool) and c.tokens > 0 for c in cells)
    assert 1 <= distinct_outputs(cells) <= 4
    assert distinct_outputs(cold) == 1


def test_grid_cells_carry_their_verdict_and_each_row_its_pass_rate(engine: Engine) -> None:
    *_, cells = variability_grid(engine, Request.build("complete", "def square(x):\n", language="python",
                                                                tests="assert square(3) == 9"),
                                 temperatures=(0.0, 1.2), seeds=(1, 2), max_tokens=24)
    assert all(c.verdict in ("pass", "fail") and c.total >= 1 for c in cells)
    for t in (0.0, 1.2):
        passed, checked = pass_rate(cells, t)
        assert checked == 2 and passed == sum(c.verdict == "pass" for c in cells if c.temperature == t)
    html = grid_html(cells, (0.0, 1.2), (1, 2))
    assert html.count("checks ") >= 4 and "passes " in html and "pass@1" in html


# ---------------------------------------------------------------- engines without probabilities

def test_engines_without_probabilities_say_so() -> None:
    echo = load_engine("echo", SMALL_MODEL)
    assert not isinstance(echo, Stepper)
    with pytest.raises(EngineError, match="cannot show token probabilities"):
        stepper(echo)
    out = TeachApp(lambda: echo).start("translate", CODE, "python", "javascript", "", False, 0.0, 40, 0.95, 42, 10)
    assert out["walk"] is None and "cannot show token probabilities" in out["message"]
    assert "Your code" in out["anatomy"] and "does not expose its tokenizer" in out["anatomy"]


def test_the_grid_token_cap_fits_the_input(engine: Engine) -> None:
    """A fixed 96 tokens cut a fizzbuzz translation (~140 tokens) mid-line: the cap grows with the input."""
    fizzbuzz = Path("examples/translate/fizzbuzz.py").read_text()
    assert grid_tokens(engine, "def f():\n    pass\n") == GRID_MAX_TOKENS
    assert 140 < grid_tokens(engine, fizzbuzz) < GRID_TOKENS_CAP
    assert grid_tokens(engine, "total = total + 1\n" * 400) == GRID_TOKENS_CAP


def test_a_grid_cell_on_syntax_alone_is_not_counted_as_a_pass() -> None:
    from playground.teach.runs import Cell

    cells = [Cell(0.0, 1, "package main", "go", verdict="parses"), Cell(0.0, 2, "x", "python", verdict="pass")]
    assert pass_rate(cells, 0.0) == (1, 1)  # the Go cell's behaviour was not checked: not in the rate
    assert "parses; behaviour not checked" in grid_html(cells, (0.0,), (1, 2))


def test_the_teaching_tab_shows_only_the_input_the_task_takes() -> None:
    """Translate's target picker, Debug's and Complete's text box, neither for Simplify and Tests."""
    from playground.tasks import get_task
    from playground.teach.tab import _extra_box

    shown = {t: (_extra_box(t)["target"]["visible"], _extra_box(t)["extra"]["visible"])  # type: ignore[index]
             for t in ("translate", "simplify", "debug", "complete", "tests")}
    assert shown == {"translate": (True, False), "simplify": (False, False), "debug": (False, True),
                     "complete": (False, True), "tests": (False, False)}
    assert _extra_box("debug")["extra"]["label"] == get_task("debug").extra.label  # type: ignore[index, union-attr]
