"""What a flow imports: the engine's modules and nothing from the CLI, grader or docs.

Start-up time is measured in `benchmarks/` (never asserted here); this guards the
import graph that keeps it small. Each check runs a fresh interpreter with
`python -X importtime`, which lists every module the interpreter loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys

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
