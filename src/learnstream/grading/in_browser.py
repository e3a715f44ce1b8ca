"""Grade an exercise in the page: the checks of `learnstream grade`, with no child process.

The docs site's exercise pages run this in a Web Worker with Pyodide
(`course/assets/javascripts/course-worker.js`): the worker is the sandbox, and
the page is its clock. The learner's file is imported into the worker's
interpreter (`InPageRunner`, a `runner.LocalRunner`) and the same checks run on
it through the same `Session` and probes, so the verdicts, messages, hints and
failure pictures are the CLI's.

What a child process gives the CLI, the page gives this way:

- a call that never returns: the runner tells the page, through `notify`, before
  and after each call into the learner's code (`Watched`). When one runs past the
  exercise's time limit, the page terminates the worker and grades again in a
  new one, telling it which calls hung (`hung`): the seed replays the same calls
  in the same order, and those calls now end as the CLI's do, with
  `SandboxDied(TIMEOUT, ...)` and its words, and a fresh import of the file.
- what the learner's code prints is captured while it runs, as the child's
  output is: the start kept, all of it counted, and never a failure.

The learner's code shares the worker with the grader, so it could reach into the
grader's objects: in the page that only fools the learner themselves, and
`learnstream grade` (or Gradescope) keeps the real grade.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from learnstream.grading.failures import FailureKind
from learnstream.grading.grader import _hints, grade_exercise
from learnstream.grading.processes import SHOWN_OUTPUT_CHARS, size_in_words
from learnstream.grading.registry import get_part
from learnstream.grading.report import render, render_text
from learnstream.grading.results import PartResult
from learnstream.grading.runner import (
    Handle,
    LearnerError,
    LocalRunner,
    Pulled,
    SandboxDied,
    Skipped,
    Unwatched,
)
from learnstream.grading.sandbox import Limits
from learnstream.grading.workspace import Progress

__all__ = ["InPageRunner", "Watched", "grade", "grade_json", "timeout_reason"]


def timeout_reason(what: str, limits: Limits) -> str:
    """The words of a call that did not return in time: the CLI's (`Sandbox._hung`)."""
    return (
        f"{what} did not finish within {limits.timeout:g} s; is there an endless loop, "
        "or a list() / sum() / sorted() of an endless stream?"
    )


class _Printed(io.StringIO):
    """What the learner's code prints: the start kept, all of it counted (printing never fails,
    as in the CLI)."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text.encode("utf-8", "replace"))
        if self.tell() < SHOWN_OUTPUT_CHARS * 4:
            super().write(text[: SHOWN_OUTPUT_CHARS * 4])
        return len(text)


class InPageRunner(LocalRunner):
    """The learner's file imported into this interpreter: a `Runner` with no child process.

    It answers as `Sandbox` does: plain data passed through the same encoding, the
    learner's exceptions as `LearnerError` with the child's words, what it prints
    kept and counted, an import that failed raised again on every call, and after a
    `SandboxDied` a fresh import.
    """

    def __init__(self, path: Path, limits: Limits) -> None:
        super().__init__(None, path.resolve().parent)
        self.path = path.resolve()
        self.limits = limits
        self._printed = _Printed()

    def _capture(self) -> contextlib.ExitStack:
        stack = contextlib.ExitStack()
        stack.enter_context(contextlib.redirect_stdout(self._printed))
        stack.enter_context(contextlib.redirect_stderr(self._printed))
        return stack

    @property
    def loaded(self) -> bool:
        return self.module is not None

    def load(self) -> None:
        """Import the learner's file (a failure is kept, and raised by every later call)."""
        from learnstream.sandbox_child import error_of, load

        try:
            with self._capture():
                self.module = load(self.path)
        except BaseException as exc:  # the learner's file may raise anything
            self.load_failure = LearnerError(
                error_of(exc, self.path.parent), f"importing {self.path.name}"
            )
            raise self.load_failure from None

    def restart(self) -> None:
        """Forget the imported module and what it returned, as a child that died is forgotten."""
        self.module = None
        self._kept.clear()

    def _call(
        self,
        what: str,
        fn: str,
        args: Sequence[Any],
        kwargs: Mapping[str, Any] | None,
        seed_random: int | None,
    ) -> Any:
        if self.load_failure is None and self.module is None:
            self.load()
        with self._capture():
            return super()._call(what, fn, args, kwargs, seed_random)

    def pull(self, what: str, handle: Handle, n: int) -> Pulled:
        with self._capture():
            return super().pull(what, handle, n)

    def skip(self, what: str, handle: Handle, n: int) -> Skipped:
        with self._capture():
            return super().skip(what, handle, n)

    def run_flow(self, what: str, handle: Handle, *, frozen: bool, tick: float = 0.0) -> None:
        with self._capture():
            super().run_flow(what, handle, frozen=frozen, tick=tick)

    def output(self) -> str:
        """What the learner's code printed so far (the start of it, and how much in all)."""
        text = self._printed.getvalue()
        if len(text) > SHOWN_OUTPUT_CHARS or self._printed.size > len(text.encode()):
            text = (
                text[:SHOWN_OUTPUT_CHARS]
                + f"\n... (your code printed {size_in_words(self._printed.size)} in all)"
            )
        return text

    def close(self) -> None:
        super().close()
        self.module = None


class Watched:
    """A runner whose calls into the learner's code are numbered and told to the page.

    The import of the file counts as a call, as each call of the `Runner`
    interface does. `notify("call", number, seconds)` comes before call `number`
    (the page starts its clock: `seconds` is the limit) and `notify("returned",
    number, 0)` after it. A call whose number is in `hung` is not made: it raises
    the CLI's `SandboxDied(TIMEOUT, ...)` (for the import, kept as the load
    failure, as the CLI keeps it), and the next call imports the file afresh.
    """

    def __init__(
        self,
        runner: InPageRunner,
        hung: Iterable[int] = (),
        notify: Callable[[str, int, float], None] | None = None,
    ) -> None:
        self.runner = runner
        self.hung = set(hung)
        self.notify = notify or (lambda event, number, seconds: None)
        self.calls = 0

    @property
    def load_failure(self) -> LearnerError | SandboxDied | None:
        return self.runner.load_failure

    def begin(self) -> None:
        """Nothing to start ahead: the import is a numbered call of its own."""

    def _watch(self, what: str, call: Callable[[], Any]) -> Any:
        runner = self.runner
        if runner.load_failure is None and not runner.loaded:
            self._numbered(f"importing {runner.path.name}", runner.load, importing=True)
        return self._numbered(what, call)

    def _numbered(self, what: str, call: Callable[[], Any], importing: bool = False) -> Any:
        self.calls += 1
        number = self.calls
        if number in self.hung:
            self.runner.restart()
            died = SandboxDied(FailureKind.TIMEOUT, timeout_reason(what, self.runner.limits))
            if importing:
                self.runner.load_failure = died
            raise died
        self.notify("call", number, self.runner.limits.timeout)
        try:
            return call()
        finally:
            self.notify("returned", number, 0.0)

    def call(self, what: str, fn: str, args: Sequence[Any] = (), kwargs: Any = None, *,
             seed_random: int | None = None) -> Any:  # fmt: skip
        return self._watch(
            what, lambda: self.runner.call(what, fn, args, kwargs, seed_random=seed_random)
        )

    def start(self, what: str, fn: str, args: Sequence[Any] = (), kwargs: Any = None, *,
              seed_random: int | None = None) -> Handle:  # fmt: skip
        handle: Handle = self._watch(
            what, lambda: self.runner.start(what, fn, args, kwargs, seed_random=seed_random)
        )
        return handle

    def pull(self, what: str, handle: Handle, n: int) -> Pulled:
        pulled: Pulled = self._watch(what, lambda: self.runner.pull(what, handle, n))
        return pulled

    def skip(self, what: str, handle: Handle, n: int) -> Skipped:
        skipped: Skipped = self._watch(what, lambda: self.runner.skip(what, handle, n))
        return skipped

    def each(self, what: str, handle: Handle, method: str, values: Unwatched,
             attrs: tuple[str, ...] = ()) -> Handle:  # fmt: skip
        kept: Handle = self._watch(
            what, lambda: self.runner.each(what, handle, method, values, attrs)
        )
        return kept

    def run_flow(self, what: str, handle: Handle, *, frozen: bool, tick: float = 0.0) -> None:
        self._watch(what, lambda: self.runner.run_flow(what, handle, frozen=frozen, tick=tick))

    def memory(self) -> int | None:
        return self.runner.memory()

    def cpu_time(self) -> float | None:
        return self.runner.cpu_time()

    def output(self) -> str:
        return self.runner.output()

    def close(self) -> None:
        self.runner.close()


def grade(
    part: str,
    exercise: str,
    source: str,
    seed: int,
    *,
    hung: Iterable[int] = (),
    notify: Callable[[str, int, float], None] | None = None,
    folder: Path | None = None,
) -> PartResult:
    """Grade `source` as `exercise` of `part`: the checks, verdicts and hints of the CLI."""
    found = get_part(part)
    chosen = found.exercise(exercise)
    workspace = folder or Path(tempfile.mkdtemp(prefix="learnstream-page-"))
    file = workspace / found.name / chosen.file
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(source, encoding="utf-8")
    result = grade_exercise(
        chosen,
        file,
        seed,
        make_runner=lambda path, limits, _: Watched(InPageRunner(path, limits), hung, notify),
    )
    graded = PartResult(found.name, found.title, [result], seed=seed)
    _hints(graded, found, Progress.load(workspace))
    return graded


def grade_json(
    part: str,
    exercise: str,
    source: str,
    seed: int,
    hung: Iterable[int] = (),
    notify: Callable[[str, int, float], None] | None = None,
) -> str:
    """`grade`, as the page wants it: `--json`'s object, the report as text and as HTML."""
    from rich.console import Console

    result = grade(part, exercise, source, seed, hung=list(hung), notify=notify)
    console = Console(record=True, width=100, file=io.StringIO(), force_terminal=True)
    render(result, console)
    report_html = console.export_html(inline_styles=True, code_format="<pre>{code}</pre>")
    return json.dumps({"json": result.to_json(), "text": render_text(result), "html": report_html})
