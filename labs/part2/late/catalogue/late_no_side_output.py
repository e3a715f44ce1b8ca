"""Wrong: never writes to late_sink."""

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
    return flow
