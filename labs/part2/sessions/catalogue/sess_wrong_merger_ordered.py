"""Catalogue case sess_wrong_merger_ordered: the same wrong merger, folding in timestamp
order (the default, ordered=True): sessions then never merge, so the merger is never called
and the answers are right."""

from datetime import timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

GAP = timedelta(minutes=5)
WAIT = timedelta(seconds=30)


def add(acc, event):
    start, end, count, clicks = acc
    ts = event["ts"]
    return (
        ts if start is None else min(start, ts),
        ts if end is None else max(end, ts),
        count + 1,
        clicks + (event["action"] == "click"),
    )


def merge(a, b):
    return a  # wrong: the other session's events are lost


def right_merge(a, b):
    starts = [s for s in (a[0], b[0]) if s is not None]
    ends = [e for e in (a[1], b[1]) if e is not None]
    return (min(starts), max(ends), a[2] + b[2], a[3] + b[3])


def build_flow(source, sink):
    flow = Dataflow("s")
    keyed = op.key_on("k", op.input("in", flow, source), lambda e: e["user"])
    clock = win.EventClock(lambda e: e["ts"], wait_for_system_duration=WAIT)
    out = win.fold_window(
        "f", keyed, clock, win.SessionWindower(gap=GAP), lambda: (None, None, 0, 0), add, merge
    )
    op.output("o", op.map_value("m", out.down, lambda w: w[1]), sink)
    return flow
