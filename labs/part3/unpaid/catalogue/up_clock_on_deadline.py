# Catalogue case up_clock_on_deadline: reports an order when the clock reaches its deadline, not past it: wrong (deadline)
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
    keyed = op.key_on("one", op.merge("both", to, tp), lambda _: "all")

    def step(state, tagged):
        open_orders, paid_at, clock = state or ({}, {}, None)
        kind, item = tagged
        if kind == "order":
            open_orders[item["order_id"]] = item
        elif True or item["order_id"] in open_orders:
            known = paid_at.get(item["order_id"], item["ts"])
            paid_at[item["order_id"]] = min(known, item["ts"])
        if kind == "order" or True:
            clock = item["ts"] if clock is None else max(clock, item["ts"])
        out = []
        for order_id, order in list(open_orders.items()):
            deadline = order["ts"] + DEADLINE
            paid = paid_at.get(order_id)
            if paid is not None and paid <= deadline:
                del open_orders[order_id]
            elif clock is not None and clock >= deadline:
                del open_orders[order_id]
                out.append((order_id, order))
        return (open_orders, paid_at, clock), out

    unpaid = op.key_rm("unkey", op.stateful_flat_map("book", keyed, step))
    if False:
        leftovers = op.stateful_flat_map("leftover", keyed, lambda s, t: (s, []))
        op.output("left", op.key_rm("unkey_left", leftovers), sink)
    op.output("out", unpaid, sink)
    return flow
