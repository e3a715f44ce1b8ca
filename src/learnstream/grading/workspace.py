"""The learner's workspace: where the exercises are, fresh copies, and remembered progress.

A workspace is a folder with one sub-folder per part (`part1/ex1_generator.py`,
...). `learnstream init DIR` makes one from the stubs, and marks it with
`.learnstream/progress.json`, where the grader remembers scores and which
hints were shown.

The stubs and the reference solutions are made from each exercise's lab folder
(its `solution.py`, see `learnstream.grading.markers`): `stub_text` and
`solution_text`. `init(DIR)` writes the stubs; `init(DIR, solutions=True)` the
solutions (an instructor's answer key, the tests' workspaces).

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp()) / "course"
>>> [path.name for path in init(folder)][:2]
['ex1_generator.py', 'ex2_map.py']
>>> find_workspace(folder) == folder
True
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnstream.grading.markers import solution_of, stub_of
from learnstream.grading.registry import SOLUTION_FILE, Exercise, Part, parts

MARKER = ".learnstream"
_PROGRESS = "progress.json"


class WorkspaceError(LookupError):
    """No exercises where the grader looked; the message says what to do."""


def _looks_like_workspace(folder: Path) -> bool:
    return any((folder / part.name).is_dir() for part in parts())


def find_workspace(path: str | Path | None = None) -> Path:
    """The folder holding `part1/`, ...: `path` if given, else `./exercises`, else the
    nearest folder (here or above) made by `learnstream init`, else here."""
    if path is not None:
        folder = Path(path).expanduser()
        if folder.name.startswith("part") and not _looks_like_workspace(folder):
            folder = folder.parent  # they pointed at exercises/part1 itself
        if not _looks_like_workspace(folder):
            raise WorkspaceError(
                f"{folder} has no part folders (part1/, ...); point --path at the folder that "
                "holds them, or make one with `learnstream init DIR`"
            )
        return folder
    here = Path.cwd()
    if _looks_like_workspace(here / "exercises"):
        return here / "exercises"
    for folder in (here, *here.parents):
        if (folder / MARKER).is_dir() and _looks_like_workspace(folder):
            return folder
    if _looks_like_workspace(here):
        return here
    raise WorkspaceError(
        f"no exercises found in {here}: make a workspace with `learnstream init my-course`, "
        "then `cd my-course`, or pass --path DIR"
    )


def _source(exercise: Exercise) -> str:
    return (exercise.folder / SOLUTION_FILE).read_text(encoding="utf-8")


def stub_text(exercise: Exercise) -> str:
    """The fresh stub of `exercise`, made from its lab folder."""
    return stub_of(_source(exercise))


def solution_text(exercise: Exercise) -> str:
    """The reference solution of `exercise`, made from its lab folder."""
    return solution_of(_source(exercise))


def init(
    folder: str | Path, *, solutions: bool = False, of: Iterable[Part] | None = None
) -> list[Path]:
    """Make (or complete) a workspace in `folder` for the parts `of` (by default every
    part, an instructor's own labs included); return the stub files written (the
    reference solutions with `solutions=True`).

    Files that already exist are left alone, so running it again after an
    upgrade adds the new parts' exercises without touching your work.
    """
    folder = Path(folder)
    make = solution_text if solutions else stub_text
    written = []
    for part in parts() if of is None else of:
        for exercise in part.exercises():
            target = folder / part.name / exercise.file
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(make(exercise), encoding="utf-8")
            written.append(target)
    (folder / MARKER).mkdir(parents=True, exist_ok=True)
    return written


def reset(workspace: Path, part: Part, exercise: Exercise) -> tuple[Path, Path | None]:
    """Put the fresh stub back; return its path and where the old file was saved (if any)."""
    target = workspace / part.name / exercise.file
    backup = None
    if target.exists():
        folder = workspace / MARKER / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = folder / f"{part.name}-{target.stem}-{stamp}.py"
        shutil.copy2(target, backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(stub_text(exercise), encoding="utf-8")
    return target, backup


def _well_formed(data: Any) -> bool:
    """`progress.json`'s shape: {"scores": {part: {exercise: {field: value}}}, "hints_shown": {key: int}}.

    >>> _well_formed({"scores": {"part1": {"map": {"score": 3}}}, "hints_shown": {"part1/map": 1}})
    True
    >>> _well_formed({"scores": {"part1": "all passed"}}), _well_formed([])
    (False, False)
    """
    if not isinstance(data, dict):
        return False
    scores, hints = data.get("scores", {}), data.get("hints_shown", {})
    return (
        isinstance(scores, dict)
        and all(
            isinstance(exercises, dict) and all(isinstance(v, dict) for v in exercises.values())
            for exercises in scores.values()
        )
        and isinstance(hints, dict)
        and all(type(count) is int for count in hints.values())
    )


@dataclass
class Progress:
    """What the grader remembers about a workspace: last scores and hints shown.

    `scores["part1"]["map"]` is `{"score", "max_score", "passed", "ever_passed"}`
    (the last grading, and whether any grading ever passed);
    `hints_shown["part1/map"]` counts the hints of that ladder already shown.
    """

    path: Path | None
    scores: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    hints_shown: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, workspace: Path) -> Progress:
        """The progress saved in `workspace` (empty if none, or if the file is damaged)."""
        path = workspace / MARKER / _PROGRESS
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return cls(path)
        if not _well_formed(data):  # damaged, or written by someone's code: start afresh
            return cls(path)
        return cls(path, data.get("scores", {}), data.get("hints_shown", {}))

    def save(self) -> None:
        """Write it back, atomically (a crash never leaves half a file)."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(
            json.dumps({"scores": self.scores, "hints_shown": self.hints_shown}, indent=2),
            encoding="utf-8",
        )
        os.replace(temporary, self.path)

    def passed(self, part: str, exercise: str) -> bool:
        """Has this exercise ever passed every check (in any grading, not only the last)?"""
        score = self.scores.get(part, {}).get(exercise, {})
        return bool(score.get("passed") or score.get("ever_passed"))

    def record(self, part: str, exercise: str, score: int, max_score: int, passed: bool) -> None:
        """Remember a grading of `exercise`; once it has passed, that is never forgotten."""
        ever = passed or self.passed(part, exercise)
        self.scores.setdefault(part, {})[exercise] = {
            "score": score,
            "max_score": max_score,
            "passed": passed,
            "ever_passed": ever,
        }

    def next_hint(self, part: Part, exercise: Exercise, *, advance: bool) -> tuple[int, str]:
        """The next hint of the ladder (1-based number, text); `advance` marks it shown."""
        key = f"{part.name}/{exercise.name}"
        shown = self.hints_shown.get(key, 0)
        index = min(shown, len(exercise.hints) - 1)
        if advance:
            self.hints_shown[key] = min(shown + 1, len(exercise.hints))
        return index + 1, exercise.hints[index]
