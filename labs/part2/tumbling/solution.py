"""Exercise 1 — `tumbling`: the average temperature per sensor per minute.

Sensors send readings that carry the time they were *taken* (event time), and the
network delivers them a little out of order. Cut each sensor's readings into
back-to-back one-minute windows on event time, and average each window.

Write `build_flow(source, sink) -> Dataflow` (the grader calls it with its own
source and sink):

- `source` gives readings `{"sensor": str, "temp": float, "ts": datetime}`; `ts`
  is timezone-aware;
- key the readings by `reading["sensor"]`; use an `EventClock` reading
  `reading["ts"]` that waits `WAIT` for stragglers, and one-minute tumbling windows
  aligned to `ALIGN` (`TumblingWindower(length=LENGTH, align_to=ALIGN)`);
- write `(sensor, (window_id, mean_temp))` to `sink` once per sensor and window
  that holds at least one on-time reading. Window `i` covers
  `[ALIGN + i * LENGTH, ALIGN + (i + 1) * LENGTH)`: a reading exactly on a minute
  belongs to the window it opens. `mean_temp` is the mean of that window's `temp`s
  (a float). Late readings (the clock says their window is gone) are left out.

Try it on the simulated sensors (30 readings, up to 15 s of disorder):

    >>> from datetime import timedelta
    >>> from learnstream.connectors.simulated import SensorSource
    >>> from learnstream.testing import TestingSink, run_main
    >>> from ex1_tumbling import build_flow
    >>> out = []
    >>> source = SensorSource(sensors=2, limit=30, max_disorder=timedelta(seconds=15))
    >>> run_main(build_flow(source, TestingSink(out)))
    >>> sorted(out)[:2]
    [('sensor-0', (0, 20.150000000000002)), ('sensor-0', (1, 20.4))]

Check your work: `learnstream grade part2 tumbling`. Stuck? `learnstream hint part2 tumbling`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import learnstream.operators as op  # stub: # noqa: F401 (you will need it)
import learnstream.operators.windowing as win  # stub: # noqa: F401 (this too)
from learnstream.dataflow import Dataflow
from learnstream.inputs import Source
from learnstream.outputs import Sink

#: Window 0 starts here (the simulated sources start here too).
ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
#: How long each window lasts.
LENGTH = timedelta(minutes=1)
#: How long the clock waits for readings that arrive out of order.
WAIT = timedelta(seconds=10)


def build_flow(
    source: Source[dict[str, Any]], sink: Sink[tuple[str, tuple[int, float]]]
) -> Dataflow:
    """Average each sensor's temperatures per one-minute window of event time."""
    # BEGIN SOLUTION
    flow = Dataflow("tumbling")
    readings = op.input("readings", flow, source)
    keyed = op.key_on("by_sensor", readings, lambda reading: reading["sensor"])
    clock = win.EventClock(lambda reading: reading["ts"], wait_for_system_duration=WAIT)
    windower = win.TumblingWindower(length=LENGTH, align_to=ALIGN)
    sums = win.fold_window(
        "sum",
        keyed,
        clock,
        windower,
        builder=lambda: (0.0, 0),
        folder=lambda acc, reading: (acc[0] + reading["temp"], acc[1] + 1),
        merger=lambda a, b: (a[0] + b[0], a[1] + b[1]),
    )
    means = op.map_value("mean", sums.down, lambda w: (w[0], w[1][0] / w[1][1]))
    op.output("out", means, sink)
    return flow
    # STUB
    # # TODO: read the readings from `source` (op.input) and key them by sensor (op.key_on).
    # # TODO: window them: win.EventClock on reading["ts"] waiting WAIT, and
    # #       win.TumblingWindower(length=LENGTH, align_to=ALIGN); fold each window to a mean.
    # # TODO: write (sensor, (window_id, mean_temp)) to `sink` (op.output) and return the flow.
    # raise NotImplementedError("build_flow is not written yet")
    # END SOLUTION
