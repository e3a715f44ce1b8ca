"""Exercise 2 — `sliding`: a moving average over the last three minutes, every minute.

A moving average smooths a noisy signal: each value is the mean of a window that
*slides* along the stream. Sliding windows overlap, so one reading counts in
several of them.

Write `build_flow(source, sink) -> Dataflow`:

- `source` gives readings `{"sensor": str, "temp": float, "ts": datetime}`
  (timezone-aware `ts`), as in exercise 1;
- key by `reading["sensor"]`; an `EventClock` on `reading["ts"]` waiting `WAIT`;
  windows of `LENGTH` (three minutes) starting every `OFFSET` (one minute), aligned
  to `ALIGN`: `SlidingWindower(length=LENGTH, offset=OFFSET, align_to=ALIGN)`;
- write `(sensor, (window_id, mean_temp))` to `sink` once per sensor and window
  holding at least one on-time reading. Window `i` covers
  `[ALIGN + i * OFFSET, ALIGN + i * OFFSET + LENGTH)`, so a reading at 00:02:30
  is in windows 0, 1 and 2. Late readings are left out.

Try it:

    >>> from learnstream.connectors.simulated import SensorSource
    >>> from learnstream.testing import TestingSink, run_main
    >>> from ex2_sliding import build_flow
    >>> out = []
    >>> run_main(build_flow(SensorSource(sensors=1, limit=40), TestingSink(out)))
    >>> [window for _, (window, _) in sorted(out)[:3]]   # the first minute is in three windows
    [-2, -1, 0]

Check your work: `learnstream grade part2 sliding`. Stuck? `learnstream hint part2 sliding`.
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
#: How long each window lasts, and how often a new one starts.
LENGTH = timedelta(minutes=3)
OFFSET = timedelta(minutes=1)
#: How long the clock waits for readings that arrive out of order.
WAIT = timedelta(seconds=10)


# BEGIN SOLUTION
def mean_temp(readings: list[dict[str, Any]]) -> float:
    """The mean `temp` of some readings."""
    return sum(reading["temp"] for reading in readings) / len(readings)


# END SOLUTION
def build_flow(
    source: Source[dict[str, Any]], sink: Sink[tuple[str, tuple[int, float]]]
) -> Dataflow:
    """The mean temperature of each sensor over three-minute windows starting every minute."""
    # BEGIN SOLUTION
    flow = Dataflow("sliding")
    readings = op.input("readings", flow, source)
    keyed = op.key_on("by_sensor", readings, lambda reading: reading["sensor"])
    clock = win.EventClock(lambda reading: reading["ts"], wait_for_system_duration=WAIT)
    windower = win.SlidingWindower(length=LENGTH, offset=OFFSET, align_to=ALIGN)
    # collect_window hands over each window's readings when it closes; the clock
    # still needs their "ts", so the temperatures are picked out only then.
    collected = win.collect_window("collect", keyed, clock, windower)
    means = op.map_value("mean", collected.down, lambda w: (w[0], mean_temp(w[1])))
    op.output("out", means, sink)
    return flow
    # STUB
    # # TODO: read the readings from `source` and key them by sensor.
    # # TODO: window them: win.EventClock on reading["ts"] waiting WAIT, and
    # #       win.SlidingWindower(length=LENGTH, offset=OFFSET, align_to=ALIGN).
    # # TODO: write (sensor, (window_id, mean_temp)) to `sink` and return the flow.
    # raise NotImplementedError("build_flow is not written yet")
    # END SOLUTION
