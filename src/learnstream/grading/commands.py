"""The grading commands of the `learnstream` CLI: grade, hint, list, init, reset, solution, watch.

Thin click wrappers over `learnstream.grading`; `learnstream.cli` adds them to
its group. Heavy imports (rich, the checks) happen inside the
commands, so `learnstream --help` stays quick.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

_PART_HELP = "The part of the course, e.g. part1."

_PATH_OPTION = click.option(
    "--path",
    "path",
    type=click.Path(file_okay=False),
    default=None,
    help="The folder holding part1/ ... (default: ./exercises, else your workspace).",
)


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _fail(err: Exception) -> click.ClickException:
    return click.ClickException(str(err))


def _add_labs(context: click.Context, parameter: click.Parameter, folders: tuple[str, ...]) -> None:
    """`--labs DIR`: the parts of DIR join the course (for this process and its workers)."""
    from learnstream.grading.registry import ManifestError, add_labs

    for folder in folders:
        try:
            add_labs(folder)
        except ManifestError as err:
            raise click.BadParameter(str(err), context, parameter) from None


_LABS_OPTION = click.option(
    "--labs",
    type=click.Path(exists=True, file_okay=False),
    multiple=True,
    expose_value=False,
    is_eager=True,
    callback=_add_labs,
    help="A folder of exercises of your own (one folder per part); also $LEARNSTREAM_LABS.",
)


def _lookup(part: str, exercise: str | None = None) -> Any:
    """The part and exercise records, or a friendly error."""
    from learnstream.grading.grader import PartComing
    from learnstream.grading.registry import UnknownName, get_part

    try:
        found = get_part(part)
        if found.coming:
            raise PartComing(f"{found.name} ({found.title}) is coming soon: no exercises yet")
        return found, (found.exercise(exercise) if exercise else None)
    except (UnknownName, PartComing) as err:
        raise _fail(err) from None


def _workspace(path: str | None) -> Path:
    from learnstream.grading.workspace import WorkspaceError, find_workspace

    try:
        return find_workspace(path)
    except WorkspaceError as err:
        raise _fail(err) from None


@click.command()
@click.argument("part")
@click.argument("exercise", required=False)
@_PATH_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a report.")
@click.option(
    "--gradescope",
    "gradescope",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write Gradescope's results.json to this file.",
)
@click.option("--seed", type=int, default=None, help="Replay the inputs of an earlier run.")
@click.option(
    "--class-dir",
    "class_dir",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Grade every learner: one workspace per sub-folder.",
)
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="With --class-dir: write one row per learner to this CSV file.",
)
@click.option(
    "--timeout",
    type=float,
    default=None,
    help="Seconds each call into your code may take (default 5).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="With --class-dir: learners graded at once (default: this machine's cores).",
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="With --class-dir: write the class report (one HTML page) to this file.",
)
@click.option(
    "--course-url",
    "course_url",
    default=None,
    help="With --report: where the course site is, for its links (default: mkdocs serve's).",
)
@click.option(
    "--fail-under",
    "fail_under",
    type=float,
    default=None,
    help="With --class-dir: exit 1 when any learner scores fewer points than this.",
)
@_LABS_OPTION
def grade(
    part: str,
    exercise: str | None,
    path: str | None,
    as_json: bool,
    gradescope: str | None,
    seed: int | None,
    class_dir: str | None,
    csv_file: str | None,
    timeout: float | None,
    jobs: int | None,
    report_file: str | None,
    course_url: str | None,
    fail_under: float | None,
) -> None:
    """Grade the exercises of PART (or just EXERCISE); exit 0 only if every check passes."""
    from learnstream.grading.grader import grade as grade_part
    from learnstream.grading.report import render
    from learnstream.grading.sandbox import Limits

    found, _ = _lookup(part, exercise)
    limits = None if timeout is None else Limits(timeout=timeout)
    if class_dir is not None:
        if exercise is not None:
            raise click.UsageError("--class-dir grades whole parts: leave out EXERCISE")
        outputs = {"csv": csv_file, "report": report_file, "course_url": course_url}
        _grade_class(found, class_dir, seed, limits, jobs, as_json, outputs, fail_under)
        return
    for option, given in (
        ("-j", jobs),
        ("--fail-under", fail_under),
        ("--csv", csv_file),
        ("--report", report_file),
    ):
        if given is not None:
            raise click.UsageError(f"{option} goes with --class-dir")
    _workspace(path)
    result = grade_part(found, exercise, path, seed, limits=limits)
    if gradescope:
        Path(gradescope).write_text(json.dumps(result.to_gradescope(), indent=2), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        render(result, _console())
    sys.exit(0 if result.passed else 1)


def _grade_class(
    part: Any,
    class_dir: str,
    seed: int | None,
    limits: Any,
    jobs: int | None,
    as_json: bool,
    outputs: dict[str, str | None],
    fail_under: float | None,
) -> None:
    """`learnstream grade PART --class-dir DIR`: every learner, in parallel, then the summary.

    `outputs` names the files to write: `csv`, `report` (with `course_url`).
    """
    from rich.console import Console

    from learnstream.grading.class_summary import summarize
    from learnstream.grading.grader import could_not_grade, default_jobs, grade_class
    from learnstream.grading.report import class_progress, render_class
    from learnstream.grading.results import class_csv, class_json

    with class_progress(Console(stderr=True)) as progress:
        learners = [p for p in Path(class_dir).iterdir() if p.is_dir()]
        task = progress.add_task("", total=len(learners))

        def graded(result: Any) -> None:
            progress.update(task, advance=1, description=f"{result.learner}: {result.score}")

        results = grade_class(
            part, class_dir, seed, jobs=jobs or default_jobs(), limits=limits, on_graded=graded
        )
    learners_json = class_json(results)
    summary = summarize(learners_json)
    if outputs["csv"]:
        Path(outputs["csv"]).write_text(class_csv(results), encoding="utf-8")
    if outputs["report"]:
        from learnstream.grading.class_report import DEFAULT_COURSE_URL, render_report

        page = render_report(summary, part, outputs["course_url"] or DEFAULT_COURSE_URL)
        Path(outputs["report"]).write_text(page, encoding="utf-8")
    if as_json:
        click.echo(json.dumps(learners_json))
    else:
        render_class(results, summary, _console())
    failed = 0
    broken = could_not_grade(results)
    if broken:
        click.echo(
            f"{len(broken)} learner(s) could not be graded (each scored 0, with the reason in "
            f"the report): {', '.join(broken)}",
            err=True,
        )
        failed = 1
    below = summary.below(fail_under) if fail_under is not None else []
    if below:
        click.echo(
            f"{len(below)} learner(s) scored under {fail_under:g} points: {', '.join(below)}",
            err=True,
        )
        failed = 1
    sys.exit(failed)


@click.command()
@click.argument("part")
@click.argument("exercise")
@_PATH_OPTION
@_LABS_OPTION
def hint(part: str, exercise: str, path: str | None) -> None:
    """Show the next hint for EXERCISE (each call goes one step further)."""
    from learnstream.grading.report import hint_text
    from learnstream.grading.workspace import Progress

    found, ex = _lookup(part, exercise)
    progress = Progress.load(_workspace(path))
    number, text = progress.next_hint(found, ex, advance=True)
    progress.save()
    click.echo(hint_text(found, ex, number, text, progress.passed(found.name, ex.name)))


@click.command(name="list")
@_PATH_OPTION
@_LABS_OPTION
def list_(path: str | None) -> None:
    """Show your progress over every part of the course."""
    from learnstream.grading.registry import parts
    from learnstream.grading.report import render_progress
    from learnstream.grading.workspace import Progress, WorkspaceError, find_workspace

    try:
        progress = Progress.load(find_workspace(path))
    except WorkspaceError:
        progress = Progress(None)
    render_progress(parts(), progress.scores, _console())


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@_LABS_OPTION
def init(folder: str) -> None:
    """Make a workspace in FOLDER with a fresh copy of every exercise."""
    from learnstream.grading.workspace import init as make_workspace

    written = make_workspace(folder)
    for path in written:
        click.echo(f"wrote {path}")
    if not written:
        click.echo(f"{folder} already has every exercise; nothing was overwritten")
    click.echo(f"next: cd {folder} && learnstream grade part1")


@click.command()
@click.argument("part")
@click.argument("exercise")
@_PATH_OPTION
@_LABS_OPTION
def reset(part: str, exercise: str, path: str | None) -> None:
    """Put back a fresh copy of EXERCISE (your version is saved first)."""
    from learnstream.grading.workspace import reset as reset_exercise

    found, ex = _lookup(part, exercise)
    target, backup = reset_exercise(_workspace(path), found, ex)
    click.echo(f"{target} is a fresh stub again")
    if backup is not None:
        click.echo(f"your previous version is saved in {backup}")


@click.command()
@click.argument("part")
@click.argument("exercise")
@_PATH_OPTION
@click.option("--force", is_flag=True, help="Show it even though your exercise has not passed.")
@_LABS_OPTION
def solution(part: str, exercise: str, path: str | None, force: bool) -> None:
    """Show the reference solution of EXERCISE, once your own passes."""
    from learnstream.grading.workspace import (
        Progress,
        WorkspaceError,
        find_workspace,
        solution_text,
    )

    found, ex = _lookup(part, exercise)
    if not force:
        try:
            passed = Progress.load(find_workspace(path)).passed(found.name, ex.name)
        except WorkspaceError:
            passed = False
        if not passed:
            raise click.ClickException(
                f"solve it first: `learnstream grade {found.name} {ex.name}` must pass (in a "
                "workspace made by `learnstream init`, which remembers it); "
                "or add --force to look now"
            )
    click.echo(solution_text(ex), nl=False)


@click.command()
@click.argument("part")
@click.argument("exercise", required=False)
@_PATH_OPTION
@click.option("--seed", type=int, default=None, help="Use the same inputs every round.")
@click.option(
    "--interval",
    type=float,
    default=1.0,
    show_default=True,
    help="Seconds between looks at the files.",
)
@click.option("--max-rounds", type=int, default=None, help="Stop after this many gradings.")
@_LABS_OPTION
def watch(
    part: str,
    exercise: str | None,
    path: str | None,
    seed: int | None,
    interval: float,
    max_rounds: int | None,
) -> None:
    """Grade PART (or EXERCISE) again every time you save; Ctrl-C stops."""
    from learnstream.grading.report import render, render_watching
    from learnstream.grading.watch import watch as watch_files

    found, _ = _lookup(part, exercise)
    console = _console()

    def show(result: Any) -> None:
        render(result, console)
        render_watching(console)

    try:
        watch_files(
            found.name,
            show,
            exercise,
            _workspace(path),
            seed=seed,
            interval=interval,
            max_rounds=max_rounds,
        )
    except KeyboardInterrupt:
        pass


@click.command()
@click.argument("part")
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default="autograder.zip",
    show_default=True,
    help="The zip to upload to Gradescope.",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Grade every submission with this seed (default: a fresh seed per submission, "
    "printed in its results for replay).",
)
@click.option(
    "--visibility",
    type=click.Choice(["visible", "after_due_date", "after_published", "hidden"]),
    default="visible",
    show_default=True,
    help="When learners see the tests' results (Gradescope's visibility).",
)
@_LABS_OPTION
def gradescope(part: str, out: str, seed: int | None, visibility: str) -> None:
    """Build Gradescope's autograder zip for PART (setup.sh, run_autograder, this learnstream)."""
    from learnstream.grading.gradescope import SubmissionError, build_autograder

    found, _ = _lookup(part)
    try:
        names = build_autograder(found.name, Path(out), seed, visibility)
    except SubmissionError as err:
        raise _fail(err) from None
    click.echo(f"wrote {out}: {', '.join(names)}")
    how = f"with seed {seed}" if seed is not None else "with a fresh seed each (printed)"
    click.echo(
        f"every submission is graded on {found.name} {how}; upload it as the "
        "autograder (Ubuntu base image with Python 3.11 or newer)"
    )


COMMANDS = (grade, hint, list_, init, reset, solution, watch, gradescope)
