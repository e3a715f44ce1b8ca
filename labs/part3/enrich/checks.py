"""The checks of part3's exercise `enrich`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    CheckFailed,
    Event,
    FailureKind,
    Session,
    events_check,
    to_datetime,
)
from learnstream.grading.kit import strategies as st

from ..shared import _PRODUCTS, TABLE, _key_verdict, _run, _shaped

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

CHECKS = {
    "rows": events_check(_enrich_test("rows"), _orders_stream(), edges=_enrich_edges()),
    "once_per_product": events_check(
        _enrich_test("calls"), _orders_stream(), edges=_enrich_edges(), max_examples=30
    ),
    "example": events_check(_enrich_test("calls", _SIM_TABLE), _SIM_ORDERS),
}
