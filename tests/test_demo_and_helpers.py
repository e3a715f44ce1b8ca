"""`map_dict_value` and `RandomMetricSource` behave as Bytewax's do."""

from __future__ import annotations

import itertools
from datetime import timedelta

import bytewax.operators as bw_op
from bytewax.connectors.demo import RandomMetricSource as BwRandomMetricSource
from bytewax.dataflow import Dataflow as BwDataflow
from bytewax.operators.helpers import map_dict_value as bw_map_dict_value
from bytewax.testing import TestingSink as BwSink
from bytewax.testing import run_main as bw_run_main

import learnstream.operators as op
from learnstream.connectors.demo import RandomMetricSource
from learnstream.dataflow import Dataflow
from learnstream.operators.helpers import map_dict_value
from learnstream.testing import TestingSink, TestingSource, run_main


def test_map_dict_value_changes_one_value_in_place() -> None:
    item = {"name": "ada", "n": 1}
    assert map_dict_value("n", lambda n: n + 1)(item) is item
    assert item == {"name": "ada", "n": 2}
    twin = {"name": "ada", "n": 1}
    assert bw_map_dict_value("n", lambda n: n + 1)(twin) == item


def test_map_dict_value_in_a_flow() -> None:
    out: list[dict[str, str]] = []
    flow = Dataflow("lens")
    s = op.input("inp", flow, TestingSource([{"a": "x", "b": "y"}]))
    op.output("out", op.map("up", s, map_dict_value("a", str.upper)), TestingSink(out))
    run_main(flow)
    assert out == [{"a": "X", "b": "y"}]


def _metrics(count: int) -> tuple[list[object], list[object]]:
    def numbers() -> object:
        it = itertools.count()
        return lambda: next(it)

    ours: list[object] = []
    flow = Dataflow("demo")
    cpu = op.input("cpu", flow, RandomMetricSource("cpu", timedelta(0), count, numbers()))
    mem = op.input("mem", flow, RandomMetricSource("mem", timedelta(0), count, numbers()))
    op.output("out", op.merge("all", cpu, mem), TestingSink(ours))
    run_main(flow)

    theirs: list[object] = []
    bflow = BwDataflow("demo")
    bcpu = bw_op.input("cpu", bflow, BwRandomMetricSource("cpu", timedelta(0), count, numbers()))
    bmem = bw_op.input("mem", bflow, BwRandomMetricSource("mem", timedelta(0), count, numbers()))
    bw_op.output("out", bw_op.merge("all", bcpu, bmem), BwSink(theirs))
    bw_run_main(bflow)
    return ours, theirs


def test_random_metric_source_emits_what_bytewax_emits() -> None:
    ours, theirs = _metrics(4)
    assert sorted(ours) == sorted(theirs)  # type: ignore[type-var]
    assert [x for x in ours if x[0] == "cpu"] == [("cpu", n) for n in range(4)]  # type: ignore[index]


def test_random_metric_partition_keeps_its_cadence_and_resumes() -> None:
    part = RandomMetricSource("t", timedelta(seconds=2), count=3).build_part("s", "t", None)
    start = part.next_awake()
    assert start is not None
    batches = [part.next_batch() for _ in range(3)]
    assert all(len(b) == 1 and b[0][0] == "t" and 0 <= b[0][1] < 10 for b in batches)
    assert part.next_awake() == start + timedelta(seconds=6)
    again = RandomMetricSource("t", timedelta(seconds=2), count=3).build_part(
        "s", "t", part.snapshot()
    )
    try:
        again.next_batch()
    except StopIteration:
        pass
    else:
        raise AssertionError("a resumed source must not emit past its count")
