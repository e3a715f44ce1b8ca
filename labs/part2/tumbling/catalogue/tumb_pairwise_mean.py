"""Wrong: reduce_window averaging pairs, which is no mean for three or more readings."""

from datetime import UTC, datetime, timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
WAIT = timedelta(seconds=10)

def build_flow(source, sink):
    flow = Dataflow("t")
    keyed = op.key_on("k", op.input("in", flow, source), lambda r: r["sensor"])
    clock = win.EventClock(lambda r: r["ts"], wait_for_system_duration=WAIT)
    windower = win.TumblingWindower(timedelta(minutes=1), ALIGN)
    out = win.reduce_window("r", keyed, clock, windower, lambda a, b: {**b, "temp": (a["temp"] + b["temp"]) / 2})
    op.output("o", op.map_value("m", out.down, lambda w: (w[0], w[1]["temp"])), sink)
    return flow
