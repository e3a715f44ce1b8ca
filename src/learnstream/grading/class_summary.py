"""What a class got wrong, counted from class grading's results (`class_json`).

Both class views read this: the summary at the end of `learnstream grade PART
--class-dir DIR` and the HTML report of `--report`. Counting works on the
`class_json` objects, so a saved `--json` file can be summarised again.

A check's failures are counted among the learners who *started* its exercise
(a stub is not a misconception); the learners who have not started are listed
apart.

>>> from learnstream.grading.results import CheckResult, ExerciseResult, PartResult, class_json
>>> def learner(name, passed):
...     check = CheckResult("example", "doubles [1, 2, 3]", 2, passed, message="wrong")
...     ex = ExerciseResult("map", "Map", "part1/ex2_map.py", [check])
...     return PartResult("part1", "Foundations", [ex], seed=1, learner=name)
>>> summary = summarize(class_json([learner("ada", True), learner("bob", False)]))
>>> [(t.title, t.failed, t.share) for t in summary.most_failed()]
[('doubles [1, 2, 3]', ['bob'], 0.5)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CheckTally:
    """One check across the class: who failed it, of those who started its exercise."""

    exercise: str
    name: str
    title: str
    points: int
    started: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        """The part of the learners who started the exercise that failed this check."""
        return len(self.failed) / self.started if self.started else 0.0


@dataclass
class ExerciseTally:
    """One exercise across the class."""

    name: str
    title: str
    max_score: int
    checks: list[CheckTally]
    scores: dict[str, int] = field(default_factory=dict)
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    not_started: list[str] = field(default_factory=list)


@dataclass
class MessageTally:
    """A failure message (its first line) and the learners whose code got it."""

    exercise: str
    message: str
    learners: list[str] = field(default_factory=list)


@dataclass
class ClassSummary:
    """The whole class: scores, each exercise and check, common messages, who has not started."""

    part: str
    seed: int | None
    max_score: int
    scores: dict[str, int]
    exercises: list[ExerciseTally]
    messages: list[MessageTally]
    not_started: list[str]

    @property
    def learners(self) -> list[str]:
        """Every learner, in folder order."""
        return list(self.scores)

    def checks(self) -> list[CheckTally]:
        """Every check of every exercise, in course order."""
        return [check for ex in self.exercises for check in ex.checks]

    def most_failed(self, count: int = 3) -> list[CheckTally]:
        """The `count` checks failed by the most learners (ties in course order); none unfailed."""
        failed = [check for check in self.checks() if check.failed]
        return sorted(failed, key=lambda check: -len(check.failed))[:count]

    def below(self, score: float) -> list[str]:
        """The learners whose score is under `score` (for `--fail-under`)."""
        return [name for name, points in self.scores.items() if points < score]


def summarize(learners: Sequence[dict[str, Any]]) -> ClassSummary:
    """Count the class's results: `learners` is what `class_json` returns."""
    exercises: dict[str, ExerciseTally] = {}
    messages: dict[tuple[str, str], MessageTally] = {}
    for learner in learners:
        name = learner["learner"]
        for ex in learner["exercises"]:
            tally = exercises.get(ex["name"])
            if tally is None:
                checks = [
                    CheckTally(ex["name"], c["name"], c["title"], c["points"]) for c in ex["checks"]
                ]
                tally = ExerciseTally(ex["name"], ex["title"], ex["max_score"], checks)
                exercises[ex["name"]] = tally
            tally.scores[name] = ex["score"]
            if not ex["started"]:
                tally.not_started.append(name)
                continue
            (tally.passed if ex["passed"] else tally.failed).append(name)
            for check, data in zip(tally.checks, ex["checks"], strict=True):
                check.started += 1
                if data["passed"]:
                    continue
                check.failed.append(name)
                said = messages.setdefault(
                    (ex["name"], data["summary"]), MessageTally(ex["name"], data["summary"])
                )
                if name not in said.learners:
                    said.learners.append(name)
    first = learners[0] if learners else {}
    return ClassSummary(
        part=first.get("part", ""),
        seed=first.get("seed"),
        max_score=first.get("max_score", 0),
        scores={learner["learner"]: learner["score"] for learner in learners},
        exercises=list(exercises.values()),
        messages=sorted(messages.values(), key=lambda m: -len(m.learners)),
        not_started=[learner["learner"] for learner in learners if not learner["started"]],
    )
