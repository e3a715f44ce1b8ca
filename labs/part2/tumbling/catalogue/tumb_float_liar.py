"""Hostile: means are a float subclass that claims to equal anything."""

from datetime import UTC, datetime, timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
WAIT = timedelta(seconds=10)

class Agreeable(float):
    def __eq__(self, other):
        return True

    def __hash__(self):
        return 0


def build_flow(source, sink):
    flow = Dataflow("t")
    readings = op.input("in", flow, source)
    clock = win.EventClock(lambda r: r["ts"], wait_for_system_duration=WAIT)
    out = win.count_window(
        "c", readings, clock, win.TumblingWindower(timedelta(minutes=1), ALIGN), key=lambda r: r["sensor"]
    )
    op.output("o", op.map_value("m", out.down, lambda w: (w[0], Agreeable(0))), sink)
    return flow
