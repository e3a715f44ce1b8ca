# Catalogue case pd_running: emit_mode=running: half rows and repeated rows: wrong
"""A Part 3 submission for the grader's catalogue."""

from __future__ import annotations

import learnstream.operators as op
from learnstream.dataflow import Dataflow


def build_flow(orders, payments, sink):
    flow = Dataflow("paid")
    keyed_orders = op.key_on("ko", op.input("orders", flow, orders), lambda o: o["order_id"])
    keyed_payments = op.key_on("kp", op.input("payments", flow, payments), lambda p: p["order_id"])
    op.output("out", op.join("match", keyed_orders, keyed_payments, emit_mode="running"), sink)
    return flow
