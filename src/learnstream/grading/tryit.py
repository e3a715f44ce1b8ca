"""An exercise's "Try it": the session its docstring shows, with what its solution answers.

The docstring of a lab's `solution.py` (the stub has the same one) ends with a
short Python session, written as the interpreter shows it (``>>> `` prompts,
``... `` continuations, then what it printed), to run from the folder of the
exercise's file. The printed part is never written by hand: `run_session` runs
the session against the reference solution, and `refresh` writes what it printed
back into `solution.py`; a test fails when they disagree, so the docstring can
never promise numbers the solution does not give.

    python -m learnstream.grading.tryit            # check every exercise of the course
    python -m learnstream.grading.tryit --write    # write what the solutions print
    python -m learnstream.grading.tryit --write --labs DIR   # an instructor's own labs

>>> session = parse_session('''Try it:
...
...     >>> 1 + 1
...     3
... ''')
>>> [(step.source, step.want) for step in session]
[('1 + 1\\n', '3\\n')]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import doctest
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from learnstream.grading.registry import LABS, SOLUTION_FILE, Exercise, read_labs
from learnstream.grading.workspace import solution_text

__all__ = ["Step", "TryItError", "parse_session", "refresh", "run_session"]


class TryItError(ValueError):
    """A session that cannot be run or written back; the message says why."""


@dataclass(frozen=True)
class Step:
    """One prompt of the session: its `source`, what the docstring shows (`want`), and
    where the shown lines are (`line`, 0-based in the docstring; `indent`)."""

    source: str
    want: str
    line: int
    indent: int


def parse_session(docstring: str) -> list[Step]:
    """The prompts of a docstring, in order."""
    examples = doctest.DocTestParser().get_examples(docstring)
    return [
        Step(e.source, e.want, e.lineno + len(e.source.splitlines()), e.indent) for e in examples
    ]


def _docstring(source: str) -> str:
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree, clean=False)
    if docstring is None or not source.startswith('"""'):
        raise TryItError('the file must start with its docstring, """...')
    return docstring


@contextlib.contextmanager
def _importable(exercise: Exercise) -> Iterator[None]:
    """The reference solution importable under its file's name, from a folder of its own
    that is also the working directory, as in a learner's workspace."""
    module = exercise.file.removesuffix(".py")
    with tempfile.TemporaryDirectory(prefix="learnstream-try-it-") as folder:
        (Path(folder) / exercise.file).write_text(solution_text(exercise), encoding="utf-8")
        here = Path.cwd()
        sys.path.insert(0, folder)
        os.chdir(folder)
        try:
            yield
        finally:
            os.chdir(here)
            sys.path.remove(folder)
            sys.modules.pop(module, None)


def run_session(exercise: Exercise) -> list[tuple[Step, str]]:
    """Each step of the exercise's session with what the solution printed for it."""
    steps = parse_session(_docstring((exercise.folder / SOLUTION_FILE).read_text("utf-8")))
    if not steps:
        raise TryItError(f"{exercise.name}: its docstring has no '>>> ' session to try")
    namespace: dict[str, object] = {"__name__": "__main__"}
    printed = []
    with _importable(exercise):
        for step in steps:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(step.source, "<try it>", "single"), namespace)
            printed.append((step, out.getvalue()))
    return printed


def refresh(source: str, printed: list[tuple[Step, str]]) -> str:
    """`source` (a `solution.py`) with each step's shown output replaced by what it printed."""
    lines = source.splitlines(keepends=True)
    # The docstring starts on the file's first line, so its line n is the file's line n.
    for step, got in sorted(printed, key=lambda item: -item[0].line):
        if "\\" in got or '"""' in got:
            raise TryItError(
                f"line {step.line + 1}: the output {got!r} would need escaping in a docstring; "
                "print something plainer"
            )
        shown = len(step.want.splitlines())
        pad = " " * step.indent
        lines[step.line : step.line + shown] = [
            f"{pad}{line}\n" if line else "\n" for line in got.splitlines()
        ]
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Check (or `--write`) the sessions of every exercise of a labs folder."""
    parser = argparse.ArgumentParser(prog="python -m learnstream.grading.tryit")
    parser.add_argument("--write", action="store_true", help="write what the solutions print")
    parser.add_argument("--labs", type=Path, default=LABS, help="the labs folder (the course's)")
    args = parser.parse_args(argv)
    stale = []
    for part in read_labs(args.labs):
        for exercise in part.exercises():
            printed = run_session(exercise)
            if all(step.want == got for step, got in printed):
                continue
            stale.append(f"{part.name}/{exercise.name}")
            if args.write:
                path = exercise.folder / SOLUTION_FILE
                path.write_text(refresh(path.read_text("utf-8"), printed), encoding="utf-8")
    verb = "rewrote" if args.write else "out of date (run with --write)"
    print(f"{verb}: {', '.join(stale)}" if stale else "every Try it is what its solution prints")
    return 1 if stale and not args.write else 0


if __name__ == "__main__":
    sys.exit(main())
