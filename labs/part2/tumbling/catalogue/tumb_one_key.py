"""Wrong: all sensors share one key, so their windows are mixed."""

from datetime import UTC, datetime, timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
WAIT = timedelta(seconds=10)

def build_flow(source, sink):
    flow = Dataflow("t")
    keyed = op.key_on("k", op.input("in", flow, source), lambda r: "sensor-0")
    clock = win.EventClock(lambda r: r["ts"], wait_for_system_duration=WAIT)
    out = win.collect_window("c", keyed, clock, win.TumblingWindower(timedelta(minutes=1), ALIGN))
    op.output("o", op.map_value("m", out.down, lambda w: (w[0], sum(r["temp"] for r in w[1]) / len(w[1]))), sink)
    return flow
