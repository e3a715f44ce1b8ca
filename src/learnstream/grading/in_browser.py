"""Grade an exercise in the page: the checks of `learnstream grade`, with no child process.

The docs site's exercise pages run this in a Web Worker with Pyodide
(`course/assets/javascripts/course-worker.js`): the worker is the sandbox, and
the page is its clock. The learner's file is imported into the worker's
interpreter (`InPageRunner`) and the same checks run on it through the same
`Session`, so the verdicts, messages, hints and failure pictures are the CLI's.

What a child process gives the CLI, the page gives this way:

- a call that never returns: the runner tells the page, through `notify`, before
  and after each call into the learner's code (`Watched`). When one runs past the
  exercise's time limit, the page terminates the worker and grades again in a
  new one, telling it which calls hung (`hung`): the seed replays the same calls
  in the same order, and those calls now end as the CLI's do, with
  `SandboxDied(TIMEOUT, ...)` and its words, and a fresh import of the file.
- what the learner's code prints is captured while it runs, as the child's
  output file is, and refused past the same size.

The learner's code shares the worker with the grader, so it could reach into the
grader's objects: in the page that only fools the learner themselves, and
`learnstream grade` (or Gradescope) keeps the real grade.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from learnstream.grading.child import _error, _load, _probe
from learnstream.grading.codec import decode, encode
from learnstream.grading.failures import FailureKind
from learnstream.grading.grader import _hints, run_check
from learnstream.grading.kit.session import Session
from learnstream.grading.registry import get_part
from learnstream.grading.report import render, render_text
from learnstream.grading.results import ExerciseResult, PartResult
from learnstream.grading.sandbox import _SHOWN_OUTPUT_CHARS, LearnerError, Limits, SandboxDied
from learnstream.grading.workspace import Progress

__all__ = ["InPageRunner", "Watched", "grade", "grade_json", "timeout_reason"]


def timeout_reason(what: str, limits: Limits) -> str:
    """The words of a call that did not return in time: the CLI's (`Sandbox._receive`)."""
    return (
        f"{what} did not finish within {limits.timeout:g} s; is there an endless loop, "
        "or a list() / sum() / sorted() of an endless stream?"
    )


class _CappedOutput(io.StringIO):
    """What the learner's code prints, refused past `limit` bytes as the child's file is."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text.encode("utf-8", "replace"))
        if self.size > self.limit:
            raise OSError(errno.EFBIG, "File too large")
        return super().write(text)


class InPageRunner:
    """The learner's file imported into this interpreter; probes run on it here.

    It answers as `Sandbox` does: plain data passed through the same codec, the
    learner's exceptions as `LearnerError` with the child's words, output past the
    limit refused as the child's is, an import that failed raised again on every
    call, and after a `SandboxDied` a fresh import.
    """

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path.resolve()
        self.limits = limits
        self._module: ModuleType | None = None
        self._printed = _CappedOutput(limits.output_bytes)
        self.load_failure: LearnerError | SandboxDied | None = None

    def _capture(self) -> contextlib.ExitStack:
        stack = contextlib.ExitStack()
        stack.enter_context(contextlib.redirect_stdout(self._printed))
        stack.enter_context(contextlib.redirect_stderr(self._printed))
        return stack

    @property
    def loaded(self) -> bool:
        return self._module is not None

    def load(self) -> None:
        """Import the learner's file (a failure is kept, and raised by every later call)."""
        try:
            with self._capture():
                self._module = _load(self.path)
        except BaseException as exc:  # the learner's file may raise anything
            self.load_failure = LearnerError(
                _error(exc, self.path.parent), f"importing {self.path.name}"
            )
            raise self.load_failure from None

    def restart(self) -> None:
        """Forget the imported module, as a child that died is forgotten."""
        self._module = None

    def probe(self, probe: str, what: str, **args: Any) -> Any:
        """Run `probe` on the learner's module (see `Sandbox.probe`)."""
        if self.load_failure is not None:
            raise self.load_failure
        if self._module is None:
            self.load()
        try:
            with self._capture():
                value = _probe(probe)(self._module, **decode(encode(args)))
                return decode(encode(value))
        except BaseException as exc:  # everything the learner's code can throw
            raise LearnerError(_error(exc, self.path.parent), what) from None

    def output(self) -> str:
        """What the learner's code printed so far (the start of it, if it was long)."""
        text = self._printed.getvalue()
        if len(text) > _SHOWN_OUTPUT_CHARS:
            size = len(text.encode())
            text = text[:_SHOWN_OUTPUT_CHARS] + f"\n... ({size:,} bytes in all)"
        return text

    def close(self) -> None:
        self._module = None


class Watched:
    """A runner whose calls into the learner's code are numbered and told to the page.

    The import of the file counts as a call, as each probe does.
    `notify("call", number, seconds)` comes before call `number` (the page starts
    its clock: `seconds` is the limit) and `notify("returned", number, 0)` after
    it. A call whose number is in `hung` is not made: it raises the CLI's
    `SandboxDied(TIMEOUT, ...)` (for the import, kept as the load failure, as the
    CLI keeps it), and the next call imports the file afresh.
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

    def _watch(self, what: str, call: Callable[[], Any]) -> Any:
        self.calls += 1
        number = self.calls
        if number in self.hung:
            self.runner.restart()
            raise SandboxDied(FailureKind.TIMEOUT, timeout_reason(what, self.runner.limits))
        self.notify("call", number, self.runner.limits.timeout)
        try:
            return call()
        finally:
            self.notify("returned", number, 0.0)

    def probe(self, probe: str, what: str, **args: Any) -> Any:
        runner = self.runner
        if runner.load_failure is None and not runner.loaded:
            try:
                self._watch(f"importing {runner.path.name}", runner.load)
            except SandboxDied as died:
                runner.load_failure = died
                raise
        return self._watch(what, lambda: runner.probe(probe, what, **args))

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
    runner = Watched(InPageRunner(file, chosen.limits), hung, notify)
    result = ExerciseResult(chosen.name, chosen.title, f"{found.name}/{file.name}", [])
    try:
        session = Session(runner, seed)  # type: ignore[arg-type]  # a runner with Sandbox's face
        result.checks = [run_check(check, session) for check in chosen.checks]
        result.output = runner.output()
    finally:
        runner.close()
    if runner.load_failure is not None:
        failed = result.checks[0]
        result.problem = failed.message + (f"\n{failed.details}" if failed.details else "")
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
