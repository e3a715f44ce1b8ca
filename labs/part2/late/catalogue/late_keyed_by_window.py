"""Wrong: counts late readings per window id instead of per sensor."""

from datetime import UTC, datetime, timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
WAIT = timedelta(seconds=10)
MINUTE = timedelta(minutes=1)

def build_flow(source, sink, late_sink):
    flow = Dataflow("l")
    readings = op.input("in", flow, source)
    clock = win.EventClock(lambda r: r["ts"], wait_for_system_duration=WAIT)
    counts = win.count_window("c", readings, clock, win.TumblingWindower(MINUTE, ALIGN), key=lambda r: r["sensor"])
    op.output("o", counts.down, sink)
    op.output("late", op.count_final("n", counts.late, lambda kv: str(kv[1][0])), late_sink)
    return flow
