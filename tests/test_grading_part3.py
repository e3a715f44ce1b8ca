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

from grading_helpers import generated, lab_module
from hypothesis import given, settings
from hypothesis import strategies as st

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.grading import get_part
from learnstream.grading.kit import SECOND, Event
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


def test_live_holds_what_was_written_before_the_end_and_not_after() -> None:
    def final_join(left: object, right: object, out: object) -> Dataflow:
        flow = Dataflow("final")
        sides = (op.input("l", flow, left), op.input("r", flow, right))
        op.output("out", op.join("j", *sides, emit_mode="final"), out)
        return flow

    learner = types.SimpleNamespace(build_flow=final_join)
    report = run_scripted_flow(
        LocalRunner(learner),
        "build_flow(...)",
        "build_flow",
        [(0, ("k", 1)), (1, ("k", 2))],
        sources=2,
    )
    assert report["live"] == [[]]
    assert report["outputs"] == [[("k", (1, 2))]]


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


@settings(max_examples=60, deadline=None)
@given(st.composite(_events)())
def test_unpaid_model_agrees_with_the_solution(events: list[Event]) -> None:
    solution = _load(SOLUTIONS / "ex3_unpaid.py")
    orders_seen: set[str] = set()
    kept = []  # each order once, as the contract says
    for e in events:
        if e.value[0] == "order":
            if e.key in orders_seen:
                continue
            orders_seen.add(e.key)
        kept.append(e)
    script = [(0 if e.value[0] == "order" else 1, checks._shop_item(e)) for e in kept]
    report = run_scripted_flow(
        LocalRunner(solution), "build_flow(...)", "build_flow", script, sources=2
    )
    got = {order_id: order["ts"] for order_id, order in report["live"][0]}
    expected = {
        k: checks.to_datetime(t)
        for k, t in lab_module("part3", "unpaid").unpaid_orders(kept).items()
    }
    assert got == expected
    assert report["outputs"] == report["live"]
