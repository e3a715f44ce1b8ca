"""Exercise 2 — `paid`: match each order with its payment, as soon as both are there.

Orders and payments are two streams; a payment names its order by `order_id`.
Either may arrive first (a fast payment system can beat the order system), and
a retrying client sometimes sends the same payment twice.

Write `build_flow(orders, payments, sink) -> Dataflow`:

- `orders` gives `{"order_id": str, "amount": float, ...}` (each order once);
- `payments` gives `{"payment_id": str, "order_id": str, "amount": float, ...}`;
- write `(order_id, (order, payment))` to `sink` **once per order**, as soon as
  the order and a payment for it have both arrived: not at the end of the input
  (the streams never end), and never twice for the same order, even when the
  payment comes again;
- an order without a payment (or a payment without its order) writes nothing.

`op.join` with the right `emit_mode` does this: key both streams by order id.

Try it:

    >>> from learnstream.connectors.simulated import OrderSource, PaymentSource
    >>> from learnstream.testing import TestingSink, run_main
    >>> from ex2_paid import build_flow
    >>> orders = OrderSource(limit=100)
    >>> rows = []
    >>> run_main(build_flow(orders, PaymentSource(orders, duplicated=0.2), TestingSink(rows)))
    >>> len(rows)   # one row per paid order
    96

Check your work: `learnstream grade part3 paid`. Stuck? `learnstream hint part3 paid`.
"""

from __future__ import annotations

from typing import Any

import learnstream.operators as op  # stub: # noqa: F401 (you will need it)
from learnstream.dataflow import Dataflow
from learnstream.inputs import Source
from learnstream.outputs import Sink


def build_flow(
    orders: Source[dict[str, Any]],
    payments: Source[dict[str, Any]],
    sink: Sink[tuple[str, tuple[dict[str, Any], dict[str, Any]]]],
) -> Dataflow:
    """(order_id, (order, payment)) once per order, as soon as both have arrived."""
    # BEGIN SOLUTION
    flow = Dataflow("paid")
    keyed_orders = op.key_on("order_key", op.input("orders", flow, orders), lambda o: o["order_id"])
    keyed_payments = op.key_on(
        "payment_key", op.input("payments", flow, payments), lambda p: p["order_id"]
    )
    # complete: a row as soon as both sides are there, then the key is forgotten; the
    # order never comes again, so a duplicate payment never completes a second row.
    matched = op.join("match", keyed_orders, keyed_payments, emit_mode="complete")
    op.output("out", matched, sink)
    return flow
    # STUB
    # # TODO: read both streams and key each by its order id (op.key_on).
    # # TODO: join the two keyed streams with op.join; pick the emit_mode that writes a row
    # #       as soon as both sides are there, once (see the course page on join modes).
    # # TODO: write (order_id, (order, payment)) to `sink`; return the flow.
    # raise NotImplementedError("build_flow is not written yet")
    # END SOLUTION
