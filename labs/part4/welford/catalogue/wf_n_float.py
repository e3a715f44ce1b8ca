# Catalogue case wf_n_float: counts the readings in a float (n = 0.0)
"""Exercise 1 — `welford`: a running mean and variance per sensor that stays right.

A model's features are often "how unusual is this reading for this sensor?", and
that needs each sensor's mean and variance *so far*, updated one reading at a
time without keeping the readings. The textbook shortcut — keep `n`, `sum(x)`
and `sum(x*x)`, then `variance = (sum_sq - sum**2 / n) / (n - 1)` — subtracts
two huge, nearly equal numbers when readings are large (a clock in seconds, a
sensor with an offset of a billion) and returns garbage, even negative
variances. Welford's update keeps the mean and the sum of squared distances to
it (`m2`) instead, and stays accurate.

Write the class `RunningStats`:

- `RunningStats()` starts empty: `n == 0`, `mean == 0.0`, `variance == 0.0`;
- `update(x)` adds one reading and returns the object itself (so
  `RunningStats().update(1.0).update(3.0)` works);
- `n` (int), `mean` (float) and `variance` (float) are readable attributes or
  properties; `variance` is the *sample* variance, dividing by `n - 1` as
  `statistics.variance` and River's `stats.Var()` do, and is `0.0` while `n < 2`;
- it never keeps the readings (memory must not grow with the stream).

Then write `build_flow(source, sink) -> Dataflow`:

- `source` gives readings `{"sensor": str, "temp": float, "ts": datetime}`, in order;
- key them by `reading["sensor"]`, keep one `RunningStats` per sensor
  (`op.stateful_map`), and after each reading write
  `(sensor, (n, mean, variance))` to `sink`: that sensor's statistics including
  this reading. Sensors never share state.

Thresholds the grader uses: `mean` within 1e-9 and `variance` within 1e-6 of the
exact answer (relative, or absolute below 1), on readings as large as 1e9 that
differ by as little as 0.25.

Try it:

    from learnstream.connectors.simulated import SensorSource
    from learnstream.testing import TestingSink, run_main
    from ex1_welford import RunningStats, build_flow
    stats = RunningStats().update(1e9 + 1).update(1e9 + 2).update(1e9 + 3)
    stats.n, stats.mean, stats.variance   # (3, 1000000002.0, 1.0)
    out = []
    run_main(build_flow(SensorSource(sensors=2, limit=6), TestingSink(out)))
    out[-1]   # ('sensor-1', (3, 20.066..., 0.00333...))

Check your work: `learnstream grade part4 welford`. Stuck? `learnstream hint part4 welford`.
"""

from __future__ import annotations

from typing import Any

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.inputs import Source
from learnstream.outputs import Sink


class RunningStats:
    """Count, mean and sample variance of the readings seen so far (Welford's update)."""

    def __init__(self) -> None:
        self.n = 0.0
        self.mean = 0.0
        self.m2 = 0.0  # the sum of squared distances to the current mean

    def update(self, x: float) -> RunningStats:
        """Add one reading; return self."""
        self.n += 1
        delta = x - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (x - self.mean)  # old distance times new distance
        return self

    @property
    def variance(self) -> float:
        """The sample variance (divides by n - 1); 0.0 while fewer than two readings."""
        return self.m2 / (self.n - 1) if self.n > 1 else 0.0


def build_flow(
    source: Source[dict[str, Any]], sink: Sink[tuple[str, tuple[int, float, float]]]
) -> Dataflow:
    """Write each sensor's running (n, mean, variance) after each of its readings."""

    def update(stats: RunningStats | None, reading: dict[str, Any]) -> tuple[RunningStats, Any]:
        stats = (stats or RunningStats()).update(reading["temp"])
        return stats, (stats.n, stats.mean, stats.variance)

    flow = Dataflow("welford")
    readings = op.input("readings", flow, source)
    keyed = op.key_on("by_sensor", readings, lambda reading: reading["sensor"])
    op.output("out", op.stateful_map("stats", keyed, update), sink)
    return flow
