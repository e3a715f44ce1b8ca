"""The import graph: what a flow imports, which layer uses which, and no cycles.

What a flow imports is the engine's modules and nothing from the CLI, grader or
docs. Start-up time is measured in `benchmarks/` (never asserted here); these
checks guard the import graph that keeps it small, each in a fresh interpreter
with `python -X importtime`, which lists every module the interpreter loaded.

The package's parts sit in layers (`LAYERS`), each using only the ones above it,
and no two modules import each other, directly or round a loop; both are read
from the source (imports inside functions included), and the exceptions left
are listed with their reasons (`UPWARD`, `CYCLES_LEFT`).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

FLOW_IMPORTS = (
    "import learnstream.operators, learnstream.operators.windowing, "
    "learnstream.connectors.files, learnstream.testing"
)

# Tooling of the CLI, the grader, the tests and the docs site: never the engine's business.
FORBIDDEN_THIRD_PARTY = (
    "rich",
    "click",
    "hypothesis",
    "pytest",
    "mkdocs",
    "jinja2",
    "markdown",
    "nbformat",
    "bytewax",
    "river",
)
FORBIDDEN_OWN = (
    "learnstream.cli",
    "learnstream.grading",
    "learnstream.doctor",
    "learnstream.timeline",
    "learnstream.coursebook",
    "learnstream.visualize",
)
# Loaded when first used: by a stateful step (the C core) or a windowing step.
LAZY = (
    "learnstream.engine._ccore",
    "learnstream.engine.chain_c",
    "learnstream.engine.chain_twin",
    "learnstream.engine.stamps_c",
    "learnstream.engine.stamps_twin",
    "learnstream.engine.keys_c",
    "learnstream.engine.keys_twin",
    "learnstream.engine.windows_c",
    "learnstream.engine.window_steps",
)


def imported_modules(code: str, backend: str = "c") -> set[str]:
    """Every module a fresh `python -c code` imports.

    Read from `-X importtime` and, at the end, from `sys.modules` (which also
    holds what `importlib.import_module` loaded: importtime does not list it).
    """
    env = {**os.environ, "LEARNSTREAM_BACKEND": backend}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code + "\nimport sys\nprint(*sys.modules)"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    modules = set(done.stdout.split())
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":  # the header line
                modules.add(name)
    return modules


def top_level(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_a_flow_imports_no_tooling_and_loads_the_cores_lazily() -> None:
    modules = imported_modules(FLOW_IMPORTS)
    assert "learnstream.operators.windowing" in modules  # the listing is read right
    assert not top_level(modules) & set(FORBIDDEN_THIRD_PARTY)
    own = {m for m in modules if m.startswith("learnstream.")}
    assert not {m for m in own if m.startswith(FORBIDDEN_OWN)}
    assert not own & set(LAZY)


@pytest.mark.parametrize(
    ("backend", "core"),
    [("c", "learnstream.engine.keys_c"), ("python", "learnstream.engine.keys_twin")],
)
def test_keyed_state_loads_its_backend_on_first_use(backend: str, core: str) -> None:
    code = (
        FLOW_IMPORTS + "\nimport learnstream.operators as op\n"
        "from learnstream.dataflow import Dataflow\n"
        "from learnstream.testing import TestingSource, TestingSink, run_main\n"
        "flow = Dataflow('f')\n"
        "got = []\n"
        "s = op.input('inp', flow, TestingSource(['a', 'b', 'a']))\n"
        "op.output('out', op.count_final('count', s, lambda w: w), TestingSink(got))\n"
        "run_main(flow)\n"
        "assert got == [('a', 2), ('b', 1)], got\n"
    )
    modules = imported_modules(code, backend)
    assert core in modules
    assert "learnstream.engine.window_steps" not in modules
    assert not top_level(modules) & set(FORBIDDEN_THIRD_PARTY)


def test_a_windowing_flow_loads_the_window_machinery() -> None:
    code = (
        "from datetime import datetime, timedelta, timezone\n"
        "import learnstream.operators as op\n"
        "import learnstream.operators.windowing as win\n"
        "from learnstream.dataflow import Dataflow\n"
        "from learnstream.testing import TestingSource, TestingSink, run_main\n"
        "t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)\n"
        "flow = Dataflow('f')\n"
        "got = []\n"
        "s = op.input('inp', flow, TestingSource([('k', t0)]))\n"
        "clock = win.EventClock(lambda kt: kt[1], timedelta(seconds=1))\n"
        "w = win.TumblingWindower(timedelta(seconds=10), t0)\n"
        "out = win.count_window('c', s, clock, w, key=lambda kt: kt[0])\n"
        "op.output('out', out.down, TestingSink(got))\n"
        "run_main(flow)\n"
        "assert got == [('k', (0, 1))], got\n"
    )
    modules = imported_modules(code)
    assert {
        "learnstream.engine.window_steps",
        "learnstream.engine.windows_c",
        "learnstream.engine.stamps_c",
    } <= modules
    assert not top_level(modules) & set(FORBIDDEN_THIRD_PARTY)


def test_a_flow_loads_no_pathlib_threading_or_asyncio_on_import() -> None:
    """Each is a few ms of start-up that only some flows need: they load on first use.

    Run with `python -S` (learnstream and site-packages on the path): some
    environments' site hooks import pathlib for everyone at start-up.
    """
    import site

    import learnstream

    src = os.path.dirname(os.path.dirname(learnstream.__file__))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, *site.getsitepackages()])}
    done = subprocess.run(
        [sys.executable, "-S", "-c", FLOW_IMPORTS + "\nimport sys\nprint(*sys.modules)"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    modules = set(done.stdout.split())
    assert "learnstream.connectors.files" in modules
    assert not modules & {"pathlib", "threading", "asyncio"}


# --- which layer may use which ---------------------------------------------------

LAYERS = [
    # 0: words and errors, used by everything; plain data across the grader's pipe
    {"errors", "wording", "tracing", "wire"},
    # 1: what a flow is made of (Bytewax's API), and the recovery store
    {"dataflow", "inputs", "outputs", "recovery"},
    # 2: the engine that runs a flow
    {"engine"},
    # 3: what a flow is written with and run by in tests
    {"operators", "connectors", "testing"},
    # 4: running and drawing flows: the run command, scale-out, pictures, the grader's child
    {"run", "scaleout", "visualize", "timeline", "charts", "sandbox_child", "sandbox_models"},
    # 5: the course's tools
    {"grading", "coursebook", "doctor", "cli", "__main__", "__init__"},
]
"""Each part of the package (a top-level module or package), by layer: a part may
import from its own layer and the ones above it in this list, never from below."""

UPWARD = {
    # (importer, imported): left in place, each for its reason
    ("inputs", "engine"): "SimplePollingSource reads the run's clock (engine/clock.py)",
    ("testing", "scaleout"): "cluster_main is Bytewax's testing API; scale-out runs it",
}
"""Imports against the layering that remain: a new one fails the test below."""


def _layer(part: str) -> int:
    return next(i for i, parts in enumerate(LAYERS) if part in parts)


def _not_run(tree: ast.AST) -> set[int]:
    """The nodes under `if TYPE_CHECKING:` and `if __name__ == "__main__":`."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in (
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
            "__name__ == '__main__'",
        ):
            skipped |= {id(n) for n in ast.walk(node)}
    return skipped


def _imports(path: Path) -> set[str]:
    """The learnstream parts a module imports, at its top or inside its functions.

    Imports under `if TYPE_CHECKING:` and `if __name__ == "__main__":` do not count:
    neither runs when the module is used.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _not_run(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "learnstream" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_each_layer_uses_only_the_layers_above_it() -> None:
    package = Path(__file__).resolve().parent.parent / "src" / "learnstream"
    parts = {p.stem if p.is_file() else p.name: p for p in package.iterdir()}
    parts = {
        name: p for name, p in parts.items() if p.suffix == ".py" or (p / "__init__.py").exists()
    }
    assert set(parts) == set().union(*LAYERS), "every part of the package has its layer"
    wrong = set()
    for name, path in parts.items():
        files = [path] if path.is_file() else list(path.rglob("*.py"))
        for file in files:
            for used in _imports(file) - {name}:
                if used in parts and _layer(used) > _layer(name):
                    wrong.add((name, used))
    assert wrong == set(UPWARD), f"imports against the layering: {sorted(wrong - set(UPWARD))}"


# --- no import cycles between modules ----------------------------------------------

CYCLES_LEFT = [
    # The run command, scale-out and testing's cluster_main call one another: scale-out
    # reads the run command's options and reports, and runs TestingSource's items;
    # cluster_main (Bytewax's testing API) and `--engine bytewax` hand flows to it.
    {
        "learnstream.run",
        "learnstream.scaleout",
        "learnstream.scaleout.launch",
        "learnstream.scaleout.translate",
        "learnstream.testing",
    },
]
"""Import cycles not untangled yet; a new one (or a longer one) fails the test below."""


def _module_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Each module of `package` under `root` and the modules of it that it imports at run time."""
    files = {}
    for path in (root / package).rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in files.items():
        used = set()
        for imported in _imported_names(path):
            while imported and imported not in files:
                imported = imported.rpartition(".")[0]
            if imported and not name.startswith(imported + "."):  # a parent package
                used.add(imported)
        graph[name] = used - {name}
    return graph


def _imported_names(path: Path) -> set[str]:
    """Every module name a file imports when it runs (see `_imports`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _not_run(tree)
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_new_import_cycles() -> None:
    root = Path(__file__).resolve().parent.parent
    found = _cycles(_module_graph(root / "src", "learnstream")) + _cycles(
        _module_graph(root, "benchmarks")
    )
    assert sorted(map(sorted, found)) == sorted(map(sorted, CYCLES_LEFT)), found
