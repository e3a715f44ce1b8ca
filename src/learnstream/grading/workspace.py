"""The learner's workspace: where the exercises are, fresh copies, and remembered progress.

A workspace is a folder with one sub-folder per part (`part1/ex1_generator.py`,
...). `learnstream init DIR` makes one from the stubs, and marks it with
`.learnstream/progress.json`, where the grader remembers scores and which
hints were shown.

The stubs and the reference solutions exist once, in the repository's
`exercises/` and `solutions/`. Building the package (a wheel, or `pip install .`)
copies both into `learnstream/grading/course/` (see `setup.py`); an editable
install or a checkout on `PYTHONPATH` reads them from the repository itself.
`course_files(kind, part)` says where they are either way.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnstream.grading.registry import PARTS, Exercise, Part

MARKER = ".learnstream"
_PROGRESS = "progress.json"


class WorkspaceError(LookupError):
    """No exercises where the grader looked; the message says what to do."""


def _looks_like_workspace(folder: Path) -> bool:
    return any((folder / part.name).is_dir() for part in PARTS)


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


#: Where builds put the copies of `exercises/` and `solutions/` (named as in the repository).
BUILT_COURSE_FILES = Path(__file__).resolve().parent / "course"
_CHECKOUT = Path(__file__).resolve().parents[3]
_KINDS = {"stubs": "exercises", "exercises": "exercises", "solutions": "solutions"}


def course_files(kind: str = "stubs", part: str | None = None) -> Path:
    """The folder of the stubs (`kind="stubs"`) or reference solutions (`"solutions"`).

    It holds one folder per part (`part1/ex1_generator.py`, ...); with `part`,
    that part's folder. The copy inside an installed package comes first; a
    checkout's `exercises/` or `solutions/` otherwise. The two kinds are always
    sibling folders.

    >>> (course_files("stubs", "part1") / "ex2_map.py").is_file()
    True
    >>> course_files("solutions").parent == course_files("stubs").parent
    True
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be 'stubs' or 'solutions', not {kind!r}")
    name = _KINDS[kind]
    for root in (BUILT_COURSE_FILES, _CHECKOUT):
        if (root / name).is_dir() and (root / "exercises" / "part1").is_dir():
            folder = root / name
            return folder if part is None else folder / part
    raise WorkspaceError(
        f"the course's {name}/ folder is missing: learnstream was installed without it; "
        "reinstall it with `pip install learnstream` (or `pip install -e .` in a checkout)"
    )


def stub_text(part: Part, exercise: Exercise) -> str:
    """The fresh stub of `exercise`."""
    return (course_files("stubs", part.name) / exercise.file).read_text(encoding="utf-8")


def solution_text(part: Part, exercise: Exercise) -> str:
    """The reference solution of `exercise`."""
    return (course_files("solutions", part.name) / exercise.file).read_text(encoding="utf-8")


def init(folder: str | Path) -> list[Path]:
    """Make (or complete) a workspace in `folder`; return the stub files written.

    Files that already exist are left alone, so running it again after an
    upgrade adds the new parts' exercises without touching your work.
    """
    folder = Path(folder)
    written = []
    for part in PARTS:
        for exercise in part.exercises():
            target = folder / part.name / exercise.file
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(stub_text(part, exercise), encoding="utf-8")
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
    target.write_text(stub_text(part, exercise), encoding="utf-8")
    return target, backup


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
            return cls(path, dict(data.get("scores", {})), dict(data.get("hints_shown", {})))
        except (OSError, ValueError, AttributeError):
            return cls(path)

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
