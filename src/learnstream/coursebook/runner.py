"""Run a course page's code and compare what it prints with what the page shows.

Runnable blocks run in order, in one namespace, in a fresh working directory
holding the page's `example_files`. Each block's printed output must equal the
``output`` fence below it (trailing spaces and blank lines aside); a block that
raises shows the exception the way Python does, after an elided traceback.

>>> from learnstream.coursebook.pages import parse_page
>>> page = parse_page('''
... ```python
... total = sum(range(4))
... print(total)
... ```
...
... ```output
... 5
... ```
...
... ```python
... 1 / 0
... ```
...
... ```output
... Traceback (most recent call last):
...   ...
... ZeroDivisionError: division by zero
... ```
... ''')
>>> for problem in run_page(page).problems:
...     print(problem)
<page>:2: the output differs from the page
--- shown on the page
+++ printed
@@ -1 +1 @@
-5
+6
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from learnstream.coursebook.pages import Block, Page, read_page

__all__ = ["PageRun", "Problem", "refresh_diagrams", "run_code", "run_page"]

_COMMAND_TIMEOUT_S = 300


@dataclass(frozen=True)
class Problem:
    """A place where the page and reality disagree."""

    page: str
    line: int
    what: str
    shown: str = ""
    actual: str = ""

    def __str__(self) -> str:
        text = f"{self.page}:{self.line}: {self.what}"
        if self.shown or self.actual:
            diff = difflib.unified_diff(
                self.shown.splitlines(),
                self.actual.splitlines(),
                "shown on the page",
                "printed",
                lineterm="",
            )
            text += "\n" + "\n".join(diff)
        return text


@dataclass
class PageRun:
    """The outcome of running a page: its final namespace and every disagreement."""

    namespace: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    diagrams: list[str] = field(default_factory=list)
    timelines: list[Any] = field(default_factory=list)
    """The page's `<!-- timeline: NAME -->` figures, in order: `learnstream.timeline.Timeline`s."""
    figures: list[Any] = field(default_factory=list)
    """Every figure of the page in order, timelines and `learnstream.charts.Chart`s alike."""


def _normalize(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


def _error_text(exc: BaseException) -> str:
    return "Traceback (most recent call last):\n  ...\n" + "".join(
        traceback.format_exception_only(exc)
    )


@contextlib.contextmanager
def _working_dir(page: Page, root: Path | None) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="learnstream-course-") as tmp:
        workdir = Path(tmp)
        for name in page.example_files:
            if root is None:
                raise ValueError(f"{page.name} needs example files but no project root was given")
            shutil.copy(root / name, workdir / Path(name).name)
        previous = Path.cwd()
        os.chdir(workdir)
        try:
            yield workdir
        finally:
            os.chdir(previous)


def run_code(text: str, namespace: dict[str, Any], where: str, out: TextIO) -> None:
    """Run one block's code in `namespace`, writing what it prints to `out`.

    An exception is written as Python shows it, after an elided traceback, and
    the block ends there: this is how the tests, the notebooks and the page's
    Run button run a block.
    """
    with contextlib.redirect_stdout(out):
        try:
            exec(compile(text, where, "exec"), namespace)
        except Exception as exc:
            out.write(_error_text(exc))


def _run_code(block: Block, namespace: dict[str, Any], page: str) -> str:
    captured = io.StringIO()
    run_code(block.text, namespace, f"{page}:{block.line}", captured)
    return captured.getvalue()


def _console_commands(text: str) -> list[tuple[str, str]]:
    """Pairs of (command, expected output) from a console fence."""
    commands: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
        elif line.strip():
            raise ValueError(f"console output before any `$ ` command: {line!r}")
    return [(cmd, "\n".join(out)) for cmd, out in commands]


def _run_console(block: Block, workdir: Path, page: str) -> list[Problem]:
    env = dict(os.environ)
    # Commands like `python` and `learnstream` must mean this interpreter's.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    problems = []
    for command, shown in _console_commands(block.text):
        done = subprocess.run(
            command,
            shell=True,
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=_COMMAND_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            problems.append(
                Problem(
                    page,
                    block.line,
                    f"`{command}` exited with {done.returncode}: {done.stderr.strip()[-500:]}",
                )
            )
        elif _normalize(done.stdout) != _normalize(shown):
            problems.append(
                Problem(
                    page,
                    block.line,
                    f"`{command}` prints something else",
                    _normalize(shown),
                    _normalize(done.stdout),
                )
            )
    return problems


def run_page(page: Page, root: Path | None = None) -> PageRun:
    """Run every runnable block of `page` and report where the page is wrong."""
    from learnstream.visualize import to_mermaid

    name = page.name
    namespace: dict[str, Any] = {"__name__": "__course__"}
    run = PageRun(namespace)
    with _working_dir(page, root) as workdir:
        blocks = page.blocks
        for index, block in enumerate(blocks):
            if block.kind == "code":
                shown_block = blocks[index + 1] if index + 1 < len(blocks) else None
                shown = shown_block.text if shown_block and shown_block.kind == "output" else ""
                printed = _run_code(block, namespace, name)
                if _normalize(printed) != _normalize(shown):
                    run.problems.append(
                        Problem(
                            name,
                            block.line,
                            "the output differs from the page",
                            _normalize(shown),
                            _normalize(printed),
                        )
                    )
            elif block.kind == "console":
                run.problems += _run_console(block, workdir, name)
            elif block.kind == "norun" and block.lang == "python":
                try:
                    compile(block.text, f"{name}:{block.line}", "exec")
                except SyntaxError as exc:
                    run.problems.append(Problem(name, block.line, f"does not compile: {exc}"))
            elif block.kind == "timeline":
                from learnstream.timeline import Timeline

                drawn = namespace.get(block.arg)
                if not isinstance(drawn, Timeline):
                    run.problems.append(
                        Problem(
                            name,
                            block.line,
                            f"no timeline named {block.arg!r} above the figure (build one with "
                            "learnstream.timeline.build_timeline)",
                        )
                    )
                    continue
                run.timelines.append(drawn)
                run.figures.append(drawn)
            elif block.kind == "figure":
                from learnstream.charts import Chart

                chart = namespace.get(block.arg)
                if not isinstance(chart, Chart):
                    run.problems.append(
                        Problem(
                            name,
                            block.line,
                            f"no chart named {block.arg!r} above the figure (build one with "
                            "learnstream.charts.Chart)",
                        )
                    )
                    continue
                run.figures.append(chart)
            elif block.kind == "diagram":
                flow = namespace.get(block.arg)
                if flow is None:
                    run.problems.append(
                        Problem(
                            name,
                            block.line,
                            f"no flow named {block.arg!r} defined above the diagram",
                        )
                    )
                    run.diagrams.append(block.text)
                    continue
                drawn = to_mermaid(flow) + "\n"
                run.diagrams.append(drawn)
                if _normalize(drawn) != _normalize(block.text):
                    run.problems.append(
                        Problem(
                            name,
                            block.line,
                            "the diagram is not the flow's: run `python -m learnstream.coursebook "
                            "--write-diagrams` to regenerate it",
                            _normalize(block.text),
                            _normalize(drawn),
                        )
                    )
    return run


_DIAGRAM_FENCE = re.compile(
    r"(?P<head><!--\s*diagram:\s*\w+\s*-->\s*\n(?P<ticks>`{3,})mermaid[^\n]*\n)"
    r"(?P<body>.*?)(?P<tail>^(?P=ticks)[ \t]*$)",
    re.DOTALL | re.MULTILINE,
)


def refresh_diagrams(path: Path, root: Path | None = None) -> bool:
    """Rewrite the page's diagram fences from its flows; True if the file changed."""
    source = path.read_text(encoding="utf-8")
    drawn = iter(run_page(read_page(path, root), root).diagrams)
    updated = _DIAGRAM_FENCE.sub(lambda m: m["head"] + next(drawn) + m["tail"], source)
    if updated != source:
        path.write_text(updated, encoding="utf-8")
    return updated != source
