# Catalogue case at_collect_window: tags both sides and collects each window: right
"""A Part 3 submission for the grader's catalogue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
WAIT = timedelta(seconds=10)


def build_flow(impressions, clicks, sink):
    flow = Dataflow("attribution")
    shown = op.map("ts", op.input("impressions", flow, impressions), lambda i: ("impression", i))
    clicked = op.map("tc", op.input("clicks", flow, clicks), lambda c: ("click", c))
    both = op.key_on("k", op.merge("m", shown, clicked), lambda t: t[1]["impression_id"])
    clock = win.EventClock(lambda t: t[1]["ts"], wait_for_system_duration=WAIT)
    windows = win.collect_window(
        "w", both, clock, win.TumblingWindower(timedelta(minutes=1), ALIGN)
    )

    def verdict(w):
        wid, items = w
        kinds = {kind for kind, _ in items}
        return wid, "impression" in kinds, "click" in kinds

    judged = op.map_value("judge", windows.down, verdict)
    shown_only = op.filter("shown", judged, lambda kv: kv[1][1])
    op.output("out", op.map_value("flag", shown_only, lambda v: (v[0], v[2])), sink)
    return flow
