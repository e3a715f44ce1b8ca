"""Correct, written unusually: collect_window, then statistics.fmean."""

from datetime import UTC, datetime, timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
WAIT = timedelta(seconds=10)

import statistics


def build_flow(source, sink):
    flow = Dataflow("t")
    keyed = op.key_on("k", op.input("in", flow, source), lambda r: r["sensor"])
    clock = win.EventClock(lambda r: r["ts"], wait_for_system_duration=WAIT)
    out = win.collect_window("c", keyed, clock, win.TumblingWindower(timedelta(minutes=1), ALIGN))
    op.output("o", op.map_value("m", out.down, lambda w: (w[0], statistics.fmean(r["temp"] for r in w[1]))), sink)
    return flow
