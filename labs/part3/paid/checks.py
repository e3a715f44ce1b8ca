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
    clock,
    events_check,
    from_datetime,
    same,
)
from learnstream.wording import plural

from ..shared import (
    _SEARCH,
    Written,
    _answered_after,
    _key_verdict,
    _order,
    _pay,
    _shaped,
    _shop_item,
    _shop_picture,
    _shop_run,
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


def _one_of(want: tuple[tuple[Any, Any], ...], have: Any) -> bool:
    return any(same(row, have) for row in want)


def _show_rows(value: Any) -> str:
    """One acceptable row, or `a or b`; a learner's row as it is."""
    if (
        isinstance(value, tuple)
        and value
        and all(
            isinstance(row, tuple) and len(row) == 2 and isinstance(row[1], dict) for row in value
        )
    ):
        return " or ".join(_show_match(row) for row in value)
    return _show_match(value)


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
        when = clock(from_datetime(side["ts"])) if hasattr(side["ts"], "tzinfo") else side["ts"]
        return f"payment {side['payment_id']} ({side.get('amount')} at {when})"
    if isinstance(side, dict) and "order_id" in side:
        return f"order {side['order_id']}"
    return short_repr(side)


def _paid_test(when: str) -> Callable[[Session, list[Event]], None]:
    def test(session: Session, events: list[Event]) -> None:
        sink = _shop_run(session, events)
        shape = "(order_id, (order, payment))"
        expected = paid_rows(events)

        def draw(key: str) -> str:
            rows = expected.get(key)
            want = (
                []
                if rows is None
                else [
                    Written(
                        _show_rows(rows),
                        _answered_after(events, key, paid_rows),
                        tuple(_show_match(row) for row in rows),
                    )
                ]
            )
            return _shop_picture(events, key, want, sink, _show_match)

        if when == "live":
            if not sink.live and sink.items and expected:
                raise CheckFailed(
                    f"your flow wrote nothing until the input ended; with "
                    f"{plural(len(expected), 'paid order')} in the stream it should have "
                    "written each as soon as its second side arrived (the stream may never end)",
                    draw(min(expected)),
                    kind=FailureKind.WRONG_TIMING,
                )
            got = _shaped(sink.live, _paid_shape, shape)
        else:
            got = _shaped(sink.items, _paid_shape, shape)
        _key_verdict(expected, got, "match", _show_rows, _one_of, draw)

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
