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
    events_check,
)

from ..shared import (
    _SEARCH,
    DEADLINE,
    KeyJoin,
    _at,
    _order,
    _pay,
    _shop_item,
    _shop_stream,
    _simulated_shop,
)

# --- exercise 3: unpaid ---------------------------------------------------------------------


def unpaid_orders(
    events: Sequence[Event],
    *,
    on_deadline: bool = False,
    paid_before: bool = False,
    payment: str = "earliest",
    early: bool = True,
    clock_of: str = "both",
    negative_delay: bool = True,
) -> dict[str, int]:
    """Order id → its time, for the orders reported unpaid before the input ends.

    The clock is the largest event time seen (both streams); an order is
    unpaid once the clock is past its time + DEADLINE with no payment at or
    before that deadline; orders still inside their deadline at the end are not
    reported. The options compute known mistakes instead (`_UNPAID_MISTAKES`):
    reporting with the clock on the deadline, a payment on the deadline counted
    late, the first or last payment to arrive kept instead of the earliest, a
    payment that came before its order forgotten, the clock moved by orders
    only, a payment timestamped before its order not counted.
    """
    open_orders: dict[str, int] = {}
    paid_at: dict[str, int] = {}
    latest: int | None = None
    out: dict[str, int] = {}
    for e in events:
        if e.value[0] == "order":
            open_orders[e.key] = e.t
        elif early or e.key in open_orders or e.key in out:
            known = paid_at.get(e.key)
            keep = {"earliest": min(e.t, known if known is not None else e.t), "last": e.t}
            paid_at[e.key] = keep.get(payment, e.t if known is None else known)
        if clock_of == "both" or e.value[0] == "order":
            latest = e.t if latest is None else max(latest, e.t)
        for key, t in list(open_orders.items()):
            deadline = t + DEADLINE
            paid = paid_at.get(key)
            in_time = paid is not None and (paid < deadline if paid_before else paid <= deadline)
            if in_time and (negative_delay or paid >= t):
                del open_orders[key]
            elif latest is not None and (latest >= deadline if on_deadline else latest > deadline):
                del open_orders[key]
                out[key] = t
    return out


#: Known mistakes, the `unpaid_orders` options that compute them, what to say, and their kind.
_UNPAID_MISTAKES: tuple[tuple[dict[str, Any], str, FailureKind], ...] = (
    (
        {"on_deadline": True},
        "an order is unpaid only once the clock is strictly past its deadline (clock > ts + "
        "DEADLINE), not on it",
        FailureKind.WRONG_TIMING,
    ),
    (
        {"paid_before": True},
        "a payment exactly on the deadline (ts == order ts + DEADLINE) is in time: compare with <=",
        FailureKind.WRONG_VALUE,
    ),
    (
        {"early": False},
        "a payment that arrived before its order was forgotten: remember the payments you "
        "cannot match yet",
        FailureKind.WRONG_VALUE,
    ),
    (
        {"payment": "first"},
        "the earliest payment by its ts counts, not the first to arrive",
        FailureKind.WRONG_VALUE,
    ),
    (
        {"payment": "last"},
        "the earliest payment by its ts counts, not the last to arrive",
        FailureKind.WRONG_VALUE,
    ),
    (
        {"clock_of": "orders"},
        "the clock is the largest ts of both streams: payments move it too",
        FailureKind.WRONG_TIMING,
    ),
    (
        {"negative_delay": False},
        "a payment timestamped before its order is in time; `timedelta.seconds` of a negative "
        "delay is almost a day: compare the datetimes (or use total_seconds())",
        FailureKind.WRONG_VALUE,
    ),
)


def _unpaid_shape(item: Any) -> bool:
    return type(item) is tuple and len(item) == 2 and type(item[0]) is str


def _show_unpaid(value: Any) -> str:
    if isinstance(value, dict) and "ts" in value:
        return f"unpaid (order at {_at(value['ts'])})"
    return short_repr(value)


def _unpaid_rows(events: Sequence[Event]) -> dict[str, tuple[dict[str, Any]]]:
    """The row a right flow writes per order reported unpaid: the order itself."""
    return {
        key: (_shop_item(_order(0, key, t // SECOND)),) for key, t in unpaid_orders(events).items()
    }


UNPAID = KeyJoin(
    "report", "(order_id, order)", _unpaid_shape, _unpaid_rows, _show_unpaid, deadline=True
)


def _unpaid_test(session: Session, events: list[Event]) -> None:
    sink, expected = UNPAID.run(session, events)
    got = UNPAID.rows(sink.live)
    try:
        UNPAID.judge(events, sink, got, expected)
    except CheckFailed as failure:
        reported = sorted(got)
        named = [
            (why, kind)
            for options, why, kind in _UNPAID_MISTAKES
            if sorted(unpaid_orders(events, **options)) == reported
        ]
        if len(named) == 1:  # a mistake only this input tells apart from the others
            failure.message += f" — {named[0][0]}"
            failure.kind = named[0][1]
        raise
    extra = UNPAID.rows(sink.at_end)
    if extra:
        key = min(extra)
        raise CheckFailed(
            f"your flow wrote a report for {key!r} when the input ended; orders "
            "whose deadline the clock has not passed are not known to be unpaid yet",
            UNPAID.picture(events, sink, expected, key),
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
    # payments before their orders: the earliest by ts counts, not the first (order-1) or the
    # last (order-3) to arrive; order-2's one early payment is remembered
    [
        _pay(0, "order-1", 40),
        _pay(1, "order-1", 10, "pay-1-retry"),
        _pay(2, "order-2", 5),
        _order(3, "order-1", 0),
        _order(4, "order-2", 0),
    ],
    [
        _pay(0, "order-3", 10),
        _pay(1, "order-3", 90, "pay-3-retry"),
        _pay(2, "order-2", 5),
        _order(3, "order-3", 0),
        _order(4, "order-2", 0),
    ],
    # paid before the order's own time (the client's clock): in time
    [_order(0, "order-1", 20), _pay(1, "order-1", 10), _order(2, "order-2", 60)],
)

_SIM_UNPAID = _simulated_shop(6, 80, missing=0.1, late=0.15, duplicated=0.05)

CHECKS = {
    "deadline": events_check(
        _unpaid_test, _shop_stream(3), edges=_DEADLINE_EDGES, max_examples=_SEARCH
    ),
    "disorder": events_check(
        _unpaid_test, _shop_stream(4), edges=_UNPAID_DISORDER_EDGES, max_examples=_SEARCH
    ),
    "random": events_check(_unpaid_test, _shop_stream(12, max_size=30), max_examples=40),
    "example": events_check(_unpaid_test, _SIM_UNPAID),
}
