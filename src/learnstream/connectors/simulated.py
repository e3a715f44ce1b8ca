"""Simulated unbounded streams for the course: random numbers, sensors, clicks, shops.

Part 3 (joins) uses streams that belong together: `OrderSource` and the
`PaymentSource` that pays its orders, `AdImpressionSource` and the
`AdClickSource` that clicks on its impressions, and a `ProductCatalog` to
look products up in (with `enrich_cached`).

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

import heapq
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any, TypeVar

from learnstream.engine import clock
from learnstream.inputs import FixedPartitionedSource, StatefulSourcePartition

X = TypeVar("X")

__all__ = [
    "AdClickSource",
    "AdImpressionSource",
    "ClickstreamSource",
    "OrderSource",
    "PaymentSource",
    "ProductCatalog",
    "RandomIntSource",
    "SensorSource",
    "SimulatedSource",
]

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


def _aware_start(start: datetime) -> datetime:
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware, e.g. datetime(2024, 1, 1, tzinfo=UTC)")
    return start


def _fraction(name: str, value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a fraction between 0 and 1, not {value!r}")
    return value


def _seeded(seed: int | None) -> int:
    """A fixed seed: two sources that must agree (orders and their payments) share it."""
    return random.randrange(2**32) if seed is None else seed


class OrderSource(SimulatedSource[dict[str, Any]]):
    """Orders in a shop, one every `period` on average, in time order.

    Each order is `{"order_id", "customer", "product", "amount", "ts"}`;
    `order_id` ("order-000001"...) is unique, `product` ("p-001"...) is one
    of `products`, in `ProductCatalog`'s numbering. Pay them with `PaymentSource`.

    >>> orders = list(OrderSource(seed=4, limit=2))
    >>> [(o["order_id"], o["customer"], o["product"], o["amount"], o["ts"].isoformat(timespec="seconds"))
    ...  for o in orders]
    [('order-000001', 'cust-03', 'p-010', 14.8, '2024-01-01T00:00:00+00:00'), ('order-000002', 'cust-02', 'p-003', 11.32, '2024-01-01T00:00:00+00:00')]
    """

    def __init__(
        self,
        customers: int = 10,
        products: int = 20,
        period: timedelta = timedelta(seconds=1),
        start: datetime = DEFAULT_START,
        *,
        seed: int | None = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed=_seeded(seed), **kwargs)
        self.customers = customers
        self.products = products
        self.period = period
        self.start = _aware_start(start)

    def generate(self, rng: random.Random) -> Iterator[dict[str, Any]]:
        ts = self.start
        for n in range(1, 10**18):
            yield {
                "order_id": f"order-{n:06d}",
                "customer": f"cust-{rng.randrange(self.customers):02d}",
                "product": f"p-{rng.randrange(self.products) + 1:03d}",
                "amount": round(rng.uniform(5, 100), 2),
                "ts": ts,
            }
            ts += self.period * rng.uniform(0.1, 1.9)


class PaymentSource(SimulatedSource[dict[str, Any]]):
    """The payments of an `OrderSource`'s orders, in the order they arrive.

    Each payment is `{"payment_id", "order_id", "amount", "ts"}`, paid
    `delay` after its order (up to `max_delay`); a fraction `late` is paid
    much later (between `max_delay` and `late_delay`), a fraction `missing`
    is never paid, and a fraction `duplicated` arrives twice (the same
    `payment_id`, as a retrying client sends it). Payments are delivered
    shuffled by up to `max_disorder`. The stream ends after the last order's
    payment when `orders` has a `limit`. Payments are drawn from their own
    generator, seeded from the orders' seed, so `orders` is never consumed.

    >>> orders = OrderSource(seed=4, limit=5)
    >>> payments = list(PaymentSource(orders, missing=0.2, duplicated=0.2))
    >>> [(p["order_id"], p["ts"].isoformat(timespec="seconds")) for p in payments]
    [('order-000001', '2024-01-01T00:00:10+00:00'), ('order-000005', '2024-01-01T00:00:10+00:00'), ('order-000004', '2024-01-01T00:00:17+00:00'), ('order-000002', '2024-01-01T00:00:17+00:00'), ('order-000002', '2024-01-01T00:00:17+00:00'), ('order-000003', '2024-01-01T00:00:19+00:00'), ('order-000003', '2024-01-01T00:00:19+00:00')]
    """

    def __init__(
        self,
        orders: OrderSource,
        missing: float = 0.05,
        late: float = 0.05,
        duplicated: float = 0.02,
        max_delay: timedelta = timedelta(seconds=30),
        late_delay: timedelta = timedelta(minutes=10),
        max_disorder: timedelta = timedelta(0),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(orders, OrderSource):
            raise TypeError(f"PaymentSource pays the orders of an OrderSource, not {orders!r}")
        self.orders = orders
        self.missing = _fraction("missing", missing)
        self.late = _fraction("late", late)
        self.duplicated = _fraction("duplicated", duplicated)
        if late_delay < max_delay:
            raise ValueError("late_delay must be at least max_delay: late payments come later")
        self.max_delay = max_delay
        self.late_delay = late_delay
        self.max_disorder = max_disorder

    def _in_order(self, rng: random.Random) -> Iterator[dict[str, Any]]:
        due: list[tuple[datetime, int, dict[str, Any]]] = []  # a heap, by payment time
        for n, order in enumerate(iter(self.orders)):
            # Every payment due before this order is final: later orders pay later still.
            while due and due[0][0] <= order["ts"]:
                yield heapq.heappop(due)[2]
            if rng.random() < self.missing:
                continue
            if rng.random() < self.late:
                delay = self.max_delay + rng.random() * (self.late_delay - self.max_delay)
            else:
                delay = rng.random() * self.max_delay
            payment = {
                "payment_id": f"pay-{n + 1:06d}",
                "order_id": order["order_id"],
                "amount": order["amount"],
                "ts": order["ts"] + delay,
            }
            copies = 2 if rng.random() < self.duplicated else 1
            for c in range(copies):
                heapq.heappush(due, (payment["ts"], 2 * n + c, dict(payment)))
        while due:
            yield heapq.heappop(due)[2]

    def generate(self, rng: random.Random) -> Iterator[dict[str, Any]]:
        own = random.Random(f"payments-{self.orders.seed}-{self.seed}")
        return _delay(self._in_order(own), rng, self.max_disorder)


class AdImpressionSource(SimulatedSource[dict[str, Any]]):
    """Ads shown to users: `{"impression_id", "user", "ad", "ts"}`, on event time.

    One impression every `period` on average; delivered shuffled by up to
    `max_disorder`. Click on them with `AdClickSource`.

    >>> shown = list(AdImpressionSource(seed=2, limit=2))
    >>> [(i["impression_id"], i["user"], i["ad"], i["ts"].isoformat(timespec="seconds")) for i in shown]
    [('imp-000001', 'user-2', 'ad-2', '2024-01-01T00:00:00+00:00'), ('imp-000002', 'user-3', 'ad-1', '2024-01-01T00:00:03+00:00')]
    """

    def __init__(
        self,
        users: int = 5,
        ads: int = 3,
        period: timedelta = timedelta(seconds=2),
        max_disorder: timedelta = timedelta(0),
        start: datetime = DEFAULT_START,
        *,
        seed: int | None = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed=_seeded(seed), **kwargs)
        self.users = users
        self.ads = ads
        self.period = period
        self.max_disorder = max_disorder
        self.start = _aware_start(start)

    def _in_order(self, rng: random.Random) -> Iterator[dict[str, Any]]:
        ts = self.start
        for n in range(1, 10**18):
            yield {
                "impression_id": f"imp-{n:06d}",
                "user": f"user-{rng.randrange(self.users)}",
                "ad": f"ad-{rng.randrange(self.ads) + 1}",
                "ts": ts,
            }
            ts += self.period * rng.uniform(0.1, 1.9)

    def in_time_order(self) -> Iterator[dict[str, Any]]:
        """The impressions before any disorder (what `AdClickSource` clicks on)."""
        items = self._in_order(random.Random(f"impressions-{self.seed}"))
        return items if self.limit is None else islice(items, self.limit)

    def generate(self, rng: random.Random) -> Iterator[dict[str, Any]]:
        # `rng` only shuffles: the impressions are in_time_order's, whatever the disorder.
        return _delay(
            self._in_order(random.Random(f"impressions-{self.seed}")), rng, self.max_disorder
        )


class AdClickSource(SimulatedSource[dict[str, Any]]):
    """Clicks on an `AdImpressionSource`'s impressions: `{"impression_id", "user", "ad", "ts"}`.

    A fraction `click_rate` of impressions is clicked, up to `max_click_delay`
    after it was shown; clicks are delivered shuffled by up to `max_disorder`,
    so a click may arrive before its impression or after its window has closed.

    >>> shown = AdImpressionSource(seed=2, limit=20)
    >>> clicks = list(AdClickSource(shown, click_rate=0.2))
    >>> [(c["impression_id"], c["user"], c["ts"].isoformat(timespec="seconds")) for c in clicks]
    [('imp-000009', 'user-2', '2024-01-01T00:00:17+00:00'), ('imp-000005', 'user-2', '2024-01-01T00:00:50+00:00'), ('imp-000017', 'user-3', '2024-01-01T00:01:15+00:00'), ('imp-000020', 'user-3', '2024-01-01T00:01:17+00:00')]
    """

    def __init__(
        self,
        impressions: AdImpressionSource,
        click_rate: float = 0.1,
        max_click_delay: timedelta = timedelta(minutes=1),
        max_disorder: timedelta = timedelta(0),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(impressions, AdImpressionSource):
            raise TypeError(
                f"AdClickSource clicks on an AdImpressionSource's impressions, not {impressions!r}"
            )
        self.impressions = impressions
        self.click_rate = _fraction("click_rate", click_rate)
        self.max_click_delay = max_click_delay
        self.max_disorder = max_disorder

    def _in_order(self, rng: random.Random) -> Iterator[dict[str, Any]]:
        due: list[tuple[datetime, int, dict[str, Any]]] = []
        for n, shown in enumerate(self.impressions.in_time_order()):
            while due and due[0][0] <= shown["ts"]:
                yield heapq.heappop(due)[2]
            if rng.random() < self.click_rate:
                click = dict(shown, ts=shown["ts"] + rng.random() * self.max_click_delay)
                heapq.heappush(due, (click["ts"], n, click))
        while due:
            yield heapq.heappop(due)[2]

    def generate(self, rng: random.Random) -> Iterator[dict[str, Any]]:
        own = random.Random(f"clicks-{self.impressions.seed}-{self.seed}")
        return _delay(self._in_order(own), rng, self.max_disorder)


class ProductCatalog:
    """A product lookup service to enrich streams with, counting every call.

    `catalog(product_id)` returns `{"product_id", "name", "category",
    "price"}` for products "p-001" to `products`, or `None` for an unknown id;
    each call waits `latency` (a slow remote service) and is counted in
    `calls` and `calls_by_id`, so a test can check that a cache really spares
    the service. The same `seed` always gives the same catalogue.

    >>> catalog = ProductCatalog(products=3, seed=1)
    >>> catalog("p-002")
    {'product_id': 'p-002', 'name': 'Book 2', 'category': 'books', 'price': 41.47}
    >>> catalog("p-999") is None, catalog.calls, catalog.calls_by_id["p-002"]
    (True, 2, 1)
    """

    CATEGORIES = (("books", "Book"), ("home", "Lamp"), ("garden", "Rake"), ("toys", "Kite"))

    def __init__(
        self, products: int = 20, latency: timedelta = timedelta(0), seed: int = 0
    ) -> None:
        rng = random.Random(f"catalog-{seed}")
        self.latency = latency
        self.products: dict[str, dict[str, Any]] = {}
        for n in range(1, products + 1):
            category, noun = rng.choice(self.CATEGORIES)
            product_id = f"p-{n:03d}"
            self.products[product_id] = {
                "product_id": product_id,
                "name": f"{noun} {n}",
                "category": category,
                "price": round(rng.uniform(2, 80), 2),
            }
        self.calls = 0
        self.calls_by_id: Counter[str] = Counter()

    def __call__(self, product_id: str) -> dict[str, Any] | None:
        """Look one product up (slowly, if `latency` says so)."""
        self.calls += 1
        self.calls_by_id[product_id] += 1
        if self.latency > timedelta(0):
            time.sleep(self.latency.total_seconds())
        found = self.products.get(product_id)
        return None if found is None else dict(found)
