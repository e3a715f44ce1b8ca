"""`learnstream doctor`: is this machine ready for the course?

Instructors run it on every learner's machine at the start of a workshop. Each
check returns a `Finding` — "ok", "warn" (works, but not as intended) or "fail"
(the course will not work) — with a sentence saying what was found and, when
something is wrong, what to do. The exit status is 1 when any check fails.

>>> finding = check_python((3, 11, 7))
>>> finding.status, finding.detail
('ok', 'Python 3.11.7')
>>> check_python((3, 9, 1)).status
'fail'
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = [
    "CHECKS",
    "Finding",
    "check_bytewax",
    "check_c_core",
    "check_grader_sandbox",
    "check_notebook_tools",
    "check_python",
    "check_redis",
    "check_river",
    "check_tiny_flow",
    "render",
    "run_checks",
]

Status = Literal["ok", "warn", "fail"]

MINIMUM_PYTHON = (3, 11)


@dataclass(frozen=True)
class Finding:
    """The outcome of one check."""

    name: str
    status: Status
    detail: str


def check_python(version: Sequence[int] | None = None) -> Finding:
    """The interpreter is recent enough for learnstream."""
    major, minor, micro = tuple(version or sys.version_info[:3])[:3]
    text = f"Python {major}.{minor}.{micro}"
    if (major, minor) < MINIMUM_PYTHON:
        need = ".".join(map(str, MINIMUM_PYTHON))
        return Finding(
            "Python",
            "fail",
            f"{text}; learnstream needs {need} or newer: install "
            f"a newer Python and reinstall learnstream with it",
        )
    return Finding("Python", "ok", text)


def check_c_core() -> Finding:
    """The C core is the engine's backend, or why the pure-Python twin runs instead."""
    import learnstream

    if learnstream.BACKEND == "c":
        return Finding("C core", "ok", "active: the engine's hot loop runs in C")
    if os.environ.get("LEARNSTREAM_BACKEND", "").strip().lower() == "python":
        return Finding(
            "C core",
            "warn",
            "not used: LEARNSTREAM_BACKEND=python selects the "
            "pure-Python twin (same results, slower); unset it to use C",
        )
    try:
        importlib.import_module("learnstream.engine.keys_c")
    except ImportError as exc:
        reason = str(exc)
    else:
        reason = "it imports, but the engine did not select it"
    return Finding(
        "C core",
        "warn",
        f"unavailable ({reason}); running on the pure-Python twin "
        "(same results, slower). Reinstall with a C compiler present "
        "(`pip install -e .` needs gcc and the Python headers) to build it",
    )


def check_tiny_flow() -> Finding:
    """A small flow — map, filter, count per key — runs and gives the right answer."""
    import learnstream.operators as op
    from learnstream.dataflow import Dataflow
    from learnstream.testing import TestingSink, TestingSource, run_main

    words = ["to", "be", "or", "not", "to", "be", "2b"]
    out: list[tuple[str, int]] = []
    flow = Dataflow("doctor")
    lowered = op.map("lower", op.input("inp", flow, TestingSource(words, batch_size=3)), str.lower)
    kept = op.filter("no_digits", lowered, str.isalpha)
    op.output("out", op.count_final("count", kept, lambda w: w), TestingSink(out))
    try:
        run_main(flow)
    except Exception as exc:
        return Finding("Tiny flow", "fail", f"raised {type(exc).__name__}: {exc}")
    expected = [("be", 2), ("not", 1), ("or", 1), ("to", 2)]
    if out != expected:
        return Finding(
            "Tiny flow",
            "fail",
            f"gave {out!r} instead of {expected!r}: please "
            "report this as a bug, with the output of `learnstream --version`",
        )
    return Finding("Tiny flow", "ok", "map → filter → count_final gave the expected counts")


def check_grader_sandbox() -> Finding:
    """The grader starts its sandbox, gets an answer back, and stops an endless loop."""
    try:
        from learnstream.grading.sandbox import Limits, Sandbox, SandboxDied
    except ImportError as exc:
        return Finding("Grader sandbox", "fail", f"the grader does not import: {exc}")
    with tempfile.TemporaryDirectory(prefix="learnstream-doctor-") as tmp:
        path = Path(tmp) / "doctor_probe.py"
        path.write_text(
            "def twice(x):\n    return 2 * x\n\n\ndef forever(x):\n    while True:\n        pass\n",
            encoding="utf-8",
        )
        try:
            with Sandbox(path, Limits(timeout=2.0)) as box:
                answer = box.probe(
                    "learnstream.grading.probes:call", "twice(21)", fn="twice", args=[21]
                )
                if answer != 42:
                    return Finding(
                        "Grader sandbox", "fail", f"a probe answered {answer!r} instead of 42"
                    )
                try:
                    box.probe(
                        "learnstream.grading.probes:call", "forever(0)", fn="forever", args=[0]
                    )
                except SandboxDied:
                    pass
                else:
                    return Finding("Grader sandbox", "fail", "an endless loop was not stopped")
        except (Exception, SandboxDied) as exc:
            return Finding(
                "Grader sandbox",
                "fail",
                f"could not run learner code in a child "
                f"process ({type(exc).__name__}: {exc}); check that this Python "
                "may start subprocesses",
            )
    return Finding(
        "Grader sandbox", "ok", "runs learner code in a child process and stops endless loops"
    )


def check_notebook_tools() -> Finding:
    """Jupyter's pieces for the workshop notebooks are installed (optional)."""
    missing = [
        name
        for name in ("nbformat", "nbclient", "ipykernel")
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        return Finding(
            "Notebooks",
            "warn",
            f"{', '.join(missing)} not installed: needed only "
            "for the notebooks (from the course's clone: `pip install -e '.[docs]'`)",
        )
    return Finding("Notebooks", "ok", "nbformat, nbclient and ipykernel are installed")


def check_river() -> Finding:
    """River, the online-learning library Part 4 uses, is installed (optional)."""
    from learnstream.connectors.datasets import RIVER_MISSING, require_river

    try:
        river = require_river()
    except ImportError:
        return Finding("River", "warn", f"not installed. {RIVER_MISSING}")
    return Finding("River", "ok", f"River {river.__version__}, for Part 4 (real-time ML)")


def check_bytewax() -> Finding:
    """Bytewax, which runs a flow on several workers (`--engine bytewax`), is installed (optional)."""
    from learnstream.scaleout import BytewaxUnavailable, require_bytewax

    try:
        require_bytewax()
    except BytewaxUnavailable as err:
        return Finding("Bytewax", "warn", f"{err}; needed only to scale a flow out")
    from importlib.metadata import version

    return Finding(
        "Bytewax", "ok", f"Bytewax {version('bytewax')}, to scale a flow out (--engine bytewax)"
    )


def check_redis() -> Finding:
    """redis-py and a Redis server, which the "Going to production" page uses, are there (optional)."""
    if importlib.util.find_spec("redis") is None:
        return Finding(
            "Redis",
            "warn",
            'redis-py not installed; "Going to production" needs it: '
            'pip install "learnstream[broker]"',
        )
    import shutil

    if shutil.which("redis-server") is None:
        return Finding(
            "Redis",
            "warn",
            'redis-py is installed but redis-server is not; "Going to production" needs a '
            "server: apt-get install redis-server (or brew install redis), or set REDIS_URL",
        )
    return Finding("Redis", "ok", 'redis-py and redis-server, for "Going to production"')


CHECKS: tuple[Callable[[], Finding], ...] = (
    check_python,
    check_c_core,
    check_tiny_flow,
    check_grader_sandbox,
    check_notebook_tools,
    check_river,
    check_bytewax,
    check_redis,
)


def run_checks(checks: Sequence[Callable[[], Finding]] | None = None) -> list[Finding]:
    """Run `checks` (default: `CHECKS`); a check that crashes is a failure, not a traceback."""
    findings = []
    # CHECKS is read at call time, so a check added to it later is run too.
    for check in CHECKS if checks is None else checks:
        try:
            findings.append(check())
        except Exception as exc:
            name = check.__name__.removeprefix("check_").replace("_", " ").capitalize()
            findings.append(
                Finding(name, "fail", f"the check crashed: {type(exc).__name__}: {exc}")
            )
    return findings


_STYLE = {"ok": ("✓ ok", "green"), "warn": ("! warn", "yellow"), "fail": ("✗ fail", "red")}


def render(findings: Sequence[Finding], console: object | None = None) -> int:
    """Print the findings as a table; return the exit status (1 if any check failed)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    import learnstream

    table = Table(title=f"learnstream {learnstream.__version__} doctor", title_justify="left")
    table.add_column("check")
    table.add_column("status", no_wrap=True)
    table.add_column("details", overflow="fold")
    for finding in findings:
        label, colour = _STYLE[finding.status]
        # escape: install hints such as `pip install "learnstream[ml]"` are not markup
        table.add_row(finding.name, f"[{colour}]{label}[/]", escape(finding.detail))
    out = console if isinstance(console, Console) else Console()
    out.print(table)
    failed = [f.name for f in findings if f.status == "fail"]
    if failed:
        out.print(f"[red]Not ready:[/] fix {', '.join(failed)} (see the details above).")
        return 1
    out.print("[green]Ready for the course.[/]")
    return 0
