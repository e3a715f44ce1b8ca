"""The course's parts, their exercises, checks, points and hint ladders, read from lab folders.

One exercise, one folder. A labs folder (the course's own is `labs/` at the top of
a checkout, shipped inside the package) holds one folder per part::

    part3/
      part.toml            the part's order, title and course page
      shared.py            check code several of the part's exercises use (if any)
      enrich/              one folder per exercise, named as the exercise
        lab.toml           its file, title, course page, hint ladder, limits and checks
                           (name, title, points, the check's own hint and hint_for)
        solution.py        the reference solution, the stub's lines beside it (`markers`)
        checks.py          CHECKS: each check's code, by the names lab.toml gives
        catalogue/         submissions the grader is tested on (the project's tests)

A part's exercises come in the order of their files (`ex1_...`, `ex2_...`). The
checks are loaded from their file (`load_checks`), only to grade, so `learnstream
list`, `hint` or `init` never pay for them; the same loader reads a folder of an
instructor's own. A part without exercises is "coming".

Everything that names a part or an exercise (the CLI, the reports, the docs
site's navigation) reads it from here, so each name exists once.

>>> [part.name for part in PARTS]
['part1', 'part2', 'part3', 'part4']
>>> get_part("1").exercise("map").file, get_part("2").title
('ex2_map.py', 'Windows and sessions')
>>> get_part("1").exercise("map").folder.relative_to(LABS).as_posix()
'part1/map'
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import os
import re
import sys
import tomllib
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from learnstream.grading.failures import ANSWER_KINDS, FailureKind
from learnstream.grading.sandbox import Limits

if TYPE_CHECKING:
    from learnstream.grading.kit.session import Session

PART_FILE = "part.toml"
LAB_FILE = "lab.toml"
SOLUTION_FILE = "solution.py"
CHECKS_FILE = "checks.py"
CATALOGUE = "catalogue"

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

    `run(session)` raises `CheckFailed` to fail; it is the function that the
    exercise's `checks.py` (in `folder`) lists under `CHECKS[name]`, loaded when
    first run. `hint` is shown when this check fails in one of the ways `hint_for`
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
    folder: Path | None = None

    def run(self, session: Session) -> None:
        """Run the check on the learner's code in `session`."""
        if self.folder is None:
            raise ManifestError(f"check {self.name!r} of {self.exercise!r} has no lab folder")
        load_checks(self.folder)[self.name](session)


@dataclass(frozen=True)
class Exercise:
    """A file the learner edits (`file`, in the part's folder) and the checks that grade it;
    `folder` is its lab folder."""

    name: str
    file: str
    title: str
    checks: tuple[Check, ...]
    hints: tuple[str, ...]
    folder: Path
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
    folder: Path | None = None

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


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ManifestError(f"cannot read {path}: {err.strerror}") from None
    except tomllib.TOMLDecodeError as err:
        raise ManifestError(f"{path} is not valid TOML: {err}") from None


def read_exercise(part: str, folder: Path) -> Exercise:
    """The exercise whose lab folder is `folder` (its `lab.toml`), in part `part`."""
    name = folder.name
    if not name.isidentifier():
        raise ManifestError(f"{folder}: an exercise's folder is named as the exercise, a word")
    table = _read_toml(folder / LAB_FILE)
    where = f"{folder / LAB_FILE}"
    checks = tuple(
        Check(
            part,
            name,
            _field(check, "name", where),
            _field(check, "title", where),
            int(_field(check, "points", where)),
            check.get("hint"),
            _kinds(check.get("hint_for"), where),
            folder,
        )
        for check in _field(table, "checks", where)
    )
    return Exercise(
        name,
        _field(table, "file", where),
        _field(table, "title", where),
        checks,
        tuple(_field(table, "hints", where)),
        folder,
        table.get("page", ""),
        Limits(**table.get("limits", {})),
    )


def _course_order(exercise: Exercise) -> tuple[Any, ...]:
    """`ex2_map.py` before `ex10_x.py`: the numbers in the file name, compared as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", exercise.file))


def read_part(folder: Path) -> Part:
    """The part whose folder is `folder`: its `part.toml`, and an exercise per sub-folder
    holding a `lab.toml`.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()) / "part9"
    >>> folder.mkdir()
    >>> _ = (folder / "part.toml").write_text('[part]\\norder = 9\\ntitle = "Later"\\npage = "p.md"')
    >>> read_part(folder).label, read_part(folder).coming
    ('Part 9 · Later', True)
    """
    name = folder.name
    head = _field(_read_toml(folder / PART_FILE), "part", f"{folder / PART_FILE}")
    where = f"{folder / PART_FILE} [part]"
    exercises = [read_exercise(name, sub) for sub in folder.iterdir() if (sub / LAB_FILE).is_file()]
    return Part(
        name,
        int(_field(head, "order", where)),
        _field(head, "title", where),
        _field(head, "page", where),
        tuple(sorted(exercises, key=_course_order)),
        folder,
    )


def read_labs(root: Path) -> tuple[Part, ...]:
    """The parts of the labs folder `root` (each sub-folder with a `part.toml`; `root` itself
    when it is a part's folder), in order."""
    if not root.is_dir():
        raise ManifestError(f"{root} is not a folder of labs (a folder with part folders)")
    if (root / PART_FILE).is_file():
        return (read_part(root),)
    parts = [read_part(sub) for sub in root.iterdir() if (sub / PART_FILE).is_file()]
    if not parts:
        raise ManifestError(f"{root} holds no part: a part is a folder with a {PART_FILE}")
    return tuple(sorted(parts, key=lambda part: part.order))


def _package(part_folder: Path) -> str:
    """The name under which the modules of `part_folder` are imported (made on first use):
    its `shared.py` is `NAME.shared`, an exercise's checks are `NAME.EXERCISE.checks`."""
    folder = part_folder.resolve()
    digest = hashlib.sha1(str(folder).encode()).hexdigest()[:10]
    name = f"learnstream_labs_{digest}_{folder.name}"
    if name not in sys.modules:
        package = types.ModuleType(name, f"the lab folder {folder}")
        package.__path__ = [str(folder)]
        sys.modules[name] = package
    return name


def load_module(folder: Path, module: str) -> types.ModuleType:
    """The module `module` (dotted, from `folder`'s part folder) of a lab folder, imported
    from its file: `load_module(part_folder, "shared")`, `load_module(exercise_folder, "checks")`."""
    if (folder / PART_FILE).is_file():
        return importlib.import_module(f"{_package(folder)}.{module}")
    return importlib.import_module(f"{_package(folder.parent)}.{folder.name}.{module}")


@cache
def load_checks(folder: Path) -> dict[str, CheckFunction]:
    """`CHECKS` of the exercise in `folder` (its `checks.py`), once it is known to match
    its `lab.toml`."""
    table: dict[str, CheckFunction] = load_module(folder, CHECKS_FILE.removesuffix(".py")).CHECKS
    declared = {check["name"] for check in _read_toml(folder / LAB_FILE).get("checks", [])}
    if declared != set(table):
        raise ManifestError(
            f"{folder / LAB_FILE} and {folder / CHECKS_FILE} name different checks: "
            f"lab.toml has {sorted(declared)}, CHECKS has {sorted(table)}"
        )
    return table


def _course_labs() -> Path:
    """The course's labs: the copy a build puts inside the package, else the checkout's."""
    built = Path(__file__).resolve().parent / "course" / "labs"
    if built.is_dir():
        return built
    return Path(__file__).resolve().parents[3] / "labs"


#: The course's own labs folder.
LABS = _course_labs()

#: The course's own parts.
PARTS: tuple[Part, ...] = read_labs(LABS)

#: Labs folders of one's own (an instructor's), separated by os.pathsep: their parts join
#: the course's. `--labs DIR` sets it, so that every process the grader starts sees them.
LABS_ENV = "LEARNSTREAM_LABS"


@cache
def _own_parts(folders: str) -> tuple[Part, ...]:
    found = [
        part for folder in folders.split(os.pathsep) if folder for part in read_labs(Path(folder))
    ]
    names = [part.name for part in (*PARTS, *found)]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ManifestError(
            f"{', '.join(twice)}: a part of that name is already in the course; name your "
            "part's folder differently (e.g. workshop1)"
        )
    return tuple(found)


def parts() -> tuple[Part, ...]:
    """The course's parts, then those of the labs folders in $LEARNSTREAM_LABS."""
    return (*PARTS, *_own_parts(os.environ.get(LABS_ENV, "")))


def add_labs(folder: str | Path) -> tuple[Part, ...]:
    """Add the parts of the labs folder `folder` (or of one part's folder) to the course, for
    this process and those it starts; return them."""
    resolved = str(Path(folder).expanduser().resolve())
    added = read_labs(Path(resolved))
    known = [f for f in os.environ.get(LABS_ENV, "").split(os.pathsep) if f]
    if resolved not in known:
        os.environ[LABS_ENV] = os.pathsep.join([*known, resolved])
    parts()  # a name that clashes is refused now, not at the first lookup
    return added


def get_part(name: str) -> Part:
    """The part called `name`; "part1", "1" and "Part1" all work."""
    wanted = name.lower()
    if wanted.isdigit():
        wanted = f"part{wanted}"
    for part in parts():
        if part.name == wanted:
            return part
    raise _suggest(name, [p.name for p in parts()], "part")
