# Catalogue case z_rolling_100: judges each reading against its last 100 earlier readings (a rolling baseline)
"""Exercise 2 — `zscore`: flag readings that are unusual for their own sensor.

A reading is suspicious when it is far from what *this* sensor usually reads,
measured in standard deviations: its z-score `(temp - mean) / std`. The mean and
standard deviation must come from the sensor's **earlier** readings only. A
reading counted in its own baseline pulls the mean towards itself and widens the
spread, so it hides exactly the spikes you are looking for (with ten earlier
readings, a spike can then never score much above 3) — the streaming form of
leakage.

Write `build_flow(source, sink) -> Dataflow`:

- `source` gives readings `{"sensor": str, "temp": float, "ts": datetime}`, in order;
- key them by `reading["sensor"]`; keep each sensor's running count, mean and
  *sample* standard deviation (`sqrt` of the variance dividing by `n - 1`; your
  `RunningStats` from exercise 1 is the right tool: copy it here);
- for each reading, first judge it against the sensor's earlier readings, then
  add it to them; write `(sensor, (temp, z, is_anomaly))` to `sink`:
  - `z` is `None` while the sensor has fewer than `MIN_HISTORY` earlier readings,
    or when their standard deviation is 0 (there is no spread to judge against);
  - otherwise `z = (temp - mean) / std` over the earlier readings (a float);
  - `is_anomaly` is `True` exactly when `z` is not `None` and `abs(z) > THRESHOLD`;
- every reading joins its sensor's baseline afterwards, anomalies included.
  Sensors never share state.

The grader compares `z` within 1e-6 (relative, or absolute below 1).

Try it:

    from learnstream.testing import TestingSink, TestingSource, run_main
    from ex2_zscore import build_flow
    temps = [20.0, 20.5, 19.5, 20.0, 20.5, 19.5, 35.0]
    readings = [{"sensor": "a", "temp": t, "ts": None} for t in temps]
    out = []
    run_main(build_flow(TestingSource(readings), TestingSink(out)))
    out[-1]   # ('a', (35.0, 33.54..., True))

Check your work: `learnstream grade part4 zscore`. Stuck? `learnstream hint part4 zscore`.
"""

from __future__ import annotations

import math
from typing import Any

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.inputs import Source
from learnstream.outputs import Sink

#: A reading is an anomaly when its z-score is further than this from 0.
THRESHOLD = 3.0
#: How many earlier readings a sensor needs before its readings are judged.
MIN_HISTORY = 5


class RecentStats:
    """Mean and sample variance of the last 100 readings."""

    def __init__(self) -> None:
        self.recent: list[float] = []

    @property
    def n(self) -> int:
        return len(self.recent)

    @property
    def mean(self) -> float:
        return sum(self.recent) / len(self.recent) if self.recent else 0.0

    @property
    def variance(self) -> float:
        k, mean = len(self.recent), self.mean
        return sum((v - mean) ** 2 for v in self.recent) / (k - 1) if k > 1 else 0.0

    def update(self, x: float) -> RecentStats:
        self.recent = [*self.recent[-99:], x]
        return self


class RunningStats:
    """Count, mean and sample variance of the readings seen so far (Welford's update)."""

    def __init__(self) -> None:
        self.n = 0
        self.mean = 0.0
        self.m2 = 0.0

    def update(self, x: float) -> RunningStats:
        """Add one reading; return self."""
        self.n += 1
        delta = x - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (x - self.mean)
        return self

    @property
    def variance(self) -> float:
        """The sample variance (divides by n - 1); 0.0 while fewer than two readings."""
        return self.m2 / (self.n - 1) if self.n > 1 else 0.0


def judge(stats: RunningStats, temp: float) -> tuple[float | None, bool]:
    """The z-score of `temp` against `stats` (the earlier readings), and the verdict."""
    std = math.sqrt(stats.variance)
    if stats.n < MIN_HISTORY or std == 0.0:
        return None, False
    z = (temp - stats.mean) / std
    return z, abs(z) > THRESHOLD


def build_flow(
    source: Source[dict[str, Any]],
    sink: Sink[tuple[str, tuple[float, float | None, bool]]],
) -> Dataflow:
    """Score each reading against its sensor's earlier readings, then learn from it."""

    def score(stats: RecentStats | None, reading: dict[str, Any]) -> tuple[RunningStats, Any]:
        stats = stats or RecentStats()
        temp = reading["temp"]
        z, is_anomaly = judge(stats, temp)  # judge first...
        stats.update(temp)  # ...then let the reading into the baseline
        return stats, (temp, z, is_anomaly)

    flow = Dataflow("zscore")
    readings = op.input("readings", flow, source)
    keyed = op.key_on("by_sensor", readings, lambda reading: reading["sensor"])
    op.output("out", op.stateful_map("score", keyed, score), sink)
    return flow
