"""Simulated unbounded streams for the course: random numbers, sensors, clicks.

Every source is deterministic for a given `seed`, runs forever unless given a
`limit`, and can pace itself in real time with `interval` (one batch per
interval) so a flow *feels* live. Event timestamps come from a simulated clock
that starts at `start`, not from the wall clock, so examples print the same
output on every machine.

>>> from learnstream.dataflow import Dataflow
>>> import learnstream.operators as op
>>> from learnstream.testing import run_main
>>> flow = Dataflow("sim_eg")
>>> _ = op.inspect("show", op.input("nums", flow, RandomIntSource(seed=7, limit=3)))
>>> run_main(flow)
sim_eg.show: 41
sim_eg.show: 19
sim_eg.show: 50
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any, TypeVar

from learnstream.engine import clock
from learnstream.inputs import FixedPartitionedSource, StatefulSourcePartition

X = TypeVar("X")

__all__ = ["ClickstreamSource", "RandomIntSource", "SensorSource", "SimulatedSource"]

DEFAULT_START = datetime(2024, 1, 1, tzinfo=UTC)


class _GeneratedPartition(StatefulSourcePartition[X, int]):
    """Replays a seeded generator; its state is how many items it has emitted."""

    def __init__(
        self,
        make: Callable[[], Iterator[X]],
        limit: int | None,
        batch_size: int,
        interval: timedelta | None,
        resume: int | None,
    ) -> None:
        self.items = make()
        self.emitted = resume or 0
        next(islice(self.items, self.emitted, self.emitted), None)
        self.limit = limit
        self.batch_size = batch_size
        self.interval = interval
        self.awake: datetime | None = None

    def next_batch(self) -> list[X]:
        room = (
            self.batch_size
            if self.limit is None
            else min(self.batch_size, self.limit - self.emitted)
        )
        if room <= 0:
            raise StopIteration
        batch = list(islice(self.items, room))
        if not batch:  # a finite generator (a bundled dataset) has run out
            raise StopIteration
        self.emitted += len(batch)
        if self.interval is not None:
            self.awake = clock.now() + self.interval
        return batch

    def next_awake(self) -> datetime | None:
        return self.awake

    def snapshot(self) -> int:
        return self.emitted


class SimulatedSource(FixedPartitionedSource[X, int]):
    """Base of the simulated sources: subclasses define `generate(rng)`."""

    def __init__(
        self,
        *,
        seed: int | None = 0,
        limit: int | None = None,
        batch_size: int = 1,
        interval: timedelta | None = None,
    ) -> None:
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be None (run forever) or >= 0, not {limit!r}")
        self.seed = seed
        self.limit = limit
        self.batch_size = batch_size
        self.interval = interval

    def generate(self, rng: random.Random) -> Iterator[X]:
        """The (possibly infinite) items, drawn from `rng`."""
        raise NotImplementedError

    def __iter__(self) -> Iterator[X]:
        """The same items as a plain Python iterator (for examples outside a flow)."""
        items = self.generate(random.Random(self.seed))
        return items if self.limit is None else islice(items, self.limit)

    def list_parts(self) -> list[str]:
        return ["simulated"]

    def build_part(
        self, step_id: str, for_part: str, resume_state: int | None
    ) -> _GeneratedPartition[X]:
        return _GeneratedPartition(
            lambda: self.generate(random.Random(self.seed)),
            self.limit,
            self.batch_size,
            self.interval,
            resume_state,
        )


class RandomIntSource(SimulatedSource[int]):
    """Random integers in `[low, high]` inclusive: the course's `rand_stream` as a source."""

    def __init__(self, low: int = 0, high: int = 100, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if low > high:
            raise ValueError(f"low ({low}) must not be greater than high ({high})")
        self.low = low
        self.high = high

    def generate(self, rng: random.Random) -> Iterator[int]:
        while True:
            yield rng.randint(self.low, self.high)


class SensorSource(SimulatedSource[dict[str, Any]]):
    """Temperature readings with event timestamps that arrive slightly out of order.

    Sensor `i` reads every `period` with a small random walk around `base_temp`.
    Each reading's `ts` is when it was measured; readings are delivered in an
    order that is shuffled by up to `max_disorder`, as on a real network.

    >>> readings = list(SensorSource(sensors=2, seed=1, limit=3))
    >>> [(r["sensor"], r["ts"].isoformat(), r["temp"]) for r in readings]
    [('sensor-0', '2024-01-01T00:00:00+00:00', 19.8), ('sensor-1', '2024-01-01T00:00:00+00:00', 20.2), ('sensor-0', '2024-01-01T00:00:10+00:00', 19.5)]
    """

    def __init__(
        self,
        sensors: int = 3,
        period: timedelta = timedelta(seconds=10),
        max_disorder: timedelta = timedelta(0),
        base_temp: float = 20.0,
        start: datetime = DEFAULT_START,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware, e.g. datetime(2024, 1, 1, tzinfo=UTC)")
        self.sensors = sensors
        self.period = period
        self.max_disorder = max_disorder
        self.base_temp = base_temp
        self.start = start

    def _in_order(self, rng: random.Random) -> Iterator[dict[str, Any]]:
        temps = [self.base_temp] * self.sensors
        for tick in range(10**18):
            ts = self.start + tick * self.period
            for i in range(self.sensors):
                temps[i] += rng.choice((-0.3, -0.2, -0.1, 0.1, 0.2, 0.3))
                yield {"sensor": f"sensor-{i}", "temp": round(temps[i], 1), "ts": ts}

    def generate(self, rng: random.Random) -> Iterator[dict[str, Any]]:
        return _delay(self._in_order(rng), rng, self.max_disorder)


class ClickstreamSource(SimulatedSource[dict[str, Any]]):
    """Page views and clicks of users who come in bursts (sessions) and then go quiet.

    >>> events = list(ClickstreamSource(users=2, seed=3, limit=2))
    >>> [(e["user"], e["action"], e["page"]) for e in events]
    [('user-0', 'view', '/cart'), ('user-0', 'view', '/home')]
    """

    PAGES = ("/home", "/search", "/product", "/cart", "/checkout", "/help")

    def __init__(
        self,
        users: int = 5,
        mean_gap: timedelta = timedelta(seconds=20),
        mean_idle: timedelta = timedelta(minutes=10),
        session_length: int = 6,
        max_disorder: timedelta = timedelta(0),
        start: datetime = DEFAULT_START,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware, e.g. datetime(2024, 1, 1, tzinfo=UTC)")
        self.users = users
        self.mean_gap = mean_gap
        self.mean_idle = mean_idle
        self.session_length = session_length
        self.max_disorder = max_disorder
        self.start = start

    def _in_order(self, rng: random.Random) -> Iterator[dict[str, Any]]:
        # Each user's next event time; always emit the user whose event is earliest.
        next_at = [self.start + rng.random() * self.mean_idle for _ in range(self.users)]
        left = [rng.randint(1, 2 * self.session_length) for _ in range(self.users)]
        fresh = [True] * self.users  # a session always starts with a page view
        while True:
            u = min(range(self.users), key=next_at.__getitem__)
            ts = next_at[u]
            action = "view" if fresh[u] or rng.random() < 0.5 else "click"
            fresh[u] = False
            yield {"user": f"user-{u}", "action": action, "page": rng.choice(self.PAGES), "ts": ts}
            left[u] -= 1
            if left[u] <= 0:
                left[u] = rng.randint(1, 2 * self.session_length)
                fresh[u] = True
                gap = self.mean_idle * rng.uniform(0.5, 1.5)
            else:
                gap = self.mean_gap * rng.uniform(0.1, 1.9)
            next_at[u] = ts + gap

    def generate(self, rng: random.Random) -> Iterator[dict[str, Any]]:
        return _delay(self._in_order(rng), rng, self.max_disorder)


def _delay(
    events: Iterator[dict[str, Any]], rng: random.Random, max_disorder: timedelta
) -> Iterator[dict[str, Any]]:
    """Deliver in-order events shuffled by a random network delay of at most `max_disorder`.

    An event is released once an event at least `max_disorder` later has been
    generated, so no event arrives after one more than `max_disorder` younger.
    """
    if max_disorder <= timedelta(0):
        yield from events
        return
    pending: list[tuple[datetime, int, dict[str, Any]]] = []
    for n, event in enumerate(events):
        pending.append((event["ts"] + rng.random() * max_disorder, n, event))
        pending.sort(key=lambda p: (p[0], p[1]))
        while pending and pending[0][0] <= event["ts"]:
            yield pending.pop(0)[2]
    # A finite stream has ended: what is still in flight arrives, in delivery order.
    for *_, event in pending:
        yield event
