"""Part 2's exercises and grader: the contract of the stubs, the CLI, the report, the model.

The catalogue of Part 2 submissions is in the lab folders (labs/part2/*/catalogue/),
run by test_catalogue_part2.py.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from grading_helpers import (
    ROOT,
    generated,
    grade_quick,
    lab_module,
    with_submission,
    workspace_from,
)

from learnstream.grading import get_part, render_text
from learnstream.grading.kit.eventtime import MINUTE, SECOND, Event, split_late

PART2 = get_part("part2")
_SHARED = lab_module("part2")
GAP, SENSOR_WAIT = _SHARED.GAP, _SHARED.SENSOR_WAIT
late_counts, session_stats = _SHARED.late_counts, _SHARED.session_stats
sliding_means, tumbling_means = _SHARED.sliding_means, _SHARED.tumbling_means


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"loaded_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="120")
    return subprocess.run(
        [sys.executable, "-m", "learnstream", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_solutions_get_full_marks_and_exit_0(tmp_path: Path) -> None:
    run = _cli("grade", "part2", "--path", str(generated("solutions")), "--json", "--seed", "3")
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(run.stdout)
    assert result["score"] == result["max_score"] == 40
    assert [ex["name"] for ex in result["exercises"]] == ["tumbling", "sliding", "sessions", "late"]


def test_fresh_stubs_score_nothing_and_exit_1() -> None:
    run = _cli("grade", "part2", "--path", str(generated("exercises")), "--seed", "3")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "score 0/40" in run.stdout
    assert run.stdout.count("not implemented yet") == 4
    assert "Traceback" not in run.stdout + run.stderr


def test_list_shows_part2_as_written(tmp_path: Path) -> None:
    run = _cli("list", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    (line,) = [line for line in run.stdout.splitlines() if line.startswith("part2")]
    assert "0/4 exercises" in line and "coming" not in line
    for name in ("tumbling", "sliding", "sessions", "late"):
        assert name in run.stdout


def test_a_wrong_window_is_reported_with_timeline_and_per_window_diff(tmp_path: Path) -> None:
    folder = with_submission(
        workspace_from("solutions", tmp_path, "part2"), "tumb_no_wait", "tumbling", "part2"
    )
    result = grade_quick(folder, "tumbling", part="part2")
    failure = result.exercises[0].first_failure
    assert failure is not None and failure.name == "disorder" and failure.shrunk
    # A small stream: a reading arrives after a later one, within the wait (two readings,
    # or three when the dropped one's temperature would not have moved the mean).
    assert failure.input is not None and " events in arrival order: #1 " in failure.input
    assert int(failure.input.split()[0]) <= 3, failure.input
    report = render_text(result)
    # The timeline is learnstream.timeline's, with the first wrong window highlighted.
    assert "tumbling windows of 1m aligned to 00:00:00 · wait 10s" in report
    assert "highlighted: sensor-0 window" in report
    diff = report[report.index("per-window diff") :]
    assert "window" in diff and "yours" in diff and "→  'sensor-0'" in diff
    assert "replay: learnstream grade part2 tumbling" in report


@pytest.mark.parametrize(
    ("case", "exercise", "told"),
    [
        # the clock did not wait: its window 0 holds one reading, the other left out
        ("tumb_no_wait", "tumbling", "your window 0 [00:00:00, 00:01:00): left out #2, on time"),
        # averaged by hand, late readings kept
        ("tumb_by_hand", "tumbling", "your window 0 [00:00:00, 00:01:00): kept #2, late"),
        # a merger that keeps one session of two, folding out of order
        ("sess_wrong_merger_unordered", "sessions", "your session 00:00:00–00:04:50: left out #2"),
    ],
)
def test_the_learners_own_run_is_drawn_beside_the_expected_one(
    tmp_path: Path, case: str, exercise: str, told: str
) -> None:
    folder = with_submission(
        workspace_from("solutions", tmp_path, "part2"), case, exercise, "part2"
    )
    failure = grade_quick(folder, exercise, part="part2").exercises[0].first_failure
    assert failure is not None
    expected, _, rest = failure.details.partition("your flow's run — ")
    yours, _, diff = rest.partition("per-window diff")
    assert "highlighted:" in expected and told in yours and diff
    # the same time axis, drawn twice: the expected run's windows, then the learner's
    axis = [line for line in expected.splitlines() if line.lstrip().startswith("┬")]
    assert axis and axis[0] in yours.splitlines()


def test_late_items_are_drawn_with_the_watermark_they_missed(tmp_path: Path) -> None:
    folder = with_submission(
        workspace_from("solutions", tmp_path, "part2"), "late_wait_twice", "late", "part2"
    )
    report = render_text(grade_quick(folder, "late", part="part2"))
    assert "✗" in report and "┃" in report
    assert "arrived when the watermark was" in report and "late for window" in report


# --- the grader's model of event time -------------------------------------------------


def _events(*rows: tuple[str, int, object]) -> list[Event]:
    return [Event(n, key, seconds * SECOND, value) for n, (key, seconds, value) in enumerate(rows)]


def test_an_item_exactly_on_the_watermark_is_on_time_and_keys_have_their_own() -> None:
    events = _events(("a", 20, 1.0), ("a", 10, 2.0), ("a", 9, 3.0), ("b", 0, 4.0))
    good, late = split_late(events, SENSOR_WAIT)
    assert [e.n for e in good] == [0, 1, 3] and [e.n for e in late] == [2]
    assert late_counts(events) == {"a": 1}


def test_windows_open_inclusive_close_exclusive_and_count_from_align() -> None:
    events = _events(("a", 0, 1.0), ("a", 59, 3.0), ("a", 60, 5.0), ("a", -1, 7.0))
    # -1 s arrives after 60 s: it is late (watermark 50 s), so window -1 never opens
    assert tumbling_means(events) == {("a", 0): 2.0, ("a", 1): 5.0}
    assert sliding_means(events[:3]) == {
        ("a", -2): 2.0,
        ("a", -1): 3.0,
        ("a", 0): 3.0,
        ("a", 1): 5.0,
    }


def test_sessions_exactly_gap_apart_merge_and_a_late_bridge_is_dropped() -> None:
    gap = GAP // SECOND
    merged = session_stats(_events(("u", 0, ("view", "/")), ("u", gap, ("click", "/"))))
    assert [stats[2:] for stats in merged.values()] == [(2, 1)]
    split = session_stats(_events(("u", 0, ("view", "/")), ("u", gap + 1, ("click", "/"))))
    assert len(split) == 2
    # The middle event would join both, but it arrives after the watermark passed it.
    bridged = _events(
        ("u", 0, ("view", "/")), ("u", 2 * gap, ("view", "/")), ("u", gap, ("view", "/"))
    )
    assert len(session_stats(bridged)) == 2
    assert MINUTE == 60 * SECOND


def test_an_exception_in_a_flow_step_shows_the_line_of_the_learners_function(
    tmp_path: Path,
) -> None:
    folder = workspace_from("solutions", tmp_path, "part2")
    file = folder / "part2" / PART2.exercise("tumbling").file
    right = "lambda w: (w[0], w[1][0] / w[1][1])"
    wrong = "lambda w: (w[0], w[1][0] / (w[1][1] - 1))"
    assert right in file.read_text()
    file.write_text(file.read_text().replace(right, wrong))
    line = next(n for n, text in enumerate(file.read_text().splitlines(), 1) if wrong in text)
    failure = grade_quick(folder, "tumbling", part="part2").exercises[0].first_failure
    assert failure is not None and "raised UserFunctionError" in failure.message
    # the step wrapped their ZeroDivisionError: the line and frame are those of their lambda
    assert f"(line {line})" in failure.message
    assert f'{file.name}", line {line}, in <lambda>' in failure.details
    # the boundary edge has 4 readings, and any one of them raises: the smallest input is one
    assert failure.shrunk and failure.input is not None, failure
    assert failure.input.startswith("1 event in arrival order: #1 "), failure.input


def _tumbling_printing(folder: Path, line: str) -> Path:
    """The reference tumbling solution, printing `line` for every reading it keys."""
    file = folder / "part2" / PART2.exercise("tumbling").file
    right = 'lambda reading: reading["sensor"]'
    assert right in file.read_text()
    printing = f'lambda reading: print({line}) or reading["sensor"]'
    file.write_text(file.read_text().replace(right, printing))
    return folder


def test_a_right_flow_that_prints_a_line_per_item_gets_full_marks(tmp_path: Path) -> None:
    folder = _tumbling_printing(workspace_from("solutions", tmp_path, "part2"), '"got", reading')
    result = grade_quick(folder, "tumbling", part="part2").exercises[0]
    assert result.passed and result.score == result.max_score, result.checks
    assert "got {'sensor': 'sensor-0'" in result.output


def test_printing_past_the_output_limit_says_so_and_still_gets_full_marks(
    tmp_path: Path,
) -> None:
    folder = _tumbling_printing(workspace_from("solutions", tmp_path, "part2"), '"x" * 3_000_000')
    result = grade_quick(folder, "tumbling", part="part2").exercises[0]
    # Past the limit the child only counts: as quick on any machine as building the strings.
    assert result.passed and result.score == result.max_score, result.checks
    note = result.output.splitlines()[-1]
    assert note.startswith("... (your code printed ") and " MB in all: it hit the output " in note
    assert note.endswith(" past it were counted, not kept)"), note


def test_a_failed_exercise_shows_how_much_was_printed_past_the_limit(tmp_path: Path) -> None:
    folder = _tumbling_printing(workspace_from("solutions", tmp_path, "part2"), '"x" * 3_000_000')
    file = folder / "part2" / PART2.exercise("tumbling").file
    file.write_text(file.read_text().replace("w[1][0] / w[1][1]", "w[1][0] / w[1][1] + 1"))
    report = render_text(grade_quick(folder, "tumbling", part="part2"))
    assert "your code printed:" in report
    assert "it hit the output limit of 4,194 KB" in report, report
    assert "Errno" not in report and "File too large" not in report
