"""`learnstream watch`: grade again every time an exercise file is saved.

Polls the files' modification times (portable, no extra dependency): the
first round grades the whole selection, each later round the exercises whose
files changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from learnstream.grading.grader import grade
from learnstream.grading.registry import get_part
from learnstream.grading.results import PartResult
from learnstream.grading.workspace import find_workspace


def _stamp(file: Path) -> int | None:
    try:
        return file.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def watch(
    part: str,
    show: Callable[[PartResult], None],
    exercise: str | None = None,
    path: str | Path | None = None,
    *,
    seed: int | None = None,
    interval: float = 1.0,
    max_rounds: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Grade, then re-grade changed exercises until interrupted or after `max_rounds` gradings.

    `show` receives each result. Returns the number of gradings done.

    >>> from learnstream.grading.workspace import init
    >>> import tempfile
    >>> folder = init(tempfile.mkdtemp())[0].parent.parent
    >>> watch("part1", lambda r: print(r.score), "map", folder, max_rounds=1)
    0
    1
    """
    found = get_part(part)
    workspace = find_workspace(path)
    exercises = [found.exercise(exercise)] if exercise else list(found.exercises())
    files = {ex.name: workspace / found.name / ex.file for ex in exercises}
    seen: dict[str, int | None] = {}
    rounds = 0
    while max_rounds is None or rounds < max_rounds:
        changed = [name for name, file in files.items() if seen.get(name, -1) != _stamp(file)]
        for name in changed:
            seen[name] = _stamp(files[name])
        if changed:
            # one name grades one exercise; several (the first round) grade the selection
            only = changed[0] if len(changed) == 1 else exercise
            show(grade(found, only, path=workspace, seed=seed))
            rounds += 1
            continue
        sleep(interval)
    return rounds
