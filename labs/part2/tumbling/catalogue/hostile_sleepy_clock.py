"""Hostile: the timestamp getter sleeps for ever."""

from datetime import UTC, datetime, timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
WAIT = timedelta(seconds=10)

import time


def build_flow(source, sink):
    flow = Dataflow("t")
    readings = op.input("in", flow, source)
    clock = win.EventClock(lambda r: time.sleep(10**6) or r["ts"], wait_for_system_duration=WAIT)
    out = win.count_window(
        "c", readings, clock, win.TumblingWindower(timedelta(minutes=1), ALIGN), key=lambda r: r["sensor"]
    )
    op.output("o", out.down, sink)
    return flow
