"""The layout's rules, checked on the source: dependencies point one way, no cycles, no private names
borrowed across modules, the environment read only by settings.py, generated code never executed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "playground"
MODULES = {
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path
    for path in sorted(PACKAGE.rglob("*.py"))
}
# Who may import whom: each layer imports its own modules and those listed. core: the pure modules of
# playground/ (tasks, extract, lint, ...); api: the pipeline and its rounds, the calls the model writes for the
# checks (derive) and the command line, on top of the engines; markup: the HTML the front ends share (highlighted
# code, message boxes), which nothing below the front ends may import.
API = {"playground", "playground.pipeline", "playground.rounds", "playground.derive", "playground.cli",
       "playground.terminal", "playground.__main__", "playground.hints", "playground.tutor_cli",
       "playground.explain_error", "playground.ask"}
ALLOWED = {
    "core": {"core"},
    "engines": {"core", "engines"},
    "checks": {"core", "checks"},
    "tasks": {"core", "checks", "tasks"},
    "api": {"core", "engines", "checks", "tasks", "api", "record"},
    "record": {"core", "tasks", "record"},
    "markup": {"core", "markup"},
    "web": {"core", "engines", "checks", "tasks", "api", "markup", "record", "web"},
    "teach": {"core", "engines", "checks", "tasks", "api", "markup", "teach"},
    "evaluate": {"core", "engines", "checks", "tasks", "api", "evaluate"},
}


def layer(module: str) -> str:
    if module in API:
        return "api"
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()) else "core"


def imports(module: str) -> list[tuple[str, list[str]]]:
    """(imported module, names) for every playground import in a module, relative ones resolved."""
    path = MODULES[module]
    tree = ast.parse(path.read_text("utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [a.name for a in node.names]
            if target.startswith("playground"):
                # `from . import x` names a submodule
                subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
                found += [(s, []) for s in subs] or [(target, names)]
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.startswith("playground")]
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_dependencies_point_one_way(module: str) -> None:
    mine = layer(module)
    for target, _ in imports(module):
        assert layer(target) in ALLOWED[mine], f"{module} ({mine}) imports {target} ({layer(target)})"


BELOW_THE_FRONT_ENDS = {"core", "engines", "checks", "api"}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer(m) in BELOW_THE_FRONT_ENDS))
def test_below_the_front_ends_nothing_builds_html(module: str) -> None:
    """The core, engines, checks and API hold values (a Result, a Verdict); how a front end shows them is the
    front end's: no import of playground.markup, web or teach, of Gradio, of the html module or pygments'
    HtmlFormatter, and no function that makes HTML (`*_html`)."""
    tree = ast.parse(MODULES[module].read_text("utf-8"))
    presentation = [t for t, _ in imports(module) if layer(t) in {"markup", "web", "teach"}]
    assert not presentation, f"{module} imports presentation: {presentation}"
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom) for a in n.names}
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and not n.level}
    assert not {"html", "HtmlFormatter"} & (imported | modules), f"{module} imports an HTML builder"
    assert not {m for m in modules if m.split(".")[0] == "gradio"}, f"{module} imports Gradio"
    makers = [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.endswith("_html")]
    assert not makers, f"{module} builds HTML: {makers}"


def test_the_html_rule_catches_a_core_module_importing_markup() -> None:
    """The layers say so: a core module importing playground.markup points up."""
    assert layer("playground.markup.highlight") == "markup" and "markup" not in ALLOWED["core"]
    assert layer("playground.result") == "core" and "markup" not in ALLOWED["api"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_names_are_borrowed_across_modules(module: str) -> None:
    for target, names in imports(module):
        borrowed = [n for n in names if n.startswith("_") and n != "__version__"]
        assert not borrowed, f"{module} imports private {borrowed} from {target}"


ADAPTERS = {"playground.engines.llama_cpp_internals", "playground.web.gradio_internals"}
DOCUMENTED = {"_exit"}  # os._exit: public despite its underscore


def _private_attributes_used(tree: ast.AST) -> list[tuple[int, str]]:
    """`x._name` where x is not self or cls, and _name is not defined in the module itself."""
    own = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
    own |= {t.attr for n in ast.walk(tree) if isinstance(n, ast.Assign | ast.AnnAssign | ast.AugAssign)
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Attribute)}
    return [(n.lineno, ast.unparse(n)) for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and n.attr.startswith("_") and not n.attr.startswith("__")
            and not (isinstance(n.value, ast.Name) and n.value.id in ("self", "cls"))
            and n.attr not in own | DOCUMENTED]


@pytest.mark.parametrize("module", sorted(set(MODULES) - ADAPTERS))
def test_private_attributes_of_libraries_are_reached_only_in_their_adapters(module: str) -> None:
    """llama-cpp-python's and Gradio's private parts are used in one module each, which names the versions
    it was written for (docs/architecture.md); any other module uses only public attributes."""
    used = _private_attributes_used(ast.parse(MODULES[module].read_text("utf-8")))
    assert not used, f"{module} reaches private attributes of another module's objects: {used}"


def test_the_private_attribute_rule_sees_a_library_private_and_allows_the_adapters() -> None:
    assert _private_attributes_used(ast.parse("def f(llm):\n    return llm._ctx.ctx\n")) == [(2, "llm._ctx")]
    assert _private_attributes_used(ast.parse("class A:\n    def __init__(self):\n        self._x = 1\n"
                                              "def f(a):\n    return a._x\n")) == []
    assert ADAPTERS <= set(MODULES)
    assert _private_attributes_used(ast.parse(MODULES["playground.engines.llama_cpp_internals"].read_text("utf-8")))


def test_there_are_no_import_cycles() -> None:
    graph = {m: {t for t, _ in imports(m) if t in MODULES and t != m} for m in MODULES}
    # A package's __init__ re-exporting its submodules is not a cycle of logic: leave those edges out.
    graph = {m: {t for t in ts if not (MODULES[t].name == "__init__.py" and m.startswith(t + "."))}
             for m, ts in graph.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join(trail[trail.index(nxt):] + [node, nxt]))
            if nxt not in state:
                visit(nxt, trail + [node])
        state[node] = 2

    for module in graph:
        if module not in state:
            visit(module, [])


def test_only_settings_reads_the_environment() -> None:
    readers = [m for m, path in MODULES.items() if m != "playground.settings"
               and any(word in path.read_text("utf-8") for word in ("os.environ", "os.getenv"))]
    assert readers == []


def test_generated_code_is_never_executed_in_the_app_process() -> None:
    """exec/eval/subprocess only where the design allows them: the evaluation harness's own sandbox and the
    engines that start servers or probe files. playground/checks/guest/ is the program that runs inside the
    WebAssembly sandbox (it execs the code there); nothing on the host imports it."""
    allowed = ("playground.evaluate", "playground.engines", "playground.checks.guest")
    for module in MODULES:
        assert not any(t.startswith("playground.checks.guest") for t, _ in imports(module)), module
    for module, path in MODULES.items():
        if module.startswith(allowed):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        calls = [n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
        assert not {"exec", "eval", "compile", "__import__"} & set(calls), module
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom) for a in n.names}
        mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert "subprocess" not in names | mods, module


def test_modules_stay_small() -> None:
    """Modules under ~300 lines (a reason in the module docstring otherwise)."""
    big = {m: n for m, p in MODULES.items() if (n := len(p.read_text("utf-8").splitlines())) > 320}
    assert big == {}


def test_what_differs_between_tasks_is_the_tasks_own() -> None:
    """No module outside playground/tasks/ compares with a task's name (`task == "debug"`, `task in ("simplify",
    ...)`): what differs between tasks (what the checks expect, the program checked, the no-harm rule, the diff,
    ...) is a method or a record of the task itself, so a new task is a module there and a template, not edits
    across the package."""
    from playground.tasks import TASKS

    def names(node: ast.expr) -> set[str]:
        if isinstance(node, ast.Constant) and node.value in TASKS:
            return {node.value}
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return set().union(*(names(e) for e in node.elts))
        return set()

    found = [f"{module}:{node.lineno}" for module, path in MODULES.items() if not module.startswith("playground.tasks")
             for node in ast.walk(ast.parse(path.read_text("utf-8")))
             if isinstance(node, ast.Compare) and any(names(e) for e in [node.left, *node.comparators])]
    assert not found, found


def language_facts_outside_the_registry(sources: dict[str, str]) -> list[str]:
    """Dict literals keyed by a language's name (`{"python": ...}`) and comparisons with one (`== "python"`,
    `in ("javascript", "typescript")`) in the given sources: language facts kept outside its record."""
    from playground.languages import LANGUAGES

    def names(node: ast.expr | None) -> set[str]:
        if isinstance(node, ast.Constant) and node.value in LANGUAGES:
            return {node.value}
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return set().union(*(names(e) for e in node.elts))
        return set()

    found = []
    for module, source in sources.items():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Dict) and any(names(key) for key in node.keys):
                found.append(f"{module}:{node.lineno}: a dict keyed by language names")
            elif isinstance(node, ast.Compare) and any(names(e) for e in [node.left, *node.comparators]):
                found.append(f"{module}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_language_facts_live_on_the_language_record() -> None:
    """No module but languages.py keys a dict by language names or compares with one: what differs between
    languages (lexer, grammar, sandbox, linter, extensions, gr.Code's name, ...) is a field of
    languages.Language, so a new language is one new record, not edits across the package."""
    sources = {m: p.read_text("utf-8") for m, p in MODULES.items() if m != "playground.languages"}
    assert language_facts_outside_the_registry(sources) == []


def test_the_language_facts_check_finds_the_old_parallel_dicts() -> None:
    old = {"syntax": 'GRAMMARS = {"python": ("tree_sitter_python", "language"), "go": ("tree_sitter_go", "language")}',
           "handlers": 'CODE_LANGUAGES = {"python": "python", "bash": "shell"}',
           "plan": 'def f(language):\n    return language == "python" or language in ("javascript", "typescript")',
           "fine": 'language = "python"\nd = {"name": "python"}\nok = kind == "exec"'}
    assert [f.split(":")[0] for f in language_facts_outside_the_registry(old)] == ["syntax", "handlers", "plan", "plan"]
