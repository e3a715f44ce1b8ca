# Catalogue case up_last_payment: keeps the last payment that arrives for an order, not the earliest by its ts
"""Exercise 3 — `unpaid`: report orders still unpaid `DEADLINE` after they were placed.

A join emits what matched; the question "which orders did *not* get paid?" is a
left anti-join, and it needs a timeout: an unpaid order is only known to be
unpaid once its deadline has passed. Here time is **event time**: the clock of
the two streams is the latest `ts` seen so far on either of them.

Write `build_flow(orders, payments, sink) -> Dataflow`:

- `orders` gives `{"order_id": str, "ts": datetime, ...}` (each order once);
- `payments` gives `{"payment_id": str, "order_id": str, "ts": datetime, ...}`,
  in any order relative to the orders, sometimes twice;
- an order's deadline is `order["ts"] + DEADLINE`; a payment for it with
  `ts <= deadline` pays it in time (exactly on the deadline counts), whether it
  arrives before or after the order; a payment with a later `ts` does not;
- the clock is the largest `ts` of every order and payment that has arrived;
  as soon as it is past (strictly after) an order's deadline and no payment in
  time has arrived for it, write `(order_id, order)` to `sink`, once;
- at the end of the input, orders whose deadline the clock has not passed are
  not reported: nobody knows yet whether they will be paid.

One key for everything (`op.key_on(..., lambda _: "all")` on the merged, tagged
streams) lets one `stateful_flat_map` see the whole clock.

Try it:

    from learnstream.connectors.simulated import OrderSource, PaymentSource
    from learnstream.testing import TestingSink, run_main
    from ex3_unpaid import build_flow
    orders = OrderSource(limit=200)
    rows = []
    run_main(build_flow(orders, PaymentSource(orders, missing=0.1), TestingSink(rows)))
    len(rows)   # 29: the missing payments, and the late ones

Check your work: `learnstream grade part3 unpaid`. Stuck? `learnstream hint part3 unpaid`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.inputs import Source
from learnstream.outputs import Sink

#: How long after it was placed an order may be paid.
DEADLINE = timedelta(seconds=30)


class _Book:
    """The open orders, the payments seen, and the clock (the latest ts)."""

    def __init__(self) -> None:
        self.open: dict[str, dict[str, Any]] = {}  # unpaid orders whose deadline is ahead
        self.paid_at: dict[str, datetime] = {}  # earliest payment ts per order id
        self.clock: datetime | None = None

    def add(self, tagged: tuple[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
        kind, item = tagged
        if kind == "order":
            self.open[item["order_id"]] = item
        else:
            self.paid_at[item["order_id"]] = item["ts"]
        self.clock = item["ts"] if self.clock is None else max(self.clock, item["ts"])
        return self._expire()

    def _expire(self) -> list[tuple[str, dict[str, Any]]]:
        unpaid = []
        for order_id, order in list(self.open.items()):
            deadline = order["ts"] + DEADLINE
            paid = self.paid_at.get(order_id)
            if paid is not None and paid <= deadline:
                del self.open[order_id]  # paid in time: never reported
            elif self.clock is not None and self.clock > deadline:
                del self.open[order_id]
                unpaid.append((order_id, order))
        return unpaid


def _step(
    book: _Book | None, tagged: tuple[str, dict[str, Any]]
) -> tuple[_Book, Iterable[tuple[str, dict[str, Any]]]]:
    book = book or _Book()
    return book, book.add(tagged)


def build_flow(
    orders: Source[dict[str, Any]],
    payments: Source[dict[str, Any]],
    sink: Sink[tuple[str, dict[str, Any]]],
) -> Dataflow:
    """(order_id, order) for each order not paid in time, as soon as the clock passes its deadline."""
    flow = Dataflow("unpaid")
    tagged_orders = op.map("tag_orders", op.input("orders", flow, orders), lambda o: ("order", o))
    tagged_payments = op.map(
        "tag_payments", op.input("payments", flow, payments), lambda p: ("payment", p)
    )
    everything = op.key_on(
        "one_clock", op.merge("both", tagged_orders, tagged_payments), lambda _: "all"
    )
    unpaid = op.stateful_flat_map("book", everything, _step)
    op.output("out", op.key_rm("unkey", unpaid), sink)
    return flow
