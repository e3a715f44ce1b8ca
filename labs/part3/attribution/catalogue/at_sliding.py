# Catalogue case at_sliding: sliding windows of a minute every 30 s: wrong (windows)
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
    shown = op.key_on(
        "ks", op.input("impressions", flow, impressions), lambda i: i["impression_id"]
    )
    clicked = op.key_on("kc", op.input("clicks", flow, clicks), lambda c: c["impression_id"])
    clock = win.EventClock(lambda item: item["ts"], wait_for_system_duration=WAIT)
    joined = win.join_window(
        "w",
        clock,
        win.SlidingWindower(
            length=timedelta(minutes=1), offset=timedelta(seconds=30), align_to=ALIGN
        ),
        shown,
        clicked,
        insert_mode="first",
        emit_mode="final",
    )
    rows = op.filter("has", joined.down, lambda kv: kv[1][1][0] is not None)
    op.output("out", op.map_value("clicked", rows, lambda w: (w[0], w[1][1] is not None)), sink)
    return flow
