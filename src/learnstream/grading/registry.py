"""The course's parts, their exercises, checks, points and hint ladders.

`PARTS` lists every part in course order. A part that has exercises names the
module that declares them (`checks_module`, imported only when needed, so that
`learnstream list` stays fast); a part still being written has none and is
shown as "coming". See `learnstream.grading` for how to add a part.

>>> [part.name for part in PARTS]
['part1', 'part2', 'part3', 'part4']
>>> get_part("1").exercise("map").file
'ex2_map.py'
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from learnstream.grading.checking import Session
from learnstream.grading.sandbox import Limits


class UnknownName(LookupError):
    """A part or exercise name that does not exist; the message suggests the right one."""


def _suggest(name: str, choices: list[str], what: str) -> UnknownName:
    close = difflib.get_close_matches(name, choices, n=1)
    maybe = f"; did you mean {close[0]!r}?" if close else ""
    return UnknownName(f"no {what} named {name!r}{maybe} (choose from {', '.join(choices)})")


@dataclass(frozen=True)
class Check:
    """One thing an exercise must get right, worth `points` when it passes.

    `run(session)` raises `CheckFailed` to fail. `hint` is shown when this
    particular check fails (the exercise's ladder is used otherwise).
    """

    name: str
    title: str
    points: int
    run: Callable[[Session], None]
    hint: str | None = None


@dataclass(frozen=True)
class Exercise:
    """A file the learner edits (`file`, in the part's folder) and the checks that grade it."""

    name: str
    file: str
    title: str
    checks: tuple[Check, ...]
    hints: tuple[str, ...]
    limits: Limits = field(default_factory=Limits)

    @property
    def max_score(self) -> int:
        """Points for passing every check."""
        return sum(check.points for check in self.checks)


@dataclass(frozen=True)
class Part:
    """A part of the course; `checks_module` declares `EXERCISES`, or is None while coming."""

    name: str
    title: str
    checks_module: str | None = None

    @property
    def coming(self) -> bool:
        """True while the part has no exercises yet."""
        return self.checks_module is None

    def exercises(self) -> tuple[Exercise, ...]:
        """The part's exercises, in course order."""
        return _load_exercises(self.checks_module) if self.checks_module else ()

    def exercise(self, name: str) -> Exercise:
        """The exercise called `name` (or whose file is `name`)."""
        for exercise in self.exercises():
            if name in (exercise.name, exercise.file, exercise.file.removesuffix(".py")):
                return exercise
        raise _suggest(name, [e.name for e in self.exercises()], f"exercise in {self.name}")


@cache
def _load_exercises(module: str) -> tuple[Exercise, ...]:
    return tuple(importlib.import_module(module).EXERCISES)


PARTS: tuple[Part, ...] = (
    Part("part1", "Foundations", "learnstream.grading.checks.part1"),
    Part("part2", "Controlling time: windows and sessions", "learnstream.grading.checks.part2"),
    Part("part3", "Joining streams"),
    Part("part4", "Real-time machine learning"),
)


def get_part(name: str) -> Part:
    """The part called `name`; "part1", "1" and "Part1" all work."""
    wanted = name.lower()
    if wanted.isdigit():
        wanted = f"part{wanted}"
    for part in PARTS:
        if part.name == wanted:
            return part
    raise _suggest(name, [p.name for p in PARTS], "part")
