"""Helpers shared by the grader's tests: workspaces built from solutions and submissions."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType

from learnstream.grading import Limits, PartResult, get_part, grade
from learnstream.grading.failures import KIND_HINTS
from learnstream.grading.registry import CATALOGUE, LABS, load_module
from learnstream.grading.results import CheckResult
from learnstream.grading.workspace import init

ROOT = Path(__file__).resolve().parent.parent

#: Short limits keep the hostile cases quick; generous enough for a loaded CI machine.
TEST_LIMITS = Limits(timeout=3.0, memory_mb=1024)


def workspace_from(kind: str, folder: Path, part: str = "part1") -> Path:
    """A workspace in `folder` holding the stubs ("exercises") or the reference solutions
    ("solutions") of `part`, made from its lab folders."""
    init(folder, solutions=kind == "solutions", parts=[get_part(part)])
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


def submission(part: str, exercise: str, case: str) -> Path:
    """The file of catalogue case `case` in `exercise`'s lab folder."""
    return get_part(part).exercise(exercise).folder / CATALOGUE / f"{case}.py"


def with_submission(folder: Path, case: str, exercise: str, part: str = "part1") -> Path:
    """Replace `exercise`'s file in the workspace by the submission `case`."""
    file = get_part(part).exercise(exercise).file
    shutil.copy(submission(part, exercise, case), folder / part / file)
    return folder


def grade_quick(
    folder: Path, exercise: str | None = None, seed: int = 20240611, part: str = "part1"
) -> PartResult:
    """Grade with test limits and fewer hypothesis examples."""
    return grade(part, exercise, path=folder, seed=seed, limits=TEST_LIMITS, max_examples=25)


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


def hint_matches_kind(part: str, exercise: str, failure: CheckResult) -> None:
    """The hint shown matches the failure's kind: the check's own hint only when it is
    about that kind, else the kind's hint, else a rung of the exercise's ladder."""
    if failure.status != "failed":
        return
    found = get_part(part).exercise(exercise)
    (check,) = [c for c in found.checks if c.name == failure.name]
    assert failure.kind is not None
    if check.hint is not None and failure.kind in check.hint_for:
        assert failure.hint == check.hint
    elif failure.kind in KIND_HINTS:
        assert failure.hint == KIND_HINTS[failure.kind]
    else:
        assert failure.hint in found.hints
    if failure.kind.learner_code_broke:  # never advice about values for code that did not answer
        assert failure.hint == KIND_HINTS.get(failure.kind, failure.hint)
        assert failure.hint != check.hint


#: (case, exercise, the checks that fail — empty: the exercise passes, the first failure's message)
Case = tuple[str, str, list[str], str]


def assert_exercise_verdict(
    tmp_path: Path,
    part: str,
    case: Case,
    limits: Limits,
    stable: Callable[[str], str] = lambda message: message,
) -> None:
    """Grade one catalogue case (one exercise of the solutions replaced) with the seed fixed:
    exactly its checks fail, its first message is exact (after `stable`), the hint fits the kind."""
    name, exercise, failing, reason = case
    folder = with_submission(workspace_from("solutions", tmp_path, part), name, exercise, part)
    result = grade(part, exercise, path=folder, seed=20240611, limits=limits, max_examples=25)
    (graded,) = result.exercises
    messages = "\n".join(check.full_message() for check in graded.checks if not check.passed)
    assert [check.name for check in graded.checks if not check.passed] == failing, messages
    if not failing:
        assert graded.passed and graded.score == graded.max_score
        return
    assert graded.first_failure is not None
    assert stable(graded.first_failure.message) == stable(reason), messages
    hint_matches_kind(part, exercise, graded.first_failure)
    assert "Traceback" not in messages and "learnstream/grading" not in messages


def assert_catalogue_covers_part(part: str, cases: list[Case]) -> None:
    """At least 25 cases (15 wrong, 5 right), a wrong and a right one for every exercise,
    and exactly one file in the exercise's catalogue folder per case."""
    exercises = {exercise for _, exercise, _, _ in cases}
    assert exercises == {e.name for e in get_part(part).exercises()}
    wrong = [case for case, _, failing, _ in cases if failing]
    right = [case for case, _, failing, _ in cases if not failing]
    assert len(cases) >= 25 and len(wrong) >= 15 and len(right) >= 5
    on_disk = {
        (e.name, p.stem)
        for e in get_part(part).exercises()
        for p in (e.folder / CATALOGUE).glob("*.py")
    }
    assert on_disk == {(exercise, case) for case, exercise, *_ in cases}
    for exercise in exercises:
        assert any(e == exercise and f for _, e, f, _ in cases), exercise
        assert any(e == exercise and not f for _, e, f, _ in cases), exercise
