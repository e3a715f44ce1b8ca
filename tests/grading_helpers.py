"""Helpers shared by the grader's tests: workspaces built from solutions and submissions."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from learnstream.grading import Limits, PartResult, get_part, grade
from learnstream.grading.failures import KIND_HINTS
from learnstream.grading.registry import CATALOGUE, LABS, SOLUTION_FILE, load_module
from learnstream.grading.results import CheckResult
from learnstream.grading.workspace import init, solution_text

ROOT = Path(__file__).resolve().parent.parent

#: Short limits keep the hostile cases quick; generous enough for a loaded CI machine.
TEST_LIMITS = Limits(timeout=3.0, memory_mb=1024)


def workspace_from(kind: str, folder: Path, part: str = "part1") -> Path:
    """A workspace in `folder` holding the stubs ("exercises") or the reference solutions
    ("solutions") of `part`, made from its lab folders."""
    init(folder, solutions=kind == "solutions", of=[get_part(part)])
    return folder


@cache
def generated(kind: str) -> Path:
    """A workspace of every part's stubs ("exercises") or solutions ("solutions"), made once
    per test session in a temporary folder (the lab folders are the only copy)."""
    folder = Path(tempfile.mkdtemp(prefix=f"learnstream-{kind}-"))
    init(folder, solutions=kind == "solutions")
    return folder


def lab_module(part: str, name: str = "shared") -> ModuleType:
    """The part's `shared.py` (`name="shared"`), or the `checks.py` of its exercise `name`."""
    if name == "shared":
        return load_module(LABS / part, "shared")
    return load_module(get_part(part).exercise(name).folder, "checks")


#: A catalogue's verdicts, beside its cases in each exercise's `catalogue/` folder.
VERDICTS = "verdicts.toml"


def apply_patch(original: str, patch: str, name: str = "the patch") -> str:
    """`original` with the unified diff `patch` applied; every context and removed line
    must match (a solution changed under a patch is an error naming the hunk)."""
    lines = original.splitlines(keepends=True)
    out: list[str] = []
    at = 0
    for hunk in _HUNK.finditer(patch):
        start = int(hunk["start"]) - (1 if hunk["count"] != "0" else 0)
        out += lines[at:start]
        at = start
        for line in hunk["body"].splitlines(keepends=True):
            tag, text = line[0], line[1:]
            if tag in " -":
                if at >= len(lines) or lines[at] != text:
                    raise ValueError(
                        f"{name}: hunk {hunk[0].splitlines()[0]} does not apply at line {at + 1}"
                    )
                at += 1
            if tag in " +":
                out.append(text)
    if not out and patch.strip():
        raise ValueError(f"{name}: no hunk found")
    return "".join(out + lines[at:])


_HUNK = re.compile(
    r"^@@ -(?P<start>\d+)(?:,(?P<count>\d+))? \+\d+(?:,\d+)? @@[^\n]*\n(?P<body>(?:[ +\-][^\n]*\n)*)",
    re.M,
)


def submission_text(part: str, exercise: str, case: str) -> str:
    """The submission of catalogue case `case`: its `CASE.py`, or its `CASE.patch` applied
    to the file its `--- ` line names: the reference solution (`solution.py`), or another
    case of the same catalogue (`OTHER.py`: a variation of that wrong answer)."""
    found = get_part(part).exercise(exercise)
    folder = found.folder / CATALOGUE
    if not (folder / f"{case}.patch").is_file():
        return (folder / f"{case}.py").read_text(encoding="utf-8")
    patch = (folder / f"{case}.patch").read_text(encoding="utf-8")
    base = patch.partition("\n")[0].removeprefix("--- ").strip()
    if base == SOLUTION_FILE:
        original = solution_text(found)
    else:
        original = submission_text(part, exercise, base.removesuffix(".py"))
    return apply_patch(original, patch, f"{part}/{exercise}/{case}.patch")


def catalogue(part: str) -> list[Case]:
    """Every case of the part's catalogues, exercise by exercise, as their verdicts say."""
    cases = []
    for exercise in get_part(part).exercises():
        verdicts = tomllib.loads((exercise.folder / CATALOGUE / VERDICTS).read_text("utf-8"))
        for case in verdicts["case"]:
            cases.append((case["name"], exercise.name, case["fails"], case.get("message", "")))
    return cases


def with_submission(folder: Path, case: str, exercise: str, part: str = "part1") -> Path:
    """Replace `exercise`'s file in the workspace by the submission `case`."""
    file = get_part(part).exercise(exercise).file
    (folder / part / file).write_text(submission_text(part, exercise, case), encoding="utf-8")
    return folder


def grade_quick(
    folder: Path, exercise: str | None = None, seed: int = 20240611, part: str = "part1"
) -> PartResult:
    """Grade with fewer search examples, and for Parts 1-2 the tests' short call limits
    (Parts 3-4 keep their exercises' own: a River flow's call is seconds on a busy machine)."""
    limits = TEST_LIMITS if part in ("part1", "part2") else None
    return grade(part, exercise, path=folder, seed=seed, limits=limits, max_examples=25)


#: A small class, one learner per way a submission goes: right, wrong, endless, crashing, unstarted.
CLASS_FILES = {
    "ada": {},  # every reference solution
    "bob": {"ex2_map.py": "def double(stream):\n    for v in stream:\n        yield int(v * 2)\n"},
    "carl": {"ex2_map.py": "def double(stream):\n    while True:\n        pass\n"},
    "dora": {"ex3_filter.py": "import os\nos.abort()\n"},
    "eve": {},  # not started: the stubs only
}


def make_class(folder: Path) -> Path:
    """`folder` holding one workspace per learner of `CLASS_FILES`.

    Ada, Bob and Carl start from the reference solutions (Bob's map keeps no
    types, Carl's never returns); Dora wrote only a filter that crashes the
    interpreter; Eve has the stubs.
    """
    for learner, files in CLASS_FILES.items():
        kind = "solutions" if learner in ("ada", "bob", "carl") else "exercises"
        workspace_from(kind, folder / learner)
        for name, text in files.items():
            (folder / learner / "part1" / name).write_text(text, encoding="utf-8")
    return folder


def hints_match_kinds(part: str, exercise: str, checks: list[CheckResult]) -> None:
    """Every failed check's hint matches its failure's kind (`hint_matches_kind`); the first
    failure without a hint of its own gets a rung of the ladder, the others none."""
    failed = [check for check in checks if not check.passed]
    for number, failure in enumerate(failed):
        hint_matches_kind(part, exercise, failure, first=number == 0, others=failed[1:])


def hint_matches_kind(
    part: str,
    exercise: str,
    failure: CheckResult,
    *,
    first: bool = True,
    others: Sequence[CheckResult] = (),
) -> None:
    """The hint shown matches the failure's kind: the check's own hint only when it is
    about that kind, else the kind's hint, else (the first failure only) the own hint of a
    later failed check (`others`) about the same kind, else a rung of the exercise's ladder."""
    if failure.status != "failed":
        return
    found = get_part(part).exercise(exercise)
    (check,) = [c for c in found.checks if c.name == failure.name]
    assert failure.kind is not None
    if check.hint is not None and failure.kind in check.hint_for:
        assert failure.hint == check.hint
    elif failure.kind in KIND_HINTS:
        assert failure.hint == KIND_HINTS[failure.kind]
    elif first:
        failed = {other.name: other.kind for other in others}
        aimed = [
            c.hint
            for c in found.checks
            if failed.get(c.name) is failure.kind and failure.kind in c.hint_for and c.hint
        ]
        assert failure.hint in (aimed[:1] or found.hints)
    else:
        assert failure.hint is None
    if failure.kind.learner_code_broke:  # never advice about values for code that did not answer
        assert failure.hint == KIND_HINTS.get(failure.kind, failure.hint)
        assert failure.hint != check.hint


#: (case, exercise, the checks that fail — empty: the exercise passes, the first failure's message)
Case = tuple[str, str, list[str], str]


def stable_message(message: str) -> str:
    """`message` without what varies between runs and machines: memory addresses, the
    kilobytes a growing state held (as the OS counts its pages), and the megabytes an
    endless print printed before the timeout."""
    message = re.sub(r"\d[\d,]*\.\d (KB|MB)", r"... \1", message)
    return re.sub(r"0x[0-9a-f]+", "0x...", message)


def assert_exercise_verdict(
    tmp_path: Path, part: str, case: Case, limits: Limits, *, whole_part: bool = False
) -> None:
    """Grade one catalogue case (one exercise of the solutions replaced) with the seed fixed:
    exactly its checks fail, its first message is exact (but for `stable_message`), the hint
    fits the kind. With `whole_part`, every exercise of the part is graded, and the others
    must still get full marks, whatever the submission did to its own process."""
    name, exercise, failing, reason = case
    folder = with_submission(workspace_from("solutions", tmp_path, part), name, exercise, part)
    result = grade(
        part,
        None if whole_part else exercise,
        path=folder,
        seed=20240611,
        limits=limits,
        max_examples=25,
    )
    for other in result.exercises:
        if other.name != exercise:
            assert other.passed and other.score == other.max_score, (other.name, other.checks)
    (graded,) = [graded for graded in result.exercises if graded.name == exercise]
    messages = "\n".join(check.full_message() for check in graded.checks if not check.passed)
    assert [check.name for check in graded.checks if not check.passed] == failing, messages
    if not failing:
        assert graded.passed and graded.score == graded.max_score
        return
    assert graded.first_failure is not None
    assert stable_message(graded.first_failure.message) == stable_message(reason), messages
    hints_match_kinds(part, exercise, graded.checks)
    assert "Traceback" not in messages and "learnstream/grading" not in messages
    assert "<frozen" not in messages


def assert_catalogue_covers_part(part: str, cases: list[Case]) -> None:
    """At least 25 cases (15 wrong, 5 right), a wrong and a right one for every exercise,
    and exactly one file (CASE.py or CASE.patch) in the exercise's catalogue folder per case."""
    exercises = {exercise for _, exercise, _, _ in cases}
    assert exercises == {e.name for e in get_part(part).exercises()}
    wrong = [case for case, _, failing, _ in cases if failing]
    right = [case for case, _, failing, _ in cases if not failing]
    assert len(cases) >= 25 and len(wrong) >= 15 and len(right) >= 5
    on_disk = {
        (e.name, p.stem)
        for e in get_part(part).exercises()
        for p in (e.folder / CATALOGUE).iterdir()
        if p.suffix in (".py", ".patch")
    }
    assert on_disk == {(exercise, case) for case, exercise, *_ in cases}
    for exercise in exercises:
        assert any(e == exercise and f for _, e, f, _ in cases), exercise
        assert any(e == exercise and not f for _, e, f, _ in cases), exercise


def catalogue_tests(
    part: str, limits: Limits, *, whole_part: bool = False
) -> tuple[Callable[..., None], Callable[[], None]]:
    """The two tests of a part's catalogue file: each case gets its verdict
    (`assert_exercise_verdict`), and the catalogue covers the part
    (`assert_catalogue_covers_part`). A test file binds them to `test_...` names."""
    cases = catalogue(part)

    @pytest.mark.parametrize("case", cases, ids=[case[0] for case in cases])
    def each_submission_gets_its_verdict(tmp_path: Path, case: Case) -> None:
        assert_exercise_verdict(tmp_path, part, case, limits, whole_part=whole_part)

    def the_catalogue_holds_wrong_and_right_submissions_for_every_exercise() -> None:
        assert_catalogue_covers_part(part, cases)

    return (
        each_submission_gets_its_verdict,
        the_catalogue_holds_wrong_and_right_submissions_for_every_exercise,
    )


@contextlib.contextmanager
def python_reachable_by_others() -> Iterator[None]:
    """Let other users run this Python, as Gradescope's learner user must (on its images
    Python is in /usr/bin; here it may be under /root): add o+x to the folders above it
    that lack it, for the duration."""
    changed = []
    # both the interpreter's own folders and a venv's (whose python links to it): a venv
    # made in a private temporary folder (mktemp -d is 0700) must be reachable too
    folders = dict.fromkeys(
        [*Path(os.path.realpath(sys.executable)).parents, *Path(sys.executable).parents]
    )
    for folder in folders:
        mode = folder.stat().st_mode
        if not mode & 0o001:
            os.chmod(folder, mode | 0o001)
            changed.append((folder, mode))
    try:
        yield
    finally:
        for folder, mode in changed:
            os.chmod(folder, mode)
