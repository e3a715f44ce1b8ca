"""Catalogue case tumb_system_clock: windows by processing time (SystemClock), not the readings' ts."""

from datetime import UTC, datetime, timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

ALIGN = datetime(2024, 1, 1, tzinfo=UTC)


def build_flow(source, sink):
    flow = Dataflow("t")
    keyed = op.key_on("k", op.input("in", flow, source), lambda r: r["sensor"])
    windower = win.TumblingWindower(timedelta(minutes=1), ALIGN)
    out = win.collect_window("c", keyed, win.SystemClock(), windower)
    means = op.map_value("m", out.down, lambda w: (w[0], sum(r["temp"] for r in w[1]) / len(w[1])))
    op.output("o", means, sink)
    return flow
