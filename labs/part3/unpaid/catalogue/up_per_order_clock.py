# Catalogue case up_per_order_clock: keys by order id, so each order only sees its own times: wrong (deadline)
"""A Part 3 submission for the grader's catalogue."""

from __future__ import annotations

from datetime import timedelta

import learnstream.operators as op
from learnstream.dataflow import Dataflow

DEADLINE = timedelta(seconds=30)


def build_flow(orders, payments, sink):
    flow = Dataflow("unpaid")
    to = op.map("to", op.input("orders", flow, orders), lambda o: ("order", o))
    tp = op.map("tp", op.input("payments", flow, payments), lambda p: ("payment", p))
    keyed = op.key_on("by_order", op.merge("both", to, tp), lambda t: t[1]["order_id"])

    def step(state, tagged):
        order, paid_at, clock, done = state or (None, None, None, False)
        kind, item = tagged
        if kind == "order":
            order = item
        else:
            paid_at = item["ts"] if paid_at is None else min(paid_at, item["ts"])
        clock = item["ts"] if clock is None else max(clock, item["ts"])
        out = []
        if order is not None and not done:
            deadline = order["ts"] + DEADLINE
            if paid_at is not None and paid_at <= deadline:
                done = True
            elif clock > deadline:
                done = True
                out.append(order)
        return (order, paid_at, clock, done), out

    op.output("out", op.stateful_flat_map("book", keyed, step), sink)
    return flow
