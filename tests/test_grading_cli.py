"""The grading commands as a learner or an instructor types them: hint, solution, class grading.

(The grade report, `--json` and `--gradescope` are shown and checked on the course's
grading page, whose commands run in test_course_code.py.)
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from grading_helpers import ROOT, generated

from learnstream.grading import get_part

MAP = get_part("part1").exercise("map")
PART1_POINTS = sum(exercise.max_score for exercise in get_part("part1").exercises())


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="120")
    return subprocess.run(
        [sys.executable, "-m", "learnstream", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_hints_climb_the_ladder_and_solution_unlocks_once_it_passes(tmp_path: Path) -> None:
    assert _cli("init", "ws", cwd=tmp_path).returncode == 0
    shown = [_cli("hint", "part1", "map", cwd=tmp_path / "ws").stdout for _ in MAP.hints]
    for number, (text, hint) in enumerate(zip(shown, MAP.hints, strict=True), start=1):
        assert text.startswith(f"hint {number} of {len(MAP.hints)} for part1 map: {hint}\n")
    assert "That was the last hint" in shown[-1] and "last hint" not in shown[0]

    refused = _cli("solution", "part1", "map", cwd=tmp_path / "ws")
    assert refused.returncode == 1 and "solve it first" in refused.stderr

    shutil.copy(generated("solutions") / "part1" / MAP.file, tmp_path / "ws" / "part1" / MAP.file)
    graded = _cli("grade", "part1", "map", "--seed", "3", cwd=tmp_path / "ws")
    assert graded.returncode == 0, graded.stdout
    shown = _cli("solution", "part1", "map", cwd=tmp_path / "ws")
    assert shown.returncode == 0
    assert shown.stdout == (generated("solutions") / "part1" / MAP.file).read_text()
    listed = _cli("list", cwd=tmp_path / "ws").stdout
    assert "✓ map" in listed and "1/5 exercises" in listed

    # Once it has passed, the solution stays open and the last hint says so, even
    # after the learner breaks their file again (as the grading page promises).
    (tmp_path / "ws" / "part1" / MAP.file).write_text("def double(stream):\n    return []\n")
    broken = _cli("grade", "part1", "map", "--seed", "3", cwd=tmp_path / "ws")
    assert broken.returncode == 1
    assert _cli("solution", "part1", "map", cwd=tmp_path / "ws").returncode == 0
    last = _cli("hint", "part1", "map", cwd=tmp_path / "ws").stdout
    assert "It has passed, so `learnstream solution part1 map`" in last
    assert "Once it passes" not in last


def test_a_class_is_graded_to_json_and_csv(tmp_path: Path) -> None:
    for learner in ("ada", "grace"):
        assert _cli("init", f"class/{learner}", cwd=tmp_path).returncode == 0
    shutil.copy(
        generated("solutions") / "part1" / MAP.file, tmp_path / "class" / "ada" / "part1" / MAP.file
    )
    run = _cli(
        "grade", "part1", "--class-dir", "class", "--csv", "grades.csv", "--json", "--seed", "3",
        cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert [r["learner"] for r in results] == ["ada", "grace"]
    assert [r["score"] for r in results] == [MAP.max_score, 0]
    rows = list(csv.DictReader(io.StringIO((tmp_path / "grades.csv").read_text())))
    assert [(row["learner"], row["map"], row["max_score"]) for row in rows] == [
        ("ada", str(MAP.max_score), str(PART1_POINTS)),
        ("grace", "0", str(PART1_POINTS)),
    ]


def test_a_step_errors_item_and_what_to_do_lines_stay_indented_in_the_report() -> None:
    from learnstream.grading.failures import CheckFailed, FailureKind
    from learnstream.grading.registry import Check
    from learnstream.grading.report import render_text
    from learnstream.grading.results import CheckResult, ExerciseResult, PartResult

    message = (
        "build_flow(...) raised StepError: step 't.c' (collect_window) got a naive datetime\n"
        "  item: ('sensor-0', {'ts': ...})\n"
        "  what to do: attach a timezone in ts_getter"
    )
    check = Check("part2", "tumbling", "boundaries", "on boundaries", 3)
    failed = CheckResult.failed(check, CheckFailed(message, kind=FailureKind.EXCEPTION))
    exercise = ExerciseResult("tumbling", "Means", "part2/ex1_tumbling.py", [failed])
    report = render_text(PartResult("part2", "Windows and sessions", [exercise], seed=4))
    lines = report.splitlines()
    first = next(i for i, line in enumerate(lines) if "got a naive datetime" in line)
    assert lines[first + 1] == "        item: ('sensor-0', {'ts': ...})"
    assert lines[first + 2] == "        what to do: attach a timezone in ts_getter"
    assert "      replay: learnstream grade part2 tumbling --seed 4" in lines


def test_every_failing_check_says_its_own_reason_in_the_report(tmp_path: Path) -> None:
    """A join in `final` mode: the first failure shows its evidence, and `as_soon_as`, a later
    failing check, still says under its line that the rows came only when the input ended."""
    assert _cli("init", "ws", cwd=tmp_path).returncode == 0
    paid = tmp_path / "ws" / "part3" / "ex2_paid.py"
    paid.write_text(
        "import learnstream.operators as op\n"
        "from learnstream.dataflow import Dataflow\n\n\n"
        "def build_flow(orders, payments, sink):\n"
        "    flow = Dataflow('paid')\n"
        "    ko = op.key_on('ko', op.input('orders', flow, orders), lambda o: o['order_id'])\n"
        "    kp = op.key_on('kp', op.input('payments', flow, payments), lambda p: p['order_id'])\n"
        "    op.output('out', op.join('match', ko, kp, emit_mode='final'), sink)\n"
        "    return flow\n",
        encoding="utf-8",
    )
    done = _cli("grade", "part3", "paid", "--seed", "3", cwd=tmp_path / "ws")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    checks = {check.name: check for check in get_part("part3").exercise("paid").checks}
    later = next(i for i, line in enumerate(lines) if checks["as_soon_as"].title in line)
    assert "✗" in lines[later]
    assert lines[later + 1].strip().startswith("↳ your flow wrote nothing until the input ended")
    first = next(i for i, line in enumerate(lines) if checks["edges"].title in line)
    assert not lines[first + 1].strip().startswith("↳")  # the first failure's block comes below
    assert "replay: learnstream grade part3 paid" in done.stdout
