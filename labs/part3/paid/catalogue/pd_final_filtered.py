# Catalogue case pd_final_filtered: final mode without the half rows: right rows, but only at the end: wrong (as_soon_as)
"""A Part 3 submission for the grader's catalogue."""

from __future__ import annotations

import learnstream.operators as op
from learnstream.dataflow import Dataflow


def build_flow(orders, payments, sink):
    flow = Dataflow("paid")
    keyed_orders = op.key_on("ko", op.input("orders", flow, orders), lambda o: o["order_id"])
    keyed_payments = op.key_on("kp", op.input("payments", flow, payments), lambda p: p["order_id"])
    joined = op.join("match", keyed_orders, keyed_payments, emit_mode="final")
    op.output("out", op.filter("both", joined, lambda kv: None not in kv[1]), sink)
    return flow
