"""Grade a part: run each exercise's checks on the learner's file, in its own sandbox.

>>> from learnstream.grading.workspace import init
>>> import tempfile
>>> folder = init(tempfile.mkdtemp())[0].parent.parent
>>> result = grade("part1", "map", path=folder, seed=1)
>>> result.score, result.exercises[0].not_implemented
(0, True)
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import random
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from learnstream.grading.failures import KIND_HINTS, CheckFailed, FailureKind, failed_check
from learnstream.grading.kit.session import Session
from learnstream.grading.registry import Check, Exercise, Part, get_part
from learnstream.grading.results import CheckResult, ExerciseResult, PartResult
from learnstream.grading.runner import LearnerError, Runner, SandboxDied
from learnstream.grading.sandbox import Limits, Sandbox
from learnstream.grading.workspace import MARKER, Progress, find_workspace

#: Makes the runner of one learner's file: `make(file, limits, seed)`.
MakeRunner = Callable[[Path, Limits, int], Runner]


def child_process(file: Path, limits: Limits, seed: int) -> Runner:
    """The default runner: the learner's file in a child process (`sandbox.Sandbox`)."""
    return Sandbox(file, limits, hash_seed=seed)


def fresh_seed() -> int:
    """A seed drawn for one grading, printed for replay (no two submissions share inputs)."""
    return random.SystemRandom().randrange(2**32)


class PartComing(LookupError):
    """The part exists in the course outline but has no exercises yet."""


def hint_for(check: Check, failure: CheckFailed) -> str | None:
    """The hint a failure gets, chosen by what went wrong (its kind), not by the check.

    The check's own hint when it is about this kind of failure, else the hint
    of the kind (an exception, a hang, reading ahead...), else None: the
    exercise's hint ladder gives the next rung.

    >>> from learnstream.grading.registry import get_part
    >>> matches = get_part("part1").exercise("map").checks[1]
    >>> hint_for(matches, CheckFailed("x", kind=FailureKind.WRONG_TYPE)) == matches.hint
    True
    >>> hint_for(matches, CheckFailed("x", kind=FailureKind.EXCEPTION)).startswith("Your code raised")
    True
    """
    if check.hint is not None and failure.kind in check.hint_for:
        return check.hint
    return KIND_HINTS.get(failure.kind)


def run_check(check: Check, session: Session) -> CheckResult:
    """Run one check; whatever the learner's code does, return how it went."""
    try:
        check.run(session)
    except CheckFailed as failure:
        return CheckResult.failed(check, failure, hint=hint_for(check, failure))
    except (LearnerError, SandboxDied) as err:
        if err.kind is FailureKind.NOT_IMPLEMENTED:  # the stub: nothing more to show
            stub = CheckFailed(err.reason, kind=err.kind)
            return CheckResult.failed(check, stub, status="not_implemented")
        failure = failed_check(err)
        return CheckResult.failed(check, failure, hint=hint_for(check, failure))
    except Exception as bug:  # the grader's own bug: say so rather than blame the learner
        message = (
            f"the grader itself failed ({type(bug).__name__}: {bug}); "
            "this is a bug in learnstream, please report it"
        )
        return CheckResult.failed(
            check, CheckFailed(message, kind=FailureKind.GRADER_BUG), status="error"
        )
    return CheckResult(check.name, check.title, check.points, passed=True)


def grade_exercise(
    exercise: Exercise,
    file: Path,
    seed: int,
    *,
    limits: Limits | None = None,
    max_examples: int = 100,
    make_runner: MakeRunner = child_process,
) -> ExerciseResult:
    """Run every check of `exercise` on `file` in one runner (a child process by default)."""
    shown = file.name if file.parent.name == "" else f"{file.parent.name}/{file.name}"
    result = ExerciseResult(exercise.name, exercise.title, shown, [])
    if not file.is_file():
        result.problem = (
            f"{shown} does not exist; get a fresh copy with "
            f"`learnstream reset {file.parent.name} {exercise.name}`"
        )
        missing = CheckFailed(result.problem, kind=FailureKind.MISSING)
        result.checks = [CheckResult.failed(c, missing) for c in exercise.checks]
        return result
    runner = make_runner(file, limits or exercise.limits, seed)
    try:
        runner.begin()
        session = Session(runner, seed, max_examples)
        result.checks = [run_check(check, session) for check in exercise.checks]
        result.output = runner.output()
    finally:
        runner.close()
    if runner.load_failure is not None:
        failed = result.checks[0]
        result.problem = failed.message + (f"\n{failed.details}" if failed.details else "")
    return result


def _part(part: str | Part) -> Part:
    found = part if isinstance(part, Part) else get_part(part)
    if found.coming:
        raise PartComing(f"{found.name} ({found.title}) is coming soon: it has no exercises yet")
    return found


def _hints(result: PartResult, part: Part, progress: Progress) -> None:
    """Give each first failing check without a hint of its own the hint of a later failed
    check of the exercise that is about the same kind of failure, else the next hint of the
    ladder: the one advice the report shows is aimed at the mistake when a check has it."""
    for ex in result.exercises:
        failure = ex.first_failure
        if failure is None or failure.hint is not None or failure.status != "failed":
            continue
        exercise = part.exercise(ex.name)
        failed = {check.name: check.kind for check in ex.checks if not check.passed}
        failure.hint = (
            next(
                (
                    check.hint
                    for check in exercise.checks
                    if failed.get(check.name, None) is failure.kind
                    and failure.kind in check.hint_for
                    and check.hint is not None
                ),
                None,
            )
            or progress.next_hint(part, exercise, advance=False)[1]
        )


def grade(
    part: str | Part,
    exercise: str | None = None,
    path: str | Path | None = None,
    seed: int | None = None,
    *,
    limits: Limits | None = None,
    max_examples: int = 100,
    make_runner: MakeRunner = child_process,
) -> PartResult:
    """Grade `exercise` (default: all) of `part` in the workspace at `path`.

    `path` defaults as for the CLI (`./exercises`, else the workspace made by
    `learnstream init`). The same `seed` replays the same inputs. Scores are
    remembered (for `learnstream list` and `solution`) in the workspace's
    `.learnstream/` folder when it has one, or when `path` was not given.
    """
    found = _part(part)
    workspace = find_workspace(path)
    seed = fresh_seed() if seed is None else seed
    selected: Iterable[Exercise] = (
        [found.exercise(exercise)] if exercise is not None else found.exercises()
    )

    def one(ex: Exercise) -> ExerciseResult:
        file = workspace / found.name / ex.file
        return grade_exercise(
            ex, file, seed, limits=limits, max_examples=max_examples, make_runner=make_runner
        )

    # Each exercise has its own child process: while one waits on its child, another's
    # checks run. Only with the default runner: a runner of another user's processes may
    # stop all of them when one exercise ends (Gradescope's learner user).
    workers = min(2, os.cpu_count() or 1) if make_runner is child_process else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        graded = list(pool.map(one, selected))
    result = PartResult(
        found.name,
        found.title,
        graded,
        seed=seed,
        path=str(path) if path is not None else "",
    )
    progress = Progress.load(workspace)
    _hints(result, found, progress)
    if path is None or (workspace / MARKER).is_dir():
        for ex in result.exercises:
            progress.record(found.name, ex.name, ex.score, ex.max_score, ex.passed)
        progress.save()
    return result


def grade_learner(
    part: str | Part,
    folder: str | Path,
    seed: int,
    *,
    limits: Limits | None = None,
    max_examples: int = 100,
) -> PartResult:
    """Grade one learner's workspace `folder` for class grading (nothing is remembered in it)."""
    found = _part(part)
    folder = Path(folder)
    exercises = [
        grade_exercise(
            ex, folder / found.name / ex.file, seed, limits=limits, max_examples=max_examples
        )
        for ex in found.exercises()
    ]
    return PartResult(
        found.name, found.title, exercises, seed=seed, path=str(folder), learner=folder.name
    )


def _not_graded(part: Part, folder: Path, seed: int, reason: str, kind: FailureKind) -> PartResult:
    """A learner who could not be graded: every check fails with `reason`, scored 0."""
    failure = CheckFailed(reason, kind=kind)
    exercises = [
        ExerciseResult(
            ex.name,
            ex.title,
            f"{part.name}/{ex.file}",
            [CheckResult.failed(c, failure, status="error") for c in ex.checks],
        )
        for ex in part.exercises()
    ]
    return PartResult(
        part.name, part.title, exercises, seed=seed, path=str(folder), learner=folder.name
    )


def could_not_grade(results: Iterable[PartResult]) -> list[str]:
    """The learners some of whose checks could not be run (a killed worker, a grader bug)."""
    return [
        result.learner or result.path
        for result in results
        if any(check.status == "error" for ex in result.exercises for check in ex.checks)
    ]


def default_jobs() -> int:
    """How many learners class grading grades at once by default: the cores it may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS and Windows have no affinity mask
        return max(1, os.cpu_count() or 1)


def grade_class(
    part: str | Part,
    class_dir: str | Path,
    seed: int | None = None,
    *,
    jobs: int = 1,
    limits: Limits | None = None,
    max_examples: int = 100,
    on_graded: Callable[[PartResult], None] | None = None,
) -> list[PartResult]:
    """Grade every learner's workspace: each sub-folder of `class_dir` is one learner.

    Everyone is graded on the same inputs (one seed), so scores are comparable.
    Learners are graded in worker processes, `jobs` at once; each learner's
    code still runs in its own child processes. A learner whose code kills its
    worker (or crashes it) gets 0 with that reason; a new worker grades the
    others. `on_graded` is called with each result as it comes (in the order
    they finish); the list returned is in folder order.
    """
    found = _part(part)
    seed = fresh_seed() if seed is None else seed
    folders = sorted(p for p in Path(class_dir).iterdir() if p.is_dir())
    report = on_graded or (lambda result: None)
    options = {"limits": limits, "max_examples": max_examples}
    by_folder: dict[Path, PartResult] = {}
    waiting = list(reversed(folders))
    workers: list[_Worker] = []
    while waiting or any(worker.folder is not None for worker in workers):
        workers = [worker for worker in workers if worker.alive]
        while waiting and sum(worker.folder is not None for worker in workers) < max(1, jobs):
            idle = next((worker for worker in workers if worker.folder is None), None)
            if idle is None:
                idle = _Worker(found.name, seed, options)
                workers.append(idle)
            idle.grade(waiting.pop())
        busy = [worker for worker in workers if worker.folder is not None]
        multiprocessing.connection.wait([w.connection for w in busy] + [w.sentinel for w in busy])
        for worker in busy:
            folder, result = worker.collect(found)
            if result is not None:
                by_folder[folder] = result
                report(result)
    for worker in workers:
        worker.stop()
    return [by_folder[folder] for folder in folders]


def _work(connection: Any, part: str, seed: int, options: dict[str, Any]) -> None:
    """A class-grading worker: grade the learner folders it is sent, one at a time."""
    while (folder := connection.recv()) is not None:
        try:
            connection.send(grade_learner(part, folder, seed, **options))
        except Exception as err:  # a learnstream bug: say so for this learner, go on
            message = (
                f"the grader itself failed on this learner ({type(err).__name__}: {err}); "
                "this is a bug in learnstream, please report it"
            )
            connection.send(message)


class _Worker:
    """A process that grades learners for `grade_class`, replaced when it dies."""

    def __init__(self, part: str, seed: int, options: dict[str, Any]) -> None:
        # spawn, not fork: the workers start clean whatever threads the caller runs (rich's
        # progress bar has one), and a worker's state is its own.
        context = multiprocessing.get_context("spawn")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_work, args=(theirs, part, seed, options))
        self.process.daemon = True
        self.process.start()
        theirs.close()
        self.sentinel = self.process.sentinel
        self.folder: Path | None = None
        self.seed = seed
        self.alive = True

    def grade(self, folder: Path) -> None:
        self.folder = folder
        self.connection.send(folder)

    def collect(self, part: Part) -> tuple[Path, PartResult | None]:
        """The learner's result if it is in (or the reason it never will be), else None."""
        folder = self.folder
        assert folder is not None
        try:
            if not self.connection.poll():
                if self.process.is_alive():
                    return folder, None
                raise EOFError
            answer = self.connection.recv()
        except (EOFError, OSError):
            self.alive = False
            self.process.join(5)
            code = self.process.exitcode
            how = f"killed by signal {-code}" if code is not None and code < 0 else "ended"
            reason = (
                f"the process grading this learner was {how} while their code ran (their "
                "code may have killed it); this learner scores 0 — grade them alone to see more"
            )
            self.folder = None
            return folder, _not_graded(part, folder, self.seed, reason, FailureKind.KILLED)
        self.folder = None
        if isinstance(answer, str):
            return folder, _not_graded(part, folder, self.seed, answer, FailureKind.GRADER_BUG)
        return folder, answer

    def stop(self) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self.connection.send(None)
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
