"""Part 3: the checks of `enrich`, `paid`, `unpaid` and `attribution`.

The exercises' titles, points and hints are in `part3.toml`; here are the
reference answers, the streams and `CHECKS`, built with `learnstream.grading.kit`.
Each exercise is a `build_flow(...)` with one or two sources. A join's answer
depends on the order in which its sides' items meet, so the grader plays its
streams itself, one item per tick in the order it chose, whichever source it
belongs to (`probes_joins.run_scripted_flow`), with the flow's clock frozen. It
reads each sink twice: once every item is in but before the input ends (what a
flow on a stream that never ends would have written: `live`), and at the end.

Every stream is a list of `Event`s: `key` is the order id, product id or
impression id, `t` the event time and `value` `(side, ...)`, the side being
"order"/"payment" or "impression"/"click". The streams are written against
clever wrong answers: a payment before its order, the same payment twice, an
order without payment and a payment without order, payments exactly on the
deadline and one second after, the clock exactly on a deadline, clicks in the
next window, before their impression, and late on either side.

>>> list(CHECKS)
['enrich', 'paid', 'unpaid', 'attribution']
>>> events = [_order(0, "o-1", 0), _pay(1, "o-1", 30), _order(2, "o-2", 0), _pay(3, "o-3", 31)]
>>> sorted(unpaid_orders(events))
['o-2']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    MINUTE,
    SECOND,
    CheckFailed,
    Event,
    FailureKind,
    Session,
    Window,
    clock,
    events_check,
    fixed_windows,
    from_datetime,
    group_items,
    is_window_item,
    same,
    split_late,
    to_datetime,
    window_diff,
    window_rows,
    window_verdict,
)
from learnstream.grading.kit.windows import Row
from learnstream.operators.windowing import TumblingWindower
from learnstream.wording import plural

_PROBE = "learnstream.grading.probes_joins:run_scripted_flow"
_TIMELINE_EVENTS = 24

#: The contracts' constants (see the stubs' docstrings).
DEADLINE = 30 * SECOND
ATTRIBUTION_WAIT = 10 * SECOND

#: The grader's catalogue: six known products; p-007 to p-009 are unknown (None).
TABLE: dict[str, dict[str, Any]] = {
    f"p-{n:03d}": {"product_id": f"p-{n:03d}", "name": f"{noun} {n}", "category": category}
    for n, (noun, category) in enumerate(
        [("Book", "books"), ("Lamp", "home"), ("Rake", "garden"), ("Kite", "toys")] * 2, start=1
    )
    if n <= 6
}
_PRODUCTS = [f"p-{n:03d}" for n in range(1, 10)]


# --- events and the items the learner's sources give ------------------------------------


def _order(n: int, order_id: str, seconds: int) -> Event:
    return Event(n, order_id, seconds * SECOND, ("order",))


def _pay(n: int, order_id: str, seconds: int) -> Event:
    return Event(n, order_id, seconds * SECOND, ("payment",))


def _shop_item(event: Event) -> dict[str, Any]:
    """An order, or its payment: the same order id always pays the same payment."""
    number = event.key.rsplit("-", 1)[-1]
    if event.value[0] == "order":
        return {"order_id": event.key, "amount": 10.0, "ts": to_datetime(event.t)}
    return {
        "payment_id": f"pay-{number}",
        "order_id": event.key,
        "amount": 10.0,
        "ts": to_datetime(event.t),
    }


def _ad_item(event: Event) -> dict[str, Any]:
    return {"impression_id": event.key, "user": "user-1", "ad": "ad-1", "ts": to_datetime(event.t)}


def _side(first: str) -> Callable[[Event], int]:
    return lambda event: 0 if event.value[0] == first else 1


def _run(
    session: Session,
    events: Sequence[Event],
    make_item: Callable[[Event], Any],
    source_of: Callable[[Event], int],
    nouns: tuple[str, ...],
    table: dict[str, Any] | None = None,
) -> dict[str, Any]:
    script = [(source_of(e), make_item(e)) for e in events]
    counts = Counter(source for source, _ in script)
    what = " and ".join(plural(counts[n], noun) for n, noun in enumerate(nouns))
    args: dict[str, Any] = {"fn": "build_flow", "script": script, "sources": len(nouns)}
    if table is not None:
        args["table"] = table
    report = session.probe(_PROBE, f"build_flow(...) run on {what}", **args)
    if "outputs" not in report:
        raise CheckFailed(
            f"build_flow returned a {report['type']}, not a Dataflow; end it with `return flow`",
            kind=FailureKind.WRONG_SHAPE,
        )
    return report


# --- the per-key verdict of a join without windows --------------------------------------


def _key_verdict(
    expected: dict[str, Any], got: dict[str, list[Any]], what: str, show: Callable[[Any], str]
) -> None:
    """Fail on the first key whose rows differ, with the per-key diff of expected vs yours."""
    rows = window_rows(expected, got, lambda key: Window(key, "-", 0, 0, name="—"), same, show)
    rows.sort(key=lambda r: r.window.key)
    first = next((row for row in rows if not row.ok), None)
    if first is None:
        return
    key = first.window.key
    if first.expected == "(no window)":
        message = f"your flow wrote a {what} for {key!r}, which should have none"
    elif first.actual == "(missing)":
        message = f"your flow wrote no {what} for {key!r}; expected {first.expected}"
    elif first.actual.endswith("times)"):
        message = f"your flow wrote the {what} of {key!r} more than once; expected it once"
    else:
        message = f"wrong {what} for {key!r}: expected {first.expected}, yours {first.actual}"
    diff = window_diff([Row(r.window, r.expected, r.actual, r.ok) for r in rows])
    diff = diff.replace("per key and window", "per key").replace("per-window", "per-key")
    raise CheckFailed(message, diff, kind=FailureKind.WRONG_VALUE)


def _shaped(items: list[Any], ok: Callable[[Any], bool], shape: str) -> dict[str, list[Any]]:
    got: dict[str, list[Any]] = {}
    for item in items:
        if not ok(item):
            raise CheckFailed(
                f"your flow wrote {short_repr(item)} to the sink; every item must be {shape}",
                kind=FailureKind.WRONG_SHAPE,
            )
        got.setdefault(item[0], []).append(item[1:] if len(item) > 2 else item[1])
    return got


# --- exercise 1: enrich ---------------------------------------------------------------------


def enriched(events: Sequence[Event]) -> dict[str, tuple[Any, Any]]:
    """`(name, category)` per order id, `(None, None)` for an unknown product."""
    out = {}
    for e in events:
        product = TABLE.get(e.key)
        out[e.value] = (None, None) if product is None else (product["name"], product["category"])
    return out


def _order_of(event: Event) -> dict[str, Any]:
    return {"order_id": event.value, "product": event.key, "amount": 10.0, "ts": to_datetime(0)}


def _show_pair(value: Any) -> str:
    if value == (None, None):
        return "None, None (unknown product)"
    return " / ".join(map(str, value)) if isinstance(value, tuple) else short_repr(value)


def _enrich_test(
    part: str, table: dict[str, Any] = TABLE
) -> Callable[[Session, list[Event]], None]:
    def test(session: Session, events: list[Event]) -> None:
        report = _run(session, events, _order_of, lambda e: 0, ("order",), table=table)
        ok = lambda i: type(i) is tuple and len(i) == 3 and type(i[0]) is str  # noqa: E731
        got = _shaped(report["outputs"][0], ok, "(order_id, name, category)")
        expected = {
            e.value: (None, None)
            if table.get(e.key) is None
            else (table[e.key]["name"], table[e.key]["category"])
            for e in events
        }
        _key_verdict(expected, got, "row", _show_pair)
        if part == "calls":
            twice = {key: n for key, n in report["calls"].items() if n > 1}
            if twice:
                key = min(twice)
                raise CheckFailed(
                    f"your flow asked the catalogue for {key!r} {twice[key]} times; it may ask "
                    "at most once per product id, unknown ids included",
                    "calls per product id: "
                    + ", ".join(f"{k} ×{n}" for k, n in sorted(report["calls"].items())),
                    kind=FailureKind.WRONG_VALUE,
                )

    return test


def _orders_stream(max_size: int = 14) -> st.SearchStrategy[list[Event]]:
    def build(products: list[str]) -> list[Event]:
        return [Event(n, p, 0, f"order-{n + 1:03d}") for n, p in enumerate(products)]

    return st.lists(st.sampled_from(_PRODUCTS), min_size=1, max_size=max_size).map(build)


def _enrich_edges() -> tuple[list[Event], ...]:
    def stream(*products: str) -> list[Event]:
        return [Event(n, p, 0, f"order-{n + 1:03d}") for n, p in enumerate(products)]

    return (
        stream("p-001", "p-001", "p-001"),  # the same product three times
        stream("p-007", "p-002", "p-007"),  # an unknown product, twice
        stream("p-003", "p-004", "p-003", "p-004", "p-008"),
    )


def _simulated_orders() -> tuple[list[Event], dict[str, Any]]:
    from learnstream.connectors.simulated import OrderSource, ProductCatalog

    catalog = ProductCatalog(products=25, seed=9)
    orders = OrderSource(products=30, seed=9, limit=60)  # p-026..p-030 are unknown
    events = [Event(n, o["product"], 0, o["order_id"]) for n, o in enumerate(orders)]
    return events, catalog.products


_SIM_ORDERS, _SIM_TABLE = _simulated_orders()

ENRICH = {
    "rows": events_check(_enrich_test("rows"), _orders_stream(), edges=_enrich_edges()),
    "once_per_product": events_check(
        _enrich_test("calls"), _orders_stream(), edges=_enrich_edges(), max_examples=30
    ),
    "example": events_check(_enrich_test("calls", _SIM_TABLE), _SIM_ORDERS),
}


# --- exercise 2: paid -----------------------------------------------------------------------


def paid_rows(events: Sequence[Event]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """`(order, payment)` per order id that has both."""
    orders = {e.key: _shop_item(e) for e in events if e.value[0] == "order"}
    payments = {e.key: _shop_item(e) for e in events if e.value[0] == "payment"}
    return {key: (orders[key], payments[key]) for key in orders if key in payments}


def _paid_shape(item: Any) -> bool:
    return (
        type(item) is tuple
        and len(item) == 2
        and type(item[0]) is str
        and type(item[1]) is tuple
        and len(item[1]) == 2
    )


def _show_match(value: Any) -> str:
    if not (isinstance(value, tuple) and len(value) == 2):
        return short_repr(value)
    return " + ".join(_show_side(side) for side in value)


def _show_side(side: Any) -> str:
    """An order as `order order-1`, a payment as `payment pay-1`, anything else as its repr."""
    if isinstance(side, dict) and "payment_id" in side:
        return f"payment {side['payment_id']}"
    if isinstance(side, dict) and "order_id" in side:
        return f"order {side['order_id']}"
    return short_repr(side)


def _paid_test(when: str) -> Callable[[Session, list[Event]], None]:
    def test(session: Session, events: list[Event]) -> None:
        report = _run(session, events, _shop_item, _side("order"), ("order", "payment"))
        live, final = report["live"][0], report["outputs"][0]
        shape = "(order_id, (order, payment))"
        expected = paid_rows(events)
        if when == "live":
            if not live and expected:
                raise CheckFailed(
                    f"your flow wrote nothing until the input ended; with "
                    f"{plural(len(expected), 'paid order')} in the stream it should have "
                    "written each as soon as its second side arrived (the stream may never end)",
                    kind=FailureKind.WRONG_TIMING,
                )
            _key_verdict(expected, _shaped(live, _paid_shape, shape), "match", _show_match)
        else:
            _key_verdict(expected, _shaped(final, _paid_shape, shape), "match", _show_match)

    return test


_MATCH_EDGES = (
    [_pay(0, "order-1", 5), _order(1, "order-1", 0)],  # the payment first
    [_order(0, "order-1", 0), _pay(1, "order-1", 5), _pay(2, "order-1", 5)],  # paid twice
    [_pay(0, "order-1", 5), _pay(1, "order-1", 5), _order(2, "order-1", 0)],  # twice, then
    [_order(0, "order-1", 0), _pay(1, "order-2", 3), _order(2, "order-3", 4)],  # no matches
    [
        _order(0, "order-1", 0),
        _order(1, "order-2", 1),
        _pay(2, "order-2", 2),
        _pay(3, "order-1", 3),
    ],
)


def _shop_stream(
    orders: int, *, max_delay: int = 60, max_size: int = 12
) -> st.SearchStrategy[list[Event]]:
    """Orders and their payments in a shuffled arrival order.

    Each order draws whether it is placed, how many payments it gets (0, 1 or
    2 copies) and each item's time; the arrival order is drawn by hypothesis
    (shrinking towards orders first, then payments).
    """
    one = st.tuples(
        st.integers(0, orders - 1),
        st.booleans(),
        st.integers(0, 2),
        st.integers(0, 120),
        st.one_of(st.sampled_from([0, 29, 30, 31]), st.integers(0, max_delay)),
    )

    def build(draw: Any) -> list[Event]:
        rows = draw(st.lists(one, min_size=1, max_size=max_size, unique_by=lambda r: r[0]))
        items: list[tuple[str, str, int]] = []
        for k, placed, copies, t, delay in rows:
            key = f"order-{k + 1}"
            if placed:
                items.append(("order", key, t))
            items += [("payment", key, t + delay)] * copies
        if not items:
            items.append(("order", "order-1", 0))
        order = draw(st.permutations(range(len(items))))
        return [
            Event(n, items[i][1], items[i][2] * SECOND, (items[i][0],)) for n, i in enumerate(order)
        ]

    return st.composite(lambda draw: build(draw))()


def _simulated_shop(seed: int, limit: int, **payments: Any) -> list[Event]:
    from learnstream.connectors.simulated import OrderSource, PaymentSource

    orders = OrderSource(seed=seed, limit=limit)
    paid = list(PaymentSource(orders, **payments))
    shop = [("order", o) for o in orders] + [("payment", p) for p in paid]
    # The orders as they are placed, each payment when its time comes (ties: the order first).
    shop.sort(key=lambda item: (item[1]["ts"], item[0] == "payment"))
    return [
        Event(n, item["order_id"], from_datetime(item["ts"]) // SECOND * SECOND, (side,))
        for n, (side, item) in enumerate(shop)
    ]


_SIM_PAID = _simulated_shop(4, 80, missing=0.1, late=0.1, duplicated=0.1)

PAID = {
    "edges": events_check(_paid_test("final"), _shop_stream(4), edges=_MATCH_EDGES),
    "as_soon_as": events_check(_paid_test("live"), _shop_stream(4), edges=_MATCH_EDGES),
    "random": events_check(_paid_test("final"), _shop_stream(12, max_size=30), max_examples=40),
    "example": events_check(_paid_test("live"), _SIM_PAID),
}


# --- exercise 3: unpaid ---------------------------------------------------------------------


def unpaid_orders(events: Sequence[Event]) -> dict[str, int]:
    """Order id → its time, for the orders reported unpaid before the input ends.

    The clock is the largest event time seen (both streams); an order is
    unpaid once the clock is past its time + DEADLINE with no payment at or
    before that deadline; orders still inside their deadline at the end are not
    reported.
    """
    open_orders: dict[str, int] = {}
    paid_at: dict[str, int] = {}
    latest: int | None = None
    out: dict[str, int] = {}
    for e in events:
        if e.value[0] == "order":
            open_orders[e.key] = e.t
        else:
            paid_at[e.key] = min(e.t, paid_at.get(e.key, e.t))
        latest = e.t if latest is None else max(latest, e.t)
        for key, t in list(open_orders.items()):
            deadline = t + DEADLINE
            if key in paid_at and paid_at[key] <= deadline:
                del open_orders[key]
            elif latest > deadline:
                del open_orders[key]
                out[key] = t
    return out


def _unpaid_shape(item: Any) -> bool:
    return type(item) is tuple and len(item) == 2 and type(item[0]) is str


def _show_unpaid(value: Any) -> str:
    if isinstance(value, dict) and "ts" in value:
        return f"unpaid (order at {clock(from_datetime(value['ts']))})"
    return short_repr(value)


def _unpaid_test(session: Session, events: list[Event]) -> None:
    report = _run(session, events, _shop_item, _side("order"), ("order", "payment"))
    live, final = report["live"][0], report["outputs"][0]
    shape = "(order_id, order)"
    expected = {
        key: _shop_item(_order(0, key, t // SECOND)) for key, t in unpaid_orders(events).items()
    }
    _key_verdict(expected, _shaped(live, _unpaid_shape, shape), "report", _show_unpaid)
    extra = _shaped(final[len(live) :], _unpaid_shape, shape)
    if extra:
        key = min(extra)
        raise CheckFailed(
            f"your flow wrote a report for {key!r} when the input ended; orders "
            "whose deadline the clock has not passed are not known to be unpaid yet",
            kind=FailureKind.WRONG_TIMING,
        )


_DEADLINE_EDGES = (
    [_order(0, "order-1", 0), _pay(1, "order-1", 30), _order(2, "order-2", 40)],  # on it: paid
    [_order(0, "order-1", 0), _pay(1, "order-1", 31), _order(2, "order-2", 40)],  # 1 s after
    [_order(0, "order-1", 0), _order(1, "order-2", 30)],  # the clock exactly on the deadline
    [_order(0, "order-1", 0), _order(1, "order-2", 31)],  # the clock one second past it
    [_order(0, "order-1", 0), _pay(1, "order-9", 31)],  # a payment moves the clock too
)
_UNPAID_DISORDER_EDGES = (
    [_pay(0, "order-1", 10), _order(1, "order-1", 0), _order(2, "order-2", 60)],  # paid first
    [_order(0, "order-1", 0), _order(1, "order-2", 45), _pay(2, "order-1", 20)],  # too late
    [_order(0, "order-1", 50), _order(1, "order-2", 0), _order(2, "order-3", 70)],  # born late
    [_order(0, "order-1", 0), _pay(1, "order-1", 90), _pay(2, "order-1", 90)],  # twice, late
    [_order(0, "order-1", 0), _pay(1, "order-1", 90), _pay(2, "order-1", 10)],  # old one later
)

_SIM_UNPAID = _simulated_shop(6, 80, missing=0.1, late=0.15, duplicated=0.05)

UNPAID = {
    "deadline": events_check(_unpaid_test, _shop_stream(3), edges=_DEADLINE_EDGES),
    "disorder": events_check(_unpaid_test, _shop_stream(4), edges=_UNPAID_DISORDER_EDGES),
    "random": events_check(_unpaid_test, _shop_stream(12, max_size=30), max_examples=40),
    "example": events_check(_unpaid_test, _SIM_UNPAID),
}


# --- exercise 4: attribution ----------------------------------------------------------------


def attributed(events: Sequence[Event]) -> dict[tuple[str, int], bool]:
    """Clicked or not, per (impression id, window) holding an on-time impression."""
    good, _ = split_late(events, ATTRIBUTION_WAIT)
    shown = {(e.key, e.t // MINUTE) for e in good if e.value[0] == "impression"}
    clicked = {(e.key, e.t // MINUTE) for e in good if e.value[0] == "click"}
    return {wk: wk in clicked for wk in shown}


def _attribution_test(session: Session, events: list[Event]) -> None:
    report = _run(session, events, _ad_item, _side("impression"), ("impression", "click"))
    ok = lambda item: is_window_item(item, lambda v: type(v) is bool)  # noqa: E731
    got = group_items(report["outputs"][0], ok, "(impression_id, (window_id, clicked))", "sink")
    good, _ = split_late(events, ATTRIBUTION_WAIT)
    windows = fixed_windows(good, MINUTE, MINUTE)

    def window_of(wk: tuple[str, int]) -> Window:
        key, wid = wk
        return windows.get(wk) or Window(key, wid, wid * MINUTE, (wid + 1) * MINUTE)

    rows = window_rows(attributed(events), got, window_of, same, short_repr)
    windower = TumblingWindower(timedelta(minutes=1), to_datetime(0))
    try:
        window_verdict(rows, events, windower, ATTRIBUTION_WAIT, "row")
    except CheckFailed as failed:
        # The kit draws one lane per key; a join is clearer with a lane per side.
        first = next(row for row in rows if not row.ok).window
        failed.details = f"{_join_picture(events, windower, first)}\n\n{window_diff(rows)}"
        raise


def _join_picture(events: Sequence[Event], windower: TumblingWindower, window: Window) -> str:
    """The join's timeline, drawn by the engine from the grader's events, `window` highlighted."""
    from learnstream.timeline import build_join_timeline

    shown = list(events)
    note = ""
    if len(shown) > _TIMELINE_EVENTS:
        shown = [e for e in shown if e.key == window.key]
        note = f"(the events of {window.key!r} only, numbered among themselves)\n"
    triples = [(e.key, to_datetime(e.t), 0 if e.value[0] == "impression" else 1) for e in shown]
    try:
        picture = build_join_timeline(
            triples,
            windower,
            timedelta(microseconds=ATTRIBUTION_WAIT),
            sides=("impressions", "clicks"),
            insert_mode="first",
            highlight=(window.key, window.wid),
        )
        return note + picture.to_text(width=72)
    except Exception as trouble:  # a picture must never turn a verdict into a grader error
        return f"(the timeline could not be drawn: {type(trouble).__name__}: {trouble})"


def _imp(n: int, key: int, seconds: int) -> Event:
    return Event(n, f"imp-{key}", seconds * SECOND, ("impression",))


def _click(n: int, key: int, seconds: int) -> Event:
    return Event(n, f"imp-{key}", seconds * SECOND, ("click",))


_WINDOW_EDGES = (
    [_imp(0, 1, 10), _click(1, 1, 50)],  # the same minute
    [_imp(0, 1, 50), _click(1, 1, 65)],  # the next minute: not clicked
    [_imp(0, 1, 59), _click(1, 1, 60)],  # a click exactly on the boundary
    [_click(0, 1, 20), _imp(1, 1, 15)],  # the click first, on time
    [_click(0, 1, 20), _imp(1, 2, 15)],  # a click of another impression
)
_LATE_EDGES = (
    [_click(0, 1, 40), _imp(1, 1, 30)],  # the impression exactly on the watermark: on time
    [_click(0, 1, 41), _imp(1, 1, 30)],  # one second past it: late, no row
    [_imp(0, 1, 5), _imp(1, 2, 50), _click(2, 1, 20), _click(3, 1, 9)],
    [_imp(0, 1, 30), _click(1, 2, 100), _click(2, 1, 35)],  # another key's time does not count
    [_imp(0, 1, 10), _imp(1, 1, 25), _click(2, 1, 12)],  # shown twice: one row
)


def _ads_stream(keys: int, max_size: int = 12) -> st.SearchStrategy[list[Event]]:
    """Impressions and clicks, their times near the window boundaries, arrival delayed."""
    seconds = st.one_of(st.sampled_from([0, 1, 59, 60, 61, 119, 120]), st.integers(0, 150))
    delay = st.one_of(st.sampled_from([0, 9, 10, 11, 30]), st.integers(0, 60))
    row = st.tuples(st.integers(0, keys - 1), st.booleans(), seconds, delay)

    def build(rows: list[tuple[int, bool, int, int]]) -> list[Event]:
        arrival = sorted(range(len(rows)), key=lambda i: (rows[i][2] + rows[i][3], i))
        return [
            Event(
                n,
                f"imp-{rows[i][0] + 1}",
                rows[i][2] * SECOND,
                ("impression" if rows[i][1] else "click",),
            )
            for n, i in enumerate(arrival)
        ]

    return st.lists(row, min_size=1, max_size=max_size).map(build)


def _simulated_ads() -> list[Event]:
    from learnstream.connectors.simulated import AdClickSource, AdImpressionSource

    shown = AdImpressionSource(seed=3, limit=60, max_disorder=timedelta(seconds=20))
    clicks = AdClickSource(shown, click_rate=0.4, max_click_delay=timedelta(seconds=70))
    items = [("impression", i) for i in shown] + [("click", c) for c in clicks]
    items.sort(key=lambda item: item[1]["ts"] + timedelta(seconds=5 * (item[0] == "click")))
    return [
        Event(n, item["impression_id"], from_datetime(item["ts"]) // SECOND * SECOND, (side,))
        for n, (side, item) in enumerate(items)
    ]


ATTRIBUTION = {
    "windows": events_check(_attribution_test, _ads_stream(2), edges=_WINDOW_EDGES),
    "late": events_check(_attribution_test, _ads_stream(2), edges=_LATE_EDGES),
    "random": events_check(_attribution_test, _ads_stream(8, 30), max_examples=40),
    "example": events_check(_attribution_test, _simulated_ads()),
}


# --- the exercise table: the code of each check the manifest (part3.toml) names --------

CHECKS = {"enrich": ENRICH, "paid": PAID, "unpaid": UNPAID, "attribution": ATTRIBUTION}
