"""Catalogue case tumb_no_key_on: windows the readings without keying them by sensor first."""

from datetime import UTC, datetime, timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
WAIT = timedelta(seconds=10)


def build_flow(source, sink):
    flow = Dataflow("t")
    readings = op.input("in", flow, source)
    clock = win.EventClock(lambda r: r["ts"], wait_for_system_duration=WAIT)
    windower = win.TumblingWindower(timedelta(minutes=1), ALIGN)
    out = win.collect_window("c", readings, clock, windower)
    means = op.map_value("m", out.down, lambda w: (w[0], sum(r["temp"] for r in w[1]) / len(w[1])))
    op.output("o", means, sink)
    return flow
