"""Wrong: counts every event as a click."""

from datetime import timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

GAP = timedelta(minutes=5)
WAIT = timedelta(seconds=30)

def stats(events):
    ts = [e["ts"] for e in events]
    return (min(ts), max(ts), len(events), len(events))


def build_flow(source, sink):
    flow = Dataflow("s")
    keyed = op.key_on("k", op.input("in", flow, source), lambda e: e["user"])
    clock = win.EventClock(lambda e: e["ts"], wait_for_system_duration=WAIT)
    out = win.collect_window("c", keyed, clock, win.SessionWindower(gap=GAP))
    op.output("o", op.map_value("m", out.down, lambda w: stats(w[1])), sink)
    return flow
