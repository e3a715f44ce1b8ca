"""Correct, written unusually: fold_window of (total, count)."""

from datetime import UTC, datetime, timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
WAIT = timedelta(seconds=10)

def build_flow(source, sink):
    flow = Dataflow("s")
    keyed = op.key_on("k", op.input("in", flow, source), lambda r: r["sensor"])
    clock = win.EventClock(lambda r: r["ts"], wait_for_system_duration=WAIT)
    windower = win.SlidingWindower(timedelta(minutes=3), timedelta(minutes=1), ALIGN)
    out = win.fold_window(
        "f", keyed, clock, windower,
        lambda: [0.0, 0],
        lambda acc, r: [acc[0] + r["temp"], acc[1] + 1],
        lambda a, b: [a[0] + b[0], a[1] + b[1]],
    )
    op.output("o", op.map_value("m", out.down, lambda w: (w[0], w[1][0] / w[1][1])), sink)
    return flow
