"""Count sensor readings per sensor and half minute; route late readings to their own output.

Run from this folder: `learnstream run late_readings` (Part 2, "Late data").
"""

from datetime import UTC, datetime, timedelta

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.connectors.simulated import SensorSource
from learnstream.connectors.stdio import StdOutSink
from learnstream.dataflow import Dataflow

START = datetime(2024, 1, 1, tzinfo=UTC)

flow = Dataflow("late_readings")
readings = op.input(
    "readings", flow, SensorSource(sensors=2, seed=2, limit=24, max_disorder=timedelta(seconds=30))
)
clock = win.EventClock(lambda r: r["ts"], wait_for_system_duration=timedelta(seconds=5))
per_30s = win.TumblingWindower(length=timedelta(seconds=30), align_to=START)
counts = win.count_window("count", readings, clock, per_30s, key=lambda r: r["sensor"])
op.output("counts", counts.down, StdOutSink())


def describe(late):
    sensor, (window_id, reading) = late
    return f"late: {sensor} reading of {reading['ts']:%H:%M:%S} missed window {window_id}"


op.output("late", op.map("describe", counts.late, describe), StdOutSink())
