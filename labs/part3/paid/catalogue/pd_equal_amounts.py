# Catalogue case pd_equal_amounts: a join by hand that pairs an order only with a payment of the same amount
"""A Part 3 submission for the grader's catalogue."""

from __future__ import annotations

import learnstream.operators as op
from learnstream.dataflow import Dataflow


def build_flow(orders, payments, sink):
    flow = Dataflow("paid")
    tagged_orders = op.map("to", op.input("orders", flow, orders), lambda o: ("order", o))
    tagged_payments = op.map("tp", op.input("payments", flow, payments), lambda p: ("payment", p))
    keyed = op.key_on(
        "k", op.merge("m", tagged_orders, tagged_payments), lambda t: t[1]["order_id"]
    )

    def step(state, tagged):
        state = state or {"order": None, "payment": None, "done": False}
        kind, item = tagged
        state[kind] = state[kind] or item
        same_amount = state["order"] and state["payment"] and state["order"]["amount"] == state["payment"]["amount"]
        if not state["done"] and same_amount:
            state["done"] = True
            return state, [(state["order"], state["payment"])]
        return state, []

    op.output("out", op.stateful_flat_map("match", keyed, step), sink)
    return flow
