"""The results of grading, and their machine-readable forms: `--json`, Gradescope, CSV.

One model — `PartResult` holding `ExerciseResult`s holding `CheckResult`s —
is rendered every way: as text by `learnstream.grading.report`, and here as

- `to_json()`: the stable schema printed by `learnstream grade --json`::

      {"part", "score", "max_score",
       "exercises": [{"name", "passed", "score", "max_score",
                      "checks": [{"name", "passed", "points", "message"}]}]}

  where a check's `points` is what the check is worth (earned when it passed)
  and `message` says, for a failing check, what went wrong, on which input,
  expected vs actual, and the seed that replays it;
- `to_gradescope()`: Gradescope's `results.json`, one test per check;
- `class_json()` and `class_csv()`: a whole class, one object or row per learner.

>>> check = CheckResult("map.example", "doubles [1, 2, 3]", 2, passed=True)
>>> ex = ExerciseResult("map", "Map", "part1/ex2_map.py", [check])
>>> PartResult("part1", "Foundations", [ex], seed=7).to_json()["score"]
2
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from learnstream.grading.failures import CheckFailed, FailureKind

if TYPE_CHECKING:
    from learnstream.grading.registry import Check

#: Check statuses. "error" means the grader itself failed, which is a bug in learnstream.
STATUSES = ("passed", "failed", "not_implemented", "error")


@dataclass
class CheckResult:
    """How one check went.

    `message` is one line; `details` the evidence (failing input, diff,
    traceback); `hint` what to try next; `kind` why it failed.
    """

    name: str
    title: str
    points: int
    passed: bool
    status: str = "passed"
    message: str = ""
    input: str | None = None
    shrunk: bool = False
    details: str = ""
    hint: str | None = None
    kind: FailureKind | None = None

    @classmethod
    def failed(
        cls, check: Check, failure: CheckFailed, *, status: str = "failed", hint: str | None = None
    ) -> CheckResult:
        """The result of `check` failing with `failure`."""
        return cls(
            check.name,
            check.title,
            check.points,
            passed=False,
            status=status,
            message=failure.message,
            input=failure.input_text,
            shrunk=failure.shrunk,
            details=failure.details,
            hint=hint,
            kind=failure.kind,
        )

    @property
    def score(self) -> int:
        """Points earned."""
        return self.points if self.passed else 0

    def evidence(self, replay: str | None = None, seed: int | None = None) -> list[tuple[str, str]]:
        """What a report shows of a failure after its message, in order, as (label, text).

        The failing input, the details (label ""), the hint, and the command
        that replays the run (or, without one, its seed): every failure has
        one, since the seed also decides the learner's hash seed. Every
        view of a failure (the terminal report, `--json`, Gradescope) is made
        of these lines, so they say the same thing.

        >>> failed = CheckResult("c", "t", 1, False, "failed", "wrong", input="[1]", hint="look")
        >>> failed.evidence()
        [('input', '[1]'), ('hint', 'look')]
        """
        if self.passed:
            return []
        lines = []
        if self.input is not None:
            lines.append(("smallest failing input" if self.shrunk else "input", self.input))
        if self.details:
            lines.append(("", self.details))
        if self.hint:
            lines.append(("hint", self.hint))
        if replay:
            lines.append(("replay", replay))
        elif seed is not None:
            lines.append(("seed", str(seed)))
        return lines

    def full_message(self, seed: int | None = None, replay: str | None = None) -> str:
        """Everything about a failure as plain text (empty when the check passed)."""
        if self.passed:
            return ""
        lines = [self.message]
        lines.extend(
            f"{label}: {text}" if label else text for label, text in self.evidence(replay, seed)
        )
        return "\n".join(lines)


@dataclass
class ExerciseResult:
    """How one exercise went: its checks, and what the learner's code printed."""

    name: str
    title: str
    file: str
    checks: list[CheckResult]
    output: str = ""
    problem: str | None = None

    @property
    def score(self) -> int:
        """Points earned."""
        return sum(check.score for check in self.checks)

    @property
    def max_score(self) -> int:
        """Points possible."""
        return sum(check.points for check in self.checks)

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(check.passed for check in self.checks)

    @property
    def not_implemented(self) -> bool:
        """True when nothing passed and everything failed for being a stub."""
        return bool(self.checks) and all(c.status == "not_implemented" for c in self.checks)

    @property
    def started(self) -> bool:
        """False while the exercise is the stub, or its file is missing."""
        missing = self.problem is not None and all(
            c.kind is FailureKind.MISSING for c in self.checks
        )
        return not (self.not_implemented or missing)

    @property
    def first_failure(self) -> CheckResult | None:
        """The first check that failed, the one a learner should fix first."""
        return next((check for check in self.checks if not check.passed), None)


@dataclass
class PartResult:
    """How a part went, for one learner (`learner` names them in class grading)."""

    part: str
    title: str
    exercises: list[ExerciseResult]
    seed: int
    path: str = ""
    learner: str = ""

    @property
    def score(self) -> int:
        """Points earned."""
        return sum(ex.score for ex in self.exercises)

    @property
    def max_score(self) -> int:
        """Points possible."""
        return sum(ex.max_score for ex in self.exercises)

    @property
    def passed(self) -> bool:
        """True when every check of every graded exercise passed."""
        return all(ex.passed for ex in self.exercises)

    def replay_command(self, exercise: str) -> str:
        """The command that grades `exercise` again with the same seed."""
        where = f" --path {self.path}" if self.path else ""
        return f"learnstream grade {self.part} {exercise}{where} --seed {self.seed}"

    def to_json(self) -> dict[str, Any]:
        """The documented `--json` object (see the module docstring)."""
        return {
            "part": self.part,
            "score": self.score,
            "max_score": self.max_score,
            "exercises": [
                {
                    "name": ex.name,
                    "passed": ex.passed,
                    "score": ex.score,
                    "max_score": ex.max_score,
                    "checks": [
                        {
                            "name": check.name,
                            "passed": check.passed,
                            "points": check.points,
                            "message": check.full_message(replay=self.replay_command(ex.name)),
                        }
                        for check in ex.checks
                    ],
                }
                for ex in self.exercises
            ],
        }

    def to_gradescope(self, visibility: str = "visible") -> dict[str, Any]:
        """Gradescope's `results.json`: one test per check, with only the fields it documents.

        A test's `output` is what the learner's report says of that check
        (message, failing input, diff, hint, seed); `visibility` is
        Gradescope's: visible, hidden, after_due_date or after_published.
        """
        return {
            "score": self.score,
            "visibility": visibility,
            "tests": [
                {
                    "name": f"{ex.name}: {check.title}",
                    "score": check.score,
                    "max_score": check.points,
                    "output": check.full_message(seed=self.seed),
                    "status": "passed" if check.passed else "failed",
                    "visibility": visibility,
                }
                for ex in self.exercises
                for check in ex.checks
            ],
        }


def class_json(results: Sequence[PartResult]) -> list[dict[str, Any]]:
    """Each learner's `--json` object, with what a class view needs besides.

    The learner's `--json` object (see the module docstring) gains `learner`,
    `seed` and `started` (false when no exercise was begun); each exercise
    gains `title` and `started` (false while it is the stub or its file is
    missing); each check gains `title`, `status` (one of `STATUSES`), `kind`
    (why it failed: a `FailureKind` value, or null) and `summary`, the first
    line of what went wrong (empty when it passed), which is the same for
    every learner who made the same mistake.

    >>> ex = ExerciseResult("map", "Map", "part1/ex2_map.py", [])
    >>> [r["learner"] for r in class_json([PartResult("part1", "P", [ex], 1, learner="ada")])]
    ['ada']
    """
    learners = []
    for result in results:
        data = dict(result.to_json(), learner=result.learner, seed=result.seed)
        for ex, ex_data in zip(result.exercises, data["exercises"], strict=True):
            ex_data["title"] = ex.title
            ex_data["started"] = ex.started
            for check, check_data in zip(ex.checks, ex_data["checks"], strict=True):
                check_data["title"] = check.title
                check_data["status"] = "passed" if check.passed else check.status
                check_data["kind"] = None if check.kind is None else check.kind.value
                check_data["summary"] = "" if check.passed else check.message.split("\n", 1)[0]
        data["started"] = any(ex.started for ex in result.exercises)
        learners.append(data)
    return learners


def class_csv(results: Sequence[PartResult]) -> str:
    """One CSV row per learner: total, maximum and each exercise's score.

    >>> ex = ExerciseResult("map", "Map", "part1/ex2_map.py", [])
    >>> print(class_csv([PartResult("part1", "Foundations", [ex], 1, learner="ada")]), end="")
    learner,score,max_score,map
    ada,0,0,0
    """
    names: list[str] = []
    for result in results:
        names.extend(ex.name for ex in result.exercises if ex.name not in names)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["learner", "score", "max_score", *names])
    for result in results:
        scores = {ex.name: ex.score for ex in result.exercises}
        writer.writerow(
            [
                result.learner,
                result.score,
                result.max_score,
                *(scores.get(name, "") for name in names),
            ]
        )
    return out.getvalue()
