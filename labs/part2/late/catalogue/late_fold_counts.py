"""Correct, written unusually: fold_window counts and a reduce_final of ones for the late side."""

from datetime import UTC, datetime, timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
WAIT = timedelta(seconds=10)
MINUTE = timedelta(minutes=1)

import operator


def build_flow(source, sink, late_sink):
    flow = Dataflow("l")
    keyed = op.key_on("k", op.input("in", flow, source), lambda r: r["sensor"])
    clock = win.EventClock(lambda r: r["ts"], wait_for_system_duration=WAIT)
    out = win.fold_window("f", keyed, clock, win.TumblingWindower(MINUTE, ALIGN), lambda: 0, lambda n, _r: n + 1, operator.add)
    op.output("o", out.down, sink)
    ones = op.map_value("one", out.late, lambda _late: 1)
    op.output("late", op.reduce_final("sum", ones, operator.add), late_sink)
    return flow
