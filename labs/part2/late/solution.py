"""Exercise 4 — `late`: send late readings to a side output, and count them.

A clock that waits `WAIT` for stragglers still gives up at some point: a reading
older than its sensor's watermark is *late*. Dropping it silently hides a
problem (a slow network, a sensor with a wrong clock); a windowing operator
hands such items over on its `.late` stream instead, so you can count or store
them.

Write `build_flow(source, sink, late_sink) -> Dataflow`:

- `source` gives readings `{"sensor": str, "temp": float, "ts": datetime}`;
- key by `reading["sensor"]`; an `EventClock` on `reading["ts"]` waiting `WAIT`;
  one-minute tumbling windows aligned to `ALIGN`;
- write `(sensor, (window_id, count))` to `sink`: how many on-time readings each
  sensor had in each window (`count_window` does this);
- write `(sensor, late_count)` to `late_sink` once the input ends, for each sensor
  that had at least one late reading: how many of its readings were late.

A sensor's watermark is the latest `ts` it has sent minus `WAIT`; a reading whose
`ts` is before it is late (one exactly on it is not).

Try it:

    >>> from datetime import timedelta
    >>> from learnstream.connectors.simulated import SensorSource
    >>> from learnstream.testing import TestingSink, run_main
    >>> from ex4_late import build_flow
    >>> windows, late = [], []
    >>> source = SensorSource(sensors=3, limit=200, max_disorder=timedelta(seconds=40))
    >>> run_main(build_flow(source, TestingSink(windows), TestingSink(late)))
    >>> late   # about a third come too late
    [('sensor-0', 24), ('sensor-1', 23), ('sensor-2', 22)]

Check your work: `learnstream grade part2 late`. Stuck? `learnstream hint part2 late`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import learnstream.operators as op  # stub: # noqa: F401 (you will need it)
import learnstream.operators.windowing as win  # stub: # noqa: F401 (this too)
from learnstream.dataflow import Dataflow
from learnstream.inputs import Source
from learnstream.outputs import Sink

#: Window 0 starts here.
ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
#: How long each window lasts.
LENGTH = timedelta(minutes=1)
#: How long the clock waits for readings that arrive out of order.
WAIT = timedelta(seconds=10)


def build_flow(
    source: Source[dict[str, Any]],
    sink: Sink[tuple[str, tuple[int, int]]],
    late_sink: Sink[tuple[str, int]],
) -> Dataflow:
    """Count on-time readings per sensor and minute; count each sensor's late readings."""
    # BEGIN SOLUTION
    flow = Dataflow("late")
    readings = op.input("readings", flow, source)
    clock = win.EventClock(lambda reading: reading["ts"], wait_for_system_duration=WAIT)
    windower = win.TumblingWindower(length=LENGTH, align_to=ALIGN)
    counts = win.count_window(
        "count", readings, clock, windower, key=lambda reading: reading["sensor"]
    )
    op.output("out", counts.down, sink)
    # .late holds (sensor, (window_id, reading)); count them per sensor at the end.
    late_counts = op.count_final("count_late", counts.late, lambda late: late[0])
    op.output("late_out", late_counts, late_sink)
    return flow
    # STUB
    # # TODO: read the readings from `source`; count them per sensor in one-minute tumbling
    # #       windows (win.count_window with an EventClock on reading["ts"] waiting WAIT).
    # # TODO: write the window counts (.down) to `sink`.
    # # TODO: count the late readings (.late) per sensor and write (sensor, late_count)
    # #       to `late_sink`; return the flow.
    # raise NotImplementedError("build_flow is not written yet")
    # END SOLUTION
