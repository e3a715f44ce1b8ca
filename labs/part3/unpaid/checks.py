"""The checks of part3's exercise `unpaid`: `CHECKS` maps each check named in lab.toml to its code.

>>> events = [_order(0, "o-1", 0), _pay(1, "o-1", 30), _order(2, "o-2", 0), _pay(3, "o-3", 31)]
>>> sorted(unpaid_orders(events))
['o-2']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    SECOND,
    CheckFailed,
    Event,
    FailureKind,
    Session,
    clock,
    events_check,
    from_datetime,
)

from ..shared import (
    DEADLINE,
    _key_verdict,
    _order,
    _pay,
    _run,
    _shaped,
    _shop_item,
    _shop_stream,
    _side,
    _simulated_shop,
)

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

CHECKS = {
    "deadline": events_check(_unpaid_test, _shop_stream(3), edges=_DEADLINE_EDGES),
    "disorder": events_check(_unpaid_test, _shop_stream(4), edges=_UNPAID_DISORDER_EDGES),
    "random": events_check(_unpaid_test, _shop_stream(12, max_size=30), max_examples=40),
    "example": events_check(_unpaid_test, _SIM_UNPAID),
}
