"""Wrong: five-minute tumbling windows instead of sessions."""

from datetime import timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

GAP = timedelta(minutes=5)
WAIT = timedelta(seconds=30)

from datetime import UTC, datetime


def stats(events):
    ts = [e["ts"] for e in events]
    return (min(ts), max(ts), len(events), sum(e["action"] == "click" for e in events))


def build_flow(source, sink):
    flow = Dataflow("s")
    keyed = op.key_on("k", op.input("in", flow, source), lambda e: e["user"])
    clock = win.EventClock(lambda e: e["ts"], wait_for_system_duration=WAIT)
    windower = win.TumblingWindower(GAP, datetime(2024, 1, 1, tzinfo=UTC))
    out = win.collect_window("c", keyed, clock, windower)
    op.output("o", op.map_value("m", out.down, lambda w: stats(w[1])), sink)
    return flow
