"""Snapshots of changed keys only: a crash and resume gives the uninterrupted output,
and each epoch's rows in the store are exactly the keys that changed in it.

Hypothesis draws a flow (a subset of stateful_map with discards, count_final,
fold_final and fold_window), its keyed input and batch size, and the items at which
the run crashes (an exception in a map step, mid-epoch); every batch is an epoch
(`epoch_interval=0`), so the resumed runs' output, appended to the crashed runs',
equals one uninterrupted run's. Run on each backend (`LEARNSTREAM_BACKEND=python` for the twins). A separate run
that keeps every epoch's rows
(`backup_interval` of an hour) has its rows read back: each epoch's row of a step
must name exactly the keys of that epoch's batch.
"""

from __future__ import annotations

import pickle
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow
from learnstream.errors import UserFunctionError
from learnstream.recovery import RecoveryConfig, init_db_dir
from learnstream.testing import TestingSink, TestingSource, run_main

ZERO = timedelta(0)
START = datetime(2024, 1, 1, tzinfo=UTC)
STEPS = ("running", "count", "fold", "window")


class Crash(Exception):
    """The run dies here (as a SIGKILL would: no snapshot of the epoch in progress)."""


class Crasher:
    """A map step that raises at the items (counted across runs) in `at`, once each."""

    def __init__(self, at: set[int]) -> None:
        self.at = at
        self.seen = 0

    def __call__(self, item: Any) -> Any:
        self.seen += 1
        if self.seen in self.at:
            self.at.discard(self.seen)
            self.seen -= 1  # the item is read again by the resumed run
            raise Crash(self.seen)
        return item


def _running(total: int | None, value: int) -> tuple[int | None, int]:
    """A running sum that forgets its key on a 0 (the key's state is discarded)."""
    total = (total or 0) + value
    return (None if value == 0 else total), total


def _flow(items: list[tuple[str, int]], steps: list[str], batch: int, crasher: Crasher) -> tuple:
    flow = Dataflow("f")
    out: list[Any] = []
    s = op.map("die", op.input("inp", flow, TestingSource(items, batch)), crasher)
    ups = []
    if "running" in steps:
        ups.append(op.map("r", op.stateful_map("running", s, _running), lambda kv: ("r", kv)))
    if "count" in steps:
        counts = op.count_final("count", op.map("k", s, lambda kv: kv[0]), lambda k: k)
        ups.append(op.map("c", counts, lambda kv: ("c", kv)))
    if "fold" in steps:
        ups.append(op.map("f", op.fold_final("fold", s, list, _append), lambda kv: ("f", kv)))
    if "window" in steps:
        clock = win.EventClock(
            lambda v: START + timedelta(seconds=v * 7), wait_for_system_duration=ZERO
        )
        windower = win.TumblingWindower(timedelta(seconds=20), START)
        windowed = win.fold_window("window", s, clock, windower, list, _append, _concat)
        ups.append(op.map("w", windowed.down, lambda kv: ("w", kv)))
    op.output("out", op.merge("all", *ups), TestingSink(out))
    return flow, out


def _append(acc: list[int], value: int) -> list[int]:
    return [*acc, value]


def _concat(a: list[int], b: list[int]) -> list[int]:
    return a + b


def _run(flow: Dataflow, config: RecoveryConfig | None) -> None:
    run_main(flow, epoch_interval=ZERO, recovery_config=config, now_getter=lambda: START)


keyed = st.lists(st.tuples(st.sampled_from("abcde"), st.integers(0, 4)), max_size=30)
flows = st.lists(st.sampled_from(STEPS), min_size=1, max_size=4, unique=True)


@settings(max_examples=80, deadline=None)
@given(
    keyed,
    flows,
    st.integers(1, 4),
    st.sets(st.integers(1, 30), min_size=1, max_size=3),
    st.sampled_from([ZERO, timedelta(hours=1)]),
)
def test_a_crashed_run_resumes_to_the_uninterrupted_output(
    items: list[tuple[str, int]],
    steps: list[str],
    batch: int,
    crashes: set[int],
    backup: timedelta,
) -> None:
    """With backup_interval 0, rows no resume needs are folded as the run goes."""
    expected_flow, expected = _flow(items, steps, batch, Crasher(set()))
    _run(expected_flow, None)
    crasher = Crasher(set(crashes))
    flow, out = _flow(items, steps, batch, crasher)
    with TemporaryDirectory() as tmp:
        init_db_dir(Path(tmp), 2)
        for _ in range(len(crashes) + 1):
            try:
                _run(flow, RecoveryConfig(Path(tmp), backup))
                break
            except UserFunctionError as err:  # the map step names the item it died on
                assert isinstance(err.__cause__, Crash)
    assert out == expected


@settings(max_examples=40, deadline=None)
@given(keyed, flows, st.integers(1, 4))
def test_each_epoch_writes_the_keys_that_changed_in_it(
    items: list[tuple[str, int]], steps: list[str], batch: int
) -> None:
    flow, _ = _flow(items, steps, batch, Crasher(set()))
    with TemporaryDirectory() as tmp:
        init_db_dir(Path(tmp), 1)
        _run(flow, RecoveryConfig(Path(tmp), timedelta(hours=1)))
        with sqlite3.connect(Path(tmp) / "part-0.sqlite3") as db:
            rows = db.execute("SELECT step_id, epoch, changes FROM snaps").fetchall()
    found = set()
    for step, epoch, blob in rows:
        states, gone = pickle.loads(blob)
        name = step.split(".")[1]
        if gone is None:  # every key of the step discarded at once
            gone = ["*"]
        found |= {(name, key, epoch, False) for key in states}
        found |= {(name, key, epoch, True) for key in gone}
        assert not set(states) & set(gone)  # no key is both changed and gone
    batches = [items[i : i + batch] for i in range(0, len(items), batch)]
    expected = set()
    for epoch, part in enumerate(batches, 1):
        expected.add(("inp", "iterable", epoch, False))  # the source's position, every epoch
        last = {key: value for key, value in part}  # a key's state after its last item
        for step in steps:
            if step == "window":
                expected.add((step, "", epoch, False))  # the window core: one whole state
                continue
            for key in last:
                expected.add((step, key, epoch, step == "running" and last[key] == 0))
    eof = len(batches) + 1  # the epoch of EOF: count_final and fold_final let go of every key
    expected.add(("inp", "iterable", eof, False))
    seen = {key for key, _ in items}
    for step in steps:
        if step == "window":
            expected.add((step, "", eof, False))
        elif step == "count":  # count_final emitted every count: one tombstone for all
            expected.add((step, "*", eof, True))
        elif step == "fold":
            expected |= {(step, key, eof, True) for key in seen}
    running_eof = {r for r in found if r[0] == "running" and r[2] == eof}
    assert {r for r in found if r[2] < eof} == {r for r in expected if r[2] < eof}
    assert {r for r in found if r[2] == eof} - running_eof == {r for r in expected if r[2] == eof}
