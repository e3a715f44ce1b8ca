"""Hostile: a mapper ends the Python process."""

from datetime import UTC, datetime, timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow

ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
WAIT = timedelta(seconds=10)

import os


def build_flow(source, sink):
    flow = Dataflow("t")
    readings = op.map("bye", op.input("in", flow, source), lambda r: os._exit(0))
    op.output("o", readings, sink)
    return flow
