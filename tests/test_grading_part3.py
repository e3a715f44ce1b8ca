"""Part 3's exercises and grader: the stubs' contracts, the CLI, the scripted sources, the answers.

The catalogue of Part 3 submissions is in the lab folders (labs/part3/*/catalogue/),
run by test_catalogue_part3.py.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import types
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from grading_helpers import (
    generated,
    lab_module,
    submission_text,
    with_submission,
    workspace_from,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.grading import Limits, get_part, grade, render_text
from learnstream.grading.kit import SECOND, Event, Written, join_run, renumbered
from learnstream.grading.probes_joins import run_scripted_flow
from learnstream.grading.runner import LocalRunner

ROOT = Path(__file__).resolve().parent.parent
PART3 = get_part("part3")
checks = lab_module("part3")
SOLUTIONS = generated("solutions") / "part3"


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"loaded_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "learnstream", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "160"},
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_the_stubs_constants_are_the_graders() -> None:
    unpaid = _load(SOLUTIONS / "ex3_unpaid.py")
    attribution = _load(SOLUTIONS / "ex4_attribution.py")
    assert unpaid.DEADLINE.total_seconds() * SECOND == checks.DEADLINE
    assert attribution.WAIT.total_seconds() * SECOND == checks.ATTRIBUTION_WAIT
    assert attribution.LENGTH.total_seconds() == 60 and attribution.ALIGN == checks.to_datetime(0)


def test_solutions_score_full_marks_and_stubs_zero_through_the_cli() -> None:
    done = _cli("grade", "part3", "--path", str(generated("solutions")), "--json", "--seed", "7")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["score"] == report["max_score"] == 40
    stubs = _cli("grade", "part3", "--path", str(generated("exercises")), "--json", "--seed", "7")
    assert stubs.returncode == 1
    report = json.loads(stubs.stdout)
    assert report["score"] == 0
    assert all("NotImplementedError" in json.dumps(exercise) for exercise in report["exercises"])


def test_list_shows_part3_with_its_four_exercises() -> None:
    done = _cli("list")
    assert done.returncode == 0
    block = done.stdout[done.stdout.index("Joining streams") :]
    for name in ("enrich", "paid", "unpaid", "attribution"):
        assert name in block


# --- the scripted sources: the grader's arrival order is the order the flow sees ---------


def _recorder(left: object, right: object, out: object) -> Dataflow:
    flow = Dataflow("order")
    tagged = [
        op.map(f"tag{n}", op.input(f"in{n}", flow, src), lambda x, n=n: (n, x))
        for n, src in enumerate((left, right))
    ]
    op.output("out", op.merge("both", *tagged), out)
    return flow


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 99)), max_size=20))
def test_a_script_is_played_in_its_order_across_sources(script: list[tuple[int, int]]) -> None:
    learner = types.SimpleNamespace(build_flow=_recorder)
    report = run_scripted_flow(
        LocalRunner(learner), "build_flow(...)", "build_flow", script, sources=2
    )
    assert report["outputs"] == [script]
    assert report["live"] == [script]


def _joined(emit_mode: str, script: list[tuple[int, object]]) -> dict[str, Any]:
    """`script` played into a join of two sources by key in `emit_mode`."""

    def build_flow(left: object, right: object, out: object) -> Dataflow:
        flow = Dataflow(emit_mode)
        sides = (op.input("l", flow, left), op.input("r", flow, right))
        op.output("out", op.join("j", *sides, emit_mode=emit_mode), out)
        return flow

    learner = types.SimpleNamespace(build_flow=build_flow)
    return run_scripted_flow(
        LocalRunner(learner), "build_flow(...)", "build_flow", script, sources=2
    )


def test_live_holds_what_was_written_before_the_end_and_not_after() -> None:
    report = _joined("final", [(0, ("k", 1)), (1, ("k", 2))])
    assert report["live"] == [[]]
    assert report["outputs"] == [[("k", (1, 2))]]
    assert report["written_after"] == [[None]]


def test_a_source_the_flow_never_reads_is_skipped_not_waited_for() -> None:
    def one_side(left: object, right: object, out: object) -> Dataflow:
        flow = Dataflow("one")
        op.output("out", op.input("l", flow, left), out)
        return flow

    learner = types.SimpleNamespace(build_flow=one_side)
    report = run_scripted_flow(
        LocalRunner(learner),
        "build_flow(...)",
        "build_flow",
        [(1, "x"), (0, "a"), (1, "y")],
        sources=2,
    )
    assert report["outputs"] == [["a"]]


# --- the grader's answers against the solutions, on streams hypothesis draws ----------------


def _events(draw: st.DrawFn) -> list[Event]:
    """Orders and payments in any order; a payment may carry an id of its own (a retry) and
    another amount, and come before its order in time as well as in arrival."""
    shop = lab_module("part3")
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(1, 4),
                st.booleans(),
                st.integers(-30, 100),
                st.booleans(),
                st.sampled_from([10.0, 12.5]),
            ),
            min_size=1,
            max_size=14,
        )
    )
    return [
        shop._order(n, f"order-{k}", s)
        if is_order
        else shop._pay(n, f"order-{k}", s, f"pay-{k}" + ("-retry" if retry else ""), amount)
        for n, (k, is_order, s, retry, amount) in enumerate(rows)
    ]


def _once_per_order(events: list[Event]) -> list[Event]:
    """`events` with each order once, as the contract says, numbered again by arrival."""
    seen: set[str] = set()
    kept = []
    for e in events:
        if e.value[0] == "order":
            if e.key in seen:
                continue
            seen.add(e.key)
        kept.append(e)
    return renumbered(kept)


def _played(exercise: str, events: list[Event], first: str) -> dict[str, Any]:
    """The solution `exercise` run on `events`, the side `first` in its first source."""
    solution = _load(SOLUTIONS / exercise)
    item = checks._shop_item if first == "order" else checks._ad_item
    script = [(0 if e.value[0] == first else 1, item(e)) for e in events]
    return run_scripted_flow(
        LocalRunner(solution), "build_flow(...)", "build_flow", script, sources=2
    )


@settings(max_examples=60, deadline=None)
@given(st.composite(_events)())
def test_unpaid_model_agrees_with_the_solution(events: list[Event]) -> None:
    kept = _once_per_order(events)
    report = _played("ex3_unpaid.py", kept, "order")
    got = {order_id: order["ts"] for order_id, order in report["live"][0]}
    expected = {
        k: checks.to_datetime(t)
        for k, t in lab_module("part3", "unpaid").unpaid_orders(kept).items()
    }
    assert got == expected
    assert report["outputs"] == report["live"]


# --- when the rows come: the expected run the picture draws is the solutions' own ------------


@settings(max_examples=40, deadline=None)
@given(st.composite(_events)())
def test_the_solutions_write_each_row_when_the_picture_expects_it(events: list[Event]) -> None:
    events = _once_per_order(events)
    for exercise, model in (
        ("ex2_paid.py", lab_module("part3", "paid").paid_rows),
        ("ex3_unpaid.py", lab_module("part3", "unpaid").unpaid_orders),
    ):
        report = _played(exercise, events, "order")
        (items,), (after,) = report["outputs"], report["written_after"]
        when = {key: checks._answered_after(events, key, model) for key in model(events)}
        assert {key: at for (key, _), at in zip(items, after, strict=True)} == when, exercise


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 3),
            st.booleans(),
            # a window's end plus the wait: the arrival that closes it, or one second off
            st.one_of(st.sampled_from([-51, -50, 9, 10, 69, 70, 71, 130]), st.integers(-70, 150)),
        ),
        min_size=1,
        max_size=14,
    )
)
def test_attribution_rows_come_when_the_model_closes_their_window(
    rows: list[tuple[int, bool, int]],
) -> None:
    attribution = lab_module("part3", "attribution")
    events = [
        Event(n, f"imp-{k}", s * SECOND, ("impression" if shown else "click",))
        for n, (k, shown, s) in enumerate(rows)
    ]
    report = _played("ex4_attribution.py", events, "impression")
    (items,), (after,) = report["outputs"], report["written_after"]
    got = {(key, wid): at for (key, (wid, _)), at in zip(items, after, strict=True)}
    assert got == {
        (key, wid): attribution.closed_after(events, key, wid)
        for key, wid in attribution.attributed(events)
    }


def test_written_after_says_which_arrival_each_row_followed() -> None:
    report = _joined("running", [(0, ("a", 1)), (0, ("b", 2)), (1, ("a", 3)), (1, ("b", 4))])
    assert report["outputs"] == [[("a", (1, None)), ("b", (2, None)), ("a", (1, 3)), ("b", (2, 4))]]
    assert report["written_after"] == [[0, 1, 2, 3]]


# --- the learner's own run, drawn in a failed check's details --------------------------------


def _failure(tmp_path: Path, case: str, exercise: str) -> tuple[str, str]:
    """The first failure's details and its whole report, for catalogue case `case` graded as
    the catalogue grades it (same seed and limits)."""
    folder = with_submission(
        workspace_from("solutions", tmp_path, "part3"), case, exercise, "part3"
    )
    result = grade(
        "part3", exercise, path=folder, seed=20240611, limits=Limits(20.0, 1024), max_examples=25
    )
    failure = result.exercises[0].first_failure
    assert failure is not None
    return failure.details, render_text(result)


def _rows_under(picture: str, arrival: str) -> list[str]:
    """The row lines the learner's run draws under the line of `arrival` ("#2", "end of input")."""
    lines = picture[picture.index("your flow's run for ") :].splitlines()
    words = arrival.split()
    at = next(n for n, line in enumerate(lines) if line.split()[: len(words)] == words)
    rows = []
    for line in lines[at + 1 :]:
        words = line.split()
        if not words or words[0].startswith("#") or line.startswith("  end of input"):
            break
        rows.append(" ".join(words))
    return rows


@pytest.mark.parametrize(
    ("case", "exercise", "drawn"),
    [
        # final mode keeping the last payment: the row comes when the input ends, and with
        # the retry, where a right flow writes it as the first payment arrives
        (
            "pd_final",
            "paid",
            {
                "#2": ["expected order order-1 + payment pay-1 (10.0 at 00:00:05)"],
                "#3": [],
                "end of input": ["✗ yours order order-1 + payment pay-1-retry (12.5 at 00:00:09)"],
            },
        ),
        # the first payment to arrive kept (00:00:40), not the earliest (00:00:10): reported
        # unpaid as soon as its order arrives with the clock already past the deadline
        (
            "up_first_payment",
            "unpaid",
            {"#4": ["✗ yours unpaid (order at 00:00:00)"], "end of input": []},
        ),
        # reported when the input ended, though the clock never passed the deadline: the
        # edge's other events play no part in that, one order is the smallest failing input
        (
            "up_report_at_eof",
            "unpaid",
            {"#1": [], "end of input": ["✗ yours unpaid (order at 00:00:40)"]},
        ),
        # a running join: a row as the items come (the engine writes the window's first
        # row as the second item arrives), then one more when the window closes at the end
        (
            "at_running",
            "attribution",
            {
                "#1": [],
                "#2": ["✗ yours window 0: clicked False"],
                "end of input": ["✓ both window 0: clicked True"],
            },
        ),
        # an hour's window: the click of the next minute counted
        (
            "at_hour_window",
            "attribution",
            {
                "end of input": [
                    "expected window 0: clicked False",
                    "✗ yours window 0: clicked True",
                ]
            },
        ),
    ],
)
def test_a_failed_check_draws_the_learners_own_rows_and_when_it_wrote_them(
    tmp_path: Path, case: str, exercise: str, drawn: dict[str, list[str]]
) -> None:
    details, report = _failure(tmp_path, case, exercise)
    picture, _, diff = details.partition("per-")
    for arrival, rows in drawn.items():
        assert _rows_under(picture, arrival) == rows, (arrival, picture)
    # the learner's wrong row in the diff is the one drawn as theirs
    wrong = [line for line in diff.splitlines() if line.lstrip().startswith("→")]
    if wrong and exercise != "attribution":
        yours = wrong[0].split("  ")[-1].strip()
        assert f"✗ yours     {yours}" in picture
    assert details in report.replace("\n      ", "\n")


def test_the_json_and_gradescope_reports_carry_the_same_picture(tmp_path: Path) -> None:
    folder = with_submission(
        workspace_from("solutions", tmp_path, "part3"), "pd_final", "paid", "part3"
    )
    results = tmp_path / "results.json"
    done = _cli(
        "grade",
        "part3",
        "paid",
        "--path",
        str(folder),
        "--json",
        "--seed",
        "20240611",
        "--gradescope",
        str(results),
    )
    assert done.returncode == 1, done.stderr
    details, _ = _failure(tmp_path / "again", "pd_final", "paid")
    assert "your flow's run for 'order-1'" in details
    assert json.dumps(details)[1:-1] in done.stdout
    outputs = [test["output"] for test in json.loads(results.read_text())["tests"]]
    assert any(details in output for output in outputs), outputs


def test_a_wrong_clock_is_named_first_and_the_learners_run_still_drawn(tmp_path: Path) -> None:
    details, report = _failure(tmp_path, "at_system_clock", "attribution")
    assert "your flow's clock is SystemClock (step 'attribution.same_minute')" in report
    # the wrong answer stays the evidence: its sentence, the expected timeline, the run
    assert details.startswith("wrong row for key 'imp-1', window 0")
    assert _rows_under(details, "end of input") == [
        "expected window 0: clicked False",
        "✗ yours window 0: clicked True",
    ]


def test_a_row_matches_any_alternative_and_a_long_run_is_cut_saying_so() -> None:
    # a flow that writes a row per item must not make a report of thousands of lines
    events = [Event(n, "k", n * SECOND, ("order",)) for n in range(20)]
    expected = [Written("r or s", 3, ("r", "s")), Written("u", None)]
    yours = [Written("s", 3), Written("t", 4), *[Written("v", None)] * 9]
    text = join_run(events, "k", expected, yours, lambda e: "o")
    assert _rows_under(text, "#4") == ["✓ both s"]
    assert _rows_under(text, "#5") == ["✗ yours t"]
    assert _rows_under(text, "end of input") == [
        "expected u",
        *["✗ yours v"] * 4,
        "✗ yours ... and 5 more rows",
    ]
    assert "(4 later arrivals of 'k' not drawn)" in text and "#17" not in text


@pytest.mark.parametrize(
    ("case", "orders"),
    [
        ("en_map_per_item", [0, 2, 6]),  # asks for every order: #1, #3 and #7
        ("en_ttl_zero", [0, 6]),  # asks once per batch of five: #1, then #7 in the next
    ],
)
def test_a_catalogue_call_is_told_for_the_order_it_was_made_for(
    case: str, orders: list[int]
) -> None:
    enrich = lab_module("part3", "enrich")
    learner = ModuleType(case)
    exec(compile(submission_text("part3", "enrich", case), f"{case}.py", "exec"), vars(learner))
    events = enrich._orders("p-001", "p-002", "p-001", "p-003", "p-002", "p-004", "p-001")
    report = run_scripted_flow(
        LocalRunner(learner),
        "build_flow(...)",
        "build_flow",
        [(0, enrich._order_of(e)) for e in events],
        table=enrich.TABLE,
        per_tick=enrich._ENRICH_BATCH,
        tick_seconds=enrich._ENRICH_TICK,
    )
    assert enrich._asked_for(events, report["asked"], "p-001") == orders
