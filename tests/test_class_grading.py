"""Class grading through the CLI: learners in parallel, isolated, summarised, `--fail-under`.

One small class (tests/grading_helpers.CLASS_FILES: right, wrong, endless loop,
crash, not started) is graded twice with the same seed: on two workers with
`--json --csv --fail-under`, and one learner after the other for the terminal
summary. Both must agree learner by learner.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from grading_helpers import ROOT, make_class

from learnstream.grading import get_part

PART1 = get_part("part1")
PART1_POINTS = sum(exercise.max_score for exercise in PART1.exercises())


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="160")
    return subprocess.run(
        [sys.executable, "-m", "learnstream", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The class graded on two workers (JSON, CSV) and on one (the terminal summary)."""
    where = tmp_path_factory.mktemp("class-grading")
    make_class(where / "class")
    parallel = _cli(
        "grade", "part1", "--class-dir", "class", "-j", "2", "--seed", "5", "--timeout", "3",
        "--json", "--csv", "grades.csv", "--fail-under", "60",
        cwd=where,
    )  # fmt: skip
    serial = _cli(
        "grade", "part1", "--class-dir", "class", "-j", "1", "--seed", "5", "--timeout", "3",
        cwd=where,
    )  # fmt: skip
    return {
        "parallel": parallel,
        "serial": serial,
        "json": json.loads(parallel.stdout),
        "csv": list(csv.DictReader(io.StringIO((where / "grades.csv").read_text()))),
    }


def _exercise(learner: dict[str, Any], name: str) -> dict[str, Any]:
    return next(ex for ex in learner["exercises"] if ex["name"] == name)


def test_each_learner_gets_only_their_own_result(graded: dict[str, Any]) -> None:
    learners = {learner["learner"]: learner for learner in graded["json"]}
    assert list(learners) == ["ada", "bob", "carl", "dora", "eve"]
    assert {learner["seed"] for learner in learners.values()} == {5}
    assert learners["ada"]["score"] == PART1_POINTS

    # Bob's map loses the floats' type: the matching check fails for that reason only.
    bob_map = _exercise(learners["bob"], "map")
    assert [c["kind"] for c in bob_map["checks"] if not c["passed"]] == ["wrong_type"]
    # Carl's map never returns: every check of it times out, and nothing else of his is touched.
    carl_map = _exercise(learners["carl"], "map")
    assert {c["kind"] for c in carl_map["checks"]} == {"timeout"}
    assert learners["carl"]["score"] == PART1_POINTS - carl_map["max_score"]
    # Dora's filter kills its interpreter; her other exercises are untouched stubs.
    dora_filter = _exercise(learners["dora"], "filter")
    assert dora_filter["started"] and {c["kind"] for c in dora_filter["checks"]} == {"crash"}
    assert [ex["name"] for ex in learners["dora"]["exercises"] if ex["started"]] == ["filter"]
    assert learners["dora"]["started"] and not learners["eve"]["started"]
    assert learners["eve"]["score"] == 0


def test_parallel_and_serial_grading_agree(graded: dict[str, Any]) -> None:
    lines = graded["serial"].stdout.splitlines()
    for learner in graded["json"]:
        line = next(line for line in lines if line.startswith(learner["learner"] + " "))
        assert f"{learner['score']}/{learner['max_score']}" in line.split()


def test_the_csv_matches_the_json(graded: dict[str, Any]) -> None:
    for row, learner in zip(graded["csv"], graded["json"], strict=True):
        assert row["learner"] == learner["learner"]
        assert int(row["score"]) == learner["score"]
        for ex in learner["exercises"]:
            assert int(row[ex["name"]]) == ex["score"]


def test_fail_under_names_the_learners_below_and_exits_1(graded: dict[str, Any]) -> None:
    parallel = graded["parallel"]
    assert parallel.returncode == 1
    below = [learner["learner"] for learner in graded["json"] if learner["score"] < 60]
    assert below == ["bob", "carl", "dora", "eve"]
    assert f"4 learner(s) scored under 60 points: {', '.join(below)}" in parallel.stderr


def test_without_fail_under_class_grading_exits_0_and_ends_with_the_most_failed_checks(
    graded: dict[str, Any],
) -> None:
    serial = graded["serial"]
    assert serial.returncode == 0, serial.stderr
    lines = serial.stdout.splitlines()
    assert "5 learners (seed 5), 1 passed everything; not started: eve" in lines
    heading = lines.index("most failed checks (of the learners who started the exercise):")
    shown = lines[heading + 1 :]
    assert len(shown) == 3
    # Counted from the JSON: who started each exercise, who failed each check.
    tallies = []
    for ex in PART1.exercises():
        started = [
            _exercise(one, ex.name) for one in graded["json"] if _exercise(one, ex.name)["started"]
        ]
        for index, check in enumerate(ex.checks):
            failed = sum(not e["checks"][index]["passed"] for e in started)
            if failed:
                tallies.append((failed, len(started), ex.name, check.title))
    tallies.sort(key=lambda t: -t[0])
    for line, (failed, started, exercise, title) in zip(shown, tallies, strict=False):
        assert line.strip().startswith(f"{exercise} · {title}")
        assert line.endswith(f"{failed} of {started} ({failed / started:.0%})")
