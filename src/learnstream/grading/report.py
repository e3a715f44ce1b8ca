"""Every grading view for people: the report, class scores, progress and hints.

The views draw the results model (`learnstream.grading.results`) and the
course outline (`registry`); the CLI only calls them. The grade report: passing
exercises take one line; a stub says "not implemented yet"; a file
that cannot be imported says why, once. For a failing exercise, every check is
listed with its points, every failing one with its own reason under it, and
the first failing one shows the (smallest) failing input, expected vs actual, a
hint and the command that replays it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from learnstream.grading.class_summary import ClassSummary
from learnstream.grading.registry import Exercise, Part
from learnstream.grading.results import ExerciseResult, PartResult

_OUTPUT_LINES = 12


def _indent(text: str, prefix: str = "      ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def _exercise(console: Console, result: PartResult, ex: ExerciseResult) -> None:
    points = f"{ex.score}/{ex.max_score}"
    if ex.passed:
        console.print(f"[green]✓[/] [bold]{ex.name:<10}[/] {points:>6}   {escape(ex.title)}")
        return
    console.print(f"[red]✗[/] [bold]{ex.name:<10}[/] {points:>6}   {escape(ex.file)}")
    if ex.not_implemented:
        console.print(
            f"    not implemented yet — open {escape(ex.file)} and replace the TODOs "
            f"(learnstream hint {result.part} {ex.name} helps)"
        )
        return
    if ex.problem is not None:
        console.print(Text(_indent(ex.problem, "    "), style="red"))
    else:
        failure = ex.first_failure
        for check in ex.checks:
            mark = "[green]✓[/]" if check.passed else "[red]✗[/]"
            console.print(f"    {mark} {escape(check.title):<58} {check.score}/{check.points}")
            if not check.passed and check is not failure:  # its own reason, in one line
                reason = (check.message.splitlines() or [""])[0]
                console.print(Text.assemble("        ↳ ", (reason, "dim")))
        if failure is not None:
            first, *more = failure.message.splitlines() or [""]
            console.print(f"    [bold]{escape(failure.title)}[/]: {escape(first)}")
            if more:  # e.g. a step error's `item:` and `what to do:` lines, kept indented
                console.print(Text(_indent("\n".join(more))))
            for label, text in failure.evidence(replay=result.replay_command(ex.name)):
                if not label:
                    console.print(Text(_indent(text)))
                else:
                    style = "yellow" if label == "hint" else ""
                    console.print(Text.assemble("      ", (f"{label}:", style), f" {text}"))
    if ex.output.strip():
        lines = ex.output.rstrip().splitlines()
        # how much was printed in all (and whether the output limit was hit) stays in view
        total = lines.pop() if lines[-1].startswith("... (your code printed") else ""
        more = (
            f"  ... {len(lines) - _OUTPUT_LINES} more lines" if len(lines) > _OUTPUT_LINES else ""
        )
        shown = "\n".join(lines[:_OUTPUT_LINES]) + more + (f"\n{total}" if total else "")
        console.print("    your code printed:")
        console.print(Text(_indent(shown)), style="dim")


def render(result: PartResult, console: Console) -> None:
    """Print the report of `result` on `console`."""
    header = f"learnstream grade {result.part} — {result.title}"
    if result.learner:
        header += f" — {result.learner}"
    console.print(f"[bold]{escape(header)}[/]   (seed {result.seed})")
    for ex in result.exercises:
        _exercise(console, result, ex)
    passed = sum(ex.passed for ex in result.exercises)
    style = "green" if result.passed else "red"
    console.print(
        f"[{style}]score {result.score}/{result.max_score}[/] — {passed} of "
        f"{len(result.exercises)} exercises passed"
    )


def render_text(result: PartResult, width: int = 100) -> str:
    """The report as plain text (no colours), e.g. for a notebook or a log.

    >>> from learnstream.grading.results import CheckResult, ExerciseResult, PartResult
    >>> ok = ExerciseResult("map", "Double every item", "part1/ex2_map.py",
    ...                     [CheckResult("example", "doubles [1, 2, 3]", 2, passed=True)])
    >>> print(render_text(PartResult("part1", "Foundations", [ok], seed=3)))
    learnstream grade part1 — Foundations   (seed 3)
    ✓ map           2/2   Double every item
    score 2/2 — 1 of 1 exercises passed
    """
    out = io.StringIO()
    render(
        result,
        Console(
            file=out, width=width, color_system=None, highlight=False, emoji=False, soft_wrap=True
        ),
    )
    return out.getvalue().rstrip("\n")


def render_class(results: Sequence[PartResult], summary: ClassSummary, console: Console) -> None:
    """One line per learner (their score, which exercises passed), then what the class missed.

    The summary ends with the three checks the most learners failed, and the
    share of the learners who started that exercise who failed each.
    """
    for result in results:
        marks = " ".join(("✓" if ex.passed else "✗") + ex.name for ex in result.exercises)
        console.print(
            f"{escape(result.learner):<24} {result.score:>4}/{result.max_score:<4} {escape(marks)}"
        )
    everything = sum(result.passed for result in results)
    line = f"{len(results)} learners (seed {summary.seed}), {everything} passed everything"
    if summary.not_started:
        line += f"; not started: {', '.join(summary.not_started)}"
    console.print(escape(line))
    worst = summary.most_failed(3)
    if worst:
        console.print("most failed checks (of the learners who started the exercise):")
    for check in worst:
        console.print(
            f"  {escape(check.exercise)} · {escape(check.title):<52} "
            f"{len(check.failed)} of {check.started} ({check.share:.0%})"
        )


def class_progress(console: Console) -> Progress:
    """The progress bar of class grading (drawn only when `console` is a terminal)."""
    return Progress(
        TextColumn("grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("learners"),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def render_progress(
    parts: Sequence[Part], scores: dict[str, dict[str, dict]], console: Console
) -> None:
    """`learnstream list`: each part with a bar of passed exercises, and each exercise's score.

    `scores` is what the workspace remembers (`Progress.scores`).
    """
    width = 20
    for part in parts:
        if part.coming:
            console.print(f"{part.name}  {escape(part.title):<40} [dim]coming[/]")
            continue
        exercises = part.exercises()
        done_by = scores.get(part.name, {})
        done = sum(bool(done_by.get(ex.name, {}).get("passed")) for ex in exercises)
        filled = round(width * done / len(exercises))
        bar = "█" * filled + "░" * (width - filled)
        console.print(
            f"{part.name}  {escape(part.title):<40} {bar} {done}/{len(exercises)} exercises"
        )
        for ex in exercises:
            score = done_by.get(ex.name)
            mark = "[dim]·[/]"
            if score:
                mark = "[green]✓[/]" if score.get("passed") else "[red]✗[/]"
            points = f"{score['score']}/{score['max_score']}" if score else "not graded yet"
            console.print(f"    {mark} {ex.name:<10} {escape(ex.title):<40} {points}")


def hint_text(part: Part, exercise: Exercise, number: int, hint: str, passed: bool = False) -> str:
    """`learnstream hint`: the rung `number` of the exercise's ladder, and what comes after.

    `passed` says whether the exercise has ever passed (its solution is open then).

    >>> from learnstream.grading.registry import get_part
    >>> part = get_part("part1")
    >>> print(hint_text(part, part.exercise("map"), 3, "Yield it."))
    hint 3 of 3 for part1 map: Yield it.
    That was the last hint. Once it passes, `learnstream solution part1 map` shows the reference solution.
    >>> print(hint_text(part, part.exercise("map"), 3, "Yield it.", passed=True))
    hint 3 of 3 for part1 map: Yield it.
    That was the last hint. It has passed, so `learnstream solution part1 map` shows the reference solution.
    """
    lines = [f"hint {number} of {len(exercise.hints)} for {part.name} {exercise.name}: {hint}"]
    if number == len(exercise.hints):
        when = "It has passed, so" if passed else "Once it passes,"
        lines.append(
            f"That was the last hint. {when} "
            f"`learnstream solution {part.name} {exercise.name}` shows the reference solution."
        )
    return "\n".join(lines)


def render_watching(console: Console) -> None:
    """`learnstream watch`: the line under each report."""
    console.print("[dim]watching for changes; Ctrl-C stops[/]")
