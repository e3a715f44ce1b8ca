"""The checks of part3's exercise `paid`: `CHECKS` maps each check named in lab.toml to its code."""

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
)
from learnstream.wording import plural

from ..shared import (
    _SEARCH,
    KeyJoin,
    _at,
    _order,
    _pay,
    _shop_item,
    _shop_stream,
    _simulated_shop,
)

# --- exercise 2: paid -----------------------------------------------------------------------


def paid_rows(events: Sequence[Event]) -> dict[str, tuple[tuple[Any, Any], ...]]:
    """The rows a right flow may write, per order id that has both sides, as it comes: the
    order with the first payment after it, or, when payments came first, with the first or
    the last of them (a join keeping the first or the last value of a side)."""
    orders: dict[str, dict[str, Any]] = {}
    waiting: dict[str, list[dict[str, Any]]] = {}
    rows: dict[str, tuple[tuple[Any, Any], ...]] = {}
    for e in events:
        if e.key in rows:
            continue
        item = _shop_item(e)
        if e.value[0] == "order":
            orders[e.key] = item
            if e.key in waiting:
                first, last = waiting[e.key][0], waiting[e.key][-1]
                rows[e.key] = ((item, first),) if first == last else ((item, first), (item, last))
        elif e.key in orders:
            rows[e.key] = ((orders[e.key], item),)
        else:
            waiting.setdefault(e.key, []).append(item)
    return rows


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
    """An order as `order order-1`, a payment as `payment pay-1 (12.5 at 00:00:40)`, anything
    else as its repr."""
    if isinstance(side, dict) and "payment_id" in side and "ts" in side:
        return f"payment {side['payment_id']} ({side.get('amount')} at {_at(side['ts'])})"
    if isinstance(side, dict) and "order_id" in side:
        return f"order {side['order_id']}"
    return short_repr(side)


PAID = KeyJoin("match", "(order_id, (order, payment))", _paid_shape, paid_rows, _show_match)


def _paid_test(when: str) -> Callable[[Session, list[Event]], None]:
    def test(session: Session, events: list[Event]) -> None:
        sink, expected = PAID.run(session, events)
        if when == "live" and not sink.live and sink.items and expected:
            raise CheckFailed(
                f"your flow wrote nothing until the input ended; with "
                f"{plural(len(expected), 'paid order')} in the stream it should have "
                "written each as soon as its second side arrived (the stream may never end)",
                PAID.picture(events, sink, expected, min(expected)),
                kind=FailureKind.WRONG_TIMING,
            )
        got = PAID.rows(sink.live if when == "live" else sink.items)
        PAID.judge(events, sink, got, expected)

    return test


_MATCH_EDGES = (
    [_pay(0, "order-1", 5), _order(1, "order-1", 0)],  # the payment first
    [_order(0, "order-1", 0), _pay(1, "order-1", 5), _pay(2, "order-1", 5)],  # paid twice
    [_pay(0, "order-1", 5), _pay(1, "order-1", 5), _order(2, "order-1", 0)],  # twice, then
    # a retry with a payment id of its own, and another amount
    [_order(0, "order-1", 0), _pay(1, "order-1", 5), _pay(2, "order-1", 9, "pay-1-retry", 12.5)],
    [_order(0, "order-1", 0), _pay(1, "order-1", 5, amount=9.99)],  # paid another amount
    [_order(0, "order-1", 0), _pay(1, "order-2", 3), _order(2, "order-3", 4)],  # no matches
    [
        _order(0, "order-1", 0),
        _order(1, "order-2", 1),
        _pay(2, "order-2", 2),
        _pay(3, "order-1", 3),
    ],
)


_SIM_PAID = _simulated_shop(4, 80, missing=0.1, late=0.1, duplicated=0.1)

CHECKS = {
    "edges": events_check(
        _paid_test("final"), _shop_stream(4), edges=_MATCH_EDGES, max_examples=_SEARCH
    ),
    "as_soon_as": events_check(
        _paid_test("live"), _shop_stream(4), edges=_MATCH_EDGES, max_examples=_SEARCH
    ),
    "random": events_check(_paid_test("final"), _shop_stream(12, max_size=30), max_examples=40),
    "example": events_check(_paid_test("live"), _SIM_PAID),
}
