"""The checks of part3's exercise `enrich`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    MINUTE,
    CheckFailed,
    Event,
    FailureKind,
    Session,
    events_check,
    from_datetime,
    to_datetime,
)
from learnstream.grading.kit import strategies as st

from ..shared import _PRODUCTS, _SEARCH, TABLE, _key_verdict, _run, _shaped

# --- exercise 1: enrich ---------------------------------------------------------------------


def enriched(events: Sequence[Event]) -> dict[str, tuple[Any, Any]]:
    """`(name, category)` per order id, `(None, None)` for an unknown product."""
    out = {}
    for e in events:
        product = TABLE.get(e.key)
        out[e.value] = (None, None) if product is None else (product["name"], product["category"])
    return out


#: Items of one batch, and how far the flow's clock moves per order, in enrich's runs: a
#: day, so that a cache with any time to live shorter than the run asks again.
_ENRICH_BATCH, _ENRICH_TICK = 5, 24 * 3600.0


def _order_of(event: Event) -> dict[str, Any]:
    return {
        "order_id": event.value,
        "product": event.key,
        "amount": 10.0,
        "ts": to_datetime(event.t),
    }


def _show_pair(value: Any) -> str:
    if value == (None, None):
        return "None, None (unknown product)"
    return " / ".join(map(str, value)) if isinstance(value, tuple) else short_repr(value)


def _enrich_run(session: Session, events: list[Event], table: dict[str, Any]) -> dict[str, Any]:
    """The learner's flow on the orders: a few per batch, its clock a day further per order."""
    return _run(
        session,
        events,
        _order_of,
        lambda e: 0,
        ("order",),
        table=table,
        per_tick=_ENRICH_BATCH,
        tick_seconds=_ENRICH_TICK,
    )


def _rows_verdict(events: list[Event], report: dict[str, Any], table: dict[str, Any]) -> None:
    ok = lambda i: type(i) is tuple and len(i) == 3 and type(i[0]) is str  # noqa: E731
    got = _shaped(report["outputs"][0], ok, "(order_id, name, category)")
    expected = {
        e.value: (None, None)
        if table.get(e.key) is None
        else (table[e.key]["name"], table[e.key]["category"])
        for e in events
    }
    _key_verdict(expected, got, "row", _show_pair)
    written = [item[0] for item in report["outputs"][0]]
    arrived = [e.value for e in events]
    if written != arrived:
        at = next(n for n, (a, b) in enumerate(zip(written, arrived, strict=True)) if a != b)
        raise CheckFailed(
            f"your flow wrote the rows in another order than the orders came: row {at + 1} is for "
            f"{written[at]!r}, but order {at + 1} was {arrived[at]!r}; enrich each order as it "
            "comes (no keying or grouping by product on the way)",
            "orders in: " + ", ".join(arrived) + "\nrows out:  " + ", ".join(written),
            kind=FailureKind.WRONG_TIMING,
        )


def _asked_for(events: list[Event], asked: list[Any], key: str) -> list[int]:
    """The arrival numbers of the orders the flow asked the catalogue about `key` for: a
    call is for the next order of `key` not asked for yet in the batch the flow had just
    been given (`asked` holds each call's key and that batch's first and last position),
    else for the latest order of `key` before it."""
    claimed: list[int] = []
    for asked_key, first, last in asked:
        if asked_key != key:
            continue
        ours = [e.n for e in events if e.key == key and e.n <= last]
        fresh = [n for n in ours if n >= first and n not in claimed]
        claimed.append(fresh[0] if fresh else max(ours, default=last))
    return claimed


def _calls_verdict(events: list[Event], report: dict[str, Any]) -> None:
    calls = report["calls"]
    twice = {key: n for key, n in calls.items() if n > 1}
    if twice:
        key = min(twice)
        first, again = [n + 1 for n in _asked_for(events, report["asked"], key)][:2]
        raise CheckFailed(
            f"your flow asked the catalogue for {key!r} {twice[key]} times (for order {first} "
            f"and again for order {again}); it may ask at most once per product id, unknown "
            "ids included, however long the stream runs",
            "calls per product id: "
            + ", ".join(f"{k} ×{n}" for k, n in sorted(calls.items()))
            + f"\n(your flow's clock moved a day per order; {len(set(calls))} product ids)",
            kind=FailureKind.WRONG_VALUE,
        )
    never = sorted({e.key for e in events} - set(calls))
    if never:
        raise CheckFailed(
            f"your flow never asked the catalogue for {never[0]!r}: ask lookup for every product "
            "id the first time it comes",
            kind=FailureKind.WRONG_VALUE,
        )


def _enrich_test(
    part: str, table: dict[str, Any] = TABLE
) -> Callable[[Session, list[Event]], None]:
    def test(session: Session, events: list[Event]) -> None:
        report = _enrich_run(session, events, table)
        if part in ("rows", "both"):
            _rows_verdict(events, report, table)
        if part in ("calls", "both"):
            _calls_verdict(events, report)

    return test


def _orders_stream(max_size: int = 14) -> st.SearchStrategy[list[Event]]:
    def build(products: list[str]) -> list[Event]:
        return [Event(n, p, n * MINUTE, f"order-{n + 1:03d}") for n, p in enumerate(products)]

    return st.lists(st.sampled_from(_PRODUCTS), min_size=1, max_size=max_size).map(build)


def _orders(*products: str) -> list[Event]:
    return [Event(n, p, n * MINUTE, f"order-{n + 1:03d}") for n, p in enumerate(products)]


def _enrich_edges() -> tuple[list[Event], ...]:
    return (
        _orders("p-001", "p-001", "p-001"),  # the same product three times
        _orders("p-007", "p-002", "p-007"),  # an unknown product, twice
        _orders("p-003", "p-004", "p-003", "p-004", "p-008"),
        _orders("p-001", "p-002", "p-001", "p-003", "p-002", "p-004", "p-001"),  # one batch
    )


#: 140 products, then the first again: a cache of 128 entries has forgotten it.
MANY_PRODUCTS = _orders(*[f"p-{n:03d}" for n in range(10, 150)], "p-010", "p-007", "p-007")


def _simulated_orders() -> tuple[list[Event], dict[str, Any]]:
    from learnstream.connectors.simulated import OrderSource, ProductCatalog

    catalog = ProductCatalog(products=25, seed=9)
    orders = OrderSource(products=30, seed=9, limit=60)  # p-026..p-030 are unknown
    events = [
        Event(n, o["product"], from_datetime(o["ts"]), o["order_id"]) for n, o in enumerate(orders)
    ]
    return events, catalog.products


_SIM_ORDERS, _SIM_TABLE = _simulated_orders()

CHECKS = {
    "rows": events_check(
        _enrich_test("rows"), _orders_stream(), edges=_enrich_edges(), max_examples=_SEARCH
    ),
    "once_per_product": events_check(
        _enrich_test("calls"),
        _orders_stream(),
        edges=(*_enrich_edges(), MANY_PRODUCTS),
        max_examples=_SEARCH,
    ),
    "example": events_check(_enrich_test("both", _SIM_TABLE), _SIM_ORDERS),
}
