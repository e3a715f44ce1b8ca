"""The course's parts, their exercises, checks, points and hint ladders, read from the manifests.

Each part is described once, as data, in `learnstream/grading/checks/partN.toml`:
its order, title and course page, then its exercises in course order, each
with its file, title, course page and hint ladder, and its checks (name, title,
points, and the check's own hint). The code of the checks is in the module of
the same name, `checks/partN.py`, whose `CHECKS` maps each exercise's name to
its checks' functions by name; it is imported only to grade, so `learnstream
list`, `hint` or `init` never pay for it. A part without exercises is "coming".

Everything that names a part or an exercise (the CLI, the reports, the docs
site's navigation) reads it from here, so each name exists once.

>>> [part.name for part in PARTS]
['part1', 'part2', 'part3', 'part4']
>>> get_part("1").exercise("map").file, get_part("2").title
('ex2_map.py', 'Windows and sessions')
"""

from __future__ import annotations

import difflib
import importlib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from learnstream.grading.failures import ANSWER_KINDS, FailureKind
from learnstream.grading.sandbox import Limits

if TYPE_CHECKING:
    from learnstream.grading.kit.session import Session

#: The package that holds the manifests (`partN.toml`) and the checks (`partN.py`).
CHECKS_PACKAGE = "learnstream.grading.checks"

CheckFunction = Callable[["Session"], None]


class UnknownName(LookupError):
    """A part or exercise name that does not exist; the message suggests the right one."""


class ManifestError(ValueError):
    """A manifest and its checks module disagree, or a manifest lacks a field."""


def _suggest(name: str, choices: list[str], what: str) -> UnknownName:
    close = difflib.get_close_matches(name, choices, n=1)
    maybe = f"; did you mean {close[0]!r}?" if close else ""
    return UnknownName(f"no {what} named {name!r}{maybe} (choose from {', '.join(choices)})")


@dataclass(frozen=True)
class Check:
    """One thing an exercise must get right, worth `points` when it passes.

    `run(session)` raises `CheckFailed` to fail; it is the function that
    `checks/PART.py` lists under `CHECKS[exercise][name]`, looked up when first
    run. `hint` is shown when this check fails in one of the ways `hint_for`
    names (the manifest's `hint_for`, failure kinds; by default the wrong
    answers: shape, type, value, timing); a failure of another kind gets the
    hint of its kind (`failures.KIND_HINTS`) or the exercise's ladder.
    """

    part: str
    exercise: str
    name: str
    title: str
    points: int
    hint: str | None = None

    hint_for: frozenset[FailureKind] = ANSWER_KINDS

    def run(self, session: Session) -> None:
        """Run the check on the learner's code in `session`."""
        _check_functions(self.part)[self.exercise][self.name](session)


@dataclass(frozen=True)
class Exercise:
    """A file the learner edits (`file`, in the part's folder) and the checks that grade it."""

    name: str
    file: str
    title: str
    checks: tuple[Check, ...]
    hints: tuple[str, ...]
    page: str = ""
    limits: Limits = field(default_factory=Limits)

    @property
    def max_score(self) -> int:
        """Points for passing every check."""
        return sum(check.points for check in self.checks)


@dataclass(frozen=True)
class Part:
    """A part of the course, as its manifest describes it; no exercises while it is coming."""

    name: str
    order: int
    title: str
    page: str
    exercise_list: tuple[Exercise, ...] = ()

    @property
    def coming(self) -> bool:
        """True while the part has no exercises yet."""
        return not self.exercise_list

    @property
    def label(self) -> str:
        """How the course names the part, e.g. "Part 2 · Windows and sessions"."""
        return f"Part {self.order} · {self.title}"

    def exercises(self) -> tuple[Exercise, ...]:
        """The part's exercises, in course order."""
        return self.exercise_list

    def exercise(self, name: str) -> Exercise:
        """The exercise called `name` (or whose file is `name`)."""
        for exercise in self.exercise_list:
            if name in (exercise.name, exercise.file, exercise.file.removesuffix(".py")):
                return exercise
        raise _suggest(name, [e.name for e in self.exercise_list], f"exercise in {self.name}")


def _field(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise ManifestError(f"{where} has no {key!r}")
    return table[key]


def _kinds(names: list[str] | None, where: str) -> frozenset[FailureKind]:
    """The failure kinds a check's hint answers (`hint_for`); the wrong answers by default."""
    if names is None:
        return ANSWER_KINDS
    try:
        return frozenset(FailureKind(name) for name in names)
    except ValueError as err:
        raise ManifestError(
            f"{where}: hint_for names an unknown failure kind ({err}); the kinds are "
            f"{', '.join(kind.value for kind in FailureKind)}"
        ) from None


def _exercise(part: str, table: dict[str, Any]) -> Exercise:
    name = _field(table, "name", f"an exercise of {part}.toml")
    where = f"{part}.toml, exercise {name!r}"
    checks = tuple(
        Check(
            part,
            name,
            _field(check, "name", where),
            _field(check, "title", where),
            int(_field(check, "points", where)),
            check.get("hint"),
            _kinds(check.get("hint_for"), where),
        )
        for check in _field(table, "checks", where)
    )
    return Exercise(
        name,
        _field(table, "file", where),
        _field(table, "title", where),
        checks,
        tuple(_field(table, "hints", where)),
        table.get("page", ""),
        Limits(**table.get("limits", {})),
    )


def read_manifest(name: str, text: str) -> Part:
    """The part a manifest describes (`name` is the file's stem, e.g. "part1").

    >>> part = read_manifest("part9", '[part]\\norder = 9\\ntitle = "Later"\\npage = "p.md"')
    >>> part.label, part.coming
    ('Part 9 · Later', True)
    """
    data = tomllib.loads(text)
    head = _field(data, "part", f"{name}.toml")
    return Part(
        name,
        int(_field(head, "order", f"{name}.toml [part]")),
        _field(head, "title", f"{name}.toml [part]"),
        _field(head, "page", f"{name}.toml [part]"),
        tuple(_exercise(name, table) for table in data.get("exercises", [])),
    )


def _read_parts() -> tuple[Part, ...]:
    manifests = [
        entry
        for entry in files(CHECKS_PACKAGE).iterdir()
        if entry.name.startswith("part") and entry.name.endswith(".toml")
    ]
    parts = [
        read_manifest(entry.name.removesuffix(".toml"), entry.read_text(encoding="utf-8"))
        for entry in manifests
    ]
    return tuple(sorted(parts, key=lambda part: part.order))


@cache
def _check_functions(part: str) -> dict[str, dict[str, CheckFunction]]:
    """`CHECKS` of the part's module, once it is known to match the manifest."""
    table: dict[str, dict[str, CheckFunction]] = importlib.import_module(
        f"{CHECKS_PACKAGE}.{part}"
    ).CHECKS
    declared = {ex.name: {c.name for c in ex.checks} for ex in get_part(part).exercises()}
    written = {exercise: set(checks) for exercise, checks in table.items()}
    if declared != written:
        raise ManifestError(
            f"{part}.toml and {part}.py name different checks: the manifest has "
            f"{sorted((e, sorted(c)) for e, c in declared.items())}, CHECKS has "
            f"{sorted((e, sorted(c)) for e, c in written.items())}"
        )
    return table


PARTS: tuple[Part, ...] = _read_parts()


def get_part(name: str) -> Part:
    """The part called `name`; "part1", "1" and "Part1" all work."""
    wanted = name.lower()
    if wanted.isdigit():
        wanted = f"part{wanted}"
    for part in PARTS:
        if part.name == wanted:
            return part
    raise _suggest(name, [p.name for p in PARTS], "part")
