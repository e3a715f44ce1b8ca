"""Catalogue case sess_system_clock: sessions by processing time (SystemClock)."""

from datetime import timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

GAP = timedelta(minutes=5)


def build_flow(source, sink):
    flow = Dataflow("s")
    keyed = op.key_on("k", op.input("in", flow, source), lambda e: e["user"])
    out = win.collect_window("c", keyed, win.SystemClock(), win.SessionWindower(gap=GAP))

    def stats(window):
        events = window[1]
        times = [e["ts"] for e in events]
        clicks = sum(1 for e in events if e["action"] == "click")
        return (min(times), max(times), len(events), clicks)

    op.output("o", op.map_value("m", out.down, stats), sink)
    return flow
