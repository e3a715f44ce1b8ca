# Catalogue case up_anti_join_final: a final join with the orders that got no payment: wrong (timing)
"""A Part 3 submission for the grader's catalogue."""

from __future__ import annotations

import learnstream.operators as op
from learnstream.dataflow import Dataflow


def build_flow(orders, payments, sink):
    flow = Dataflow("unpaid")
    ko = op.key_on("ko", op.input("orders", flow, orders), lambda o: o["order_id"])
    kp = op.key_on("kp", op.input("payments", flow, payments), lambda p: p["order_id"])
    joined = op.join("match", ko, kp, emit_mode="final")
    unpaid = op.filter("unpaid", joined, lambda kv: kv[1][0] is not None and kv[1][1] is None)
    op.output("out", op.map_value("order", unpaid, lambda row: row[0]), sink)
    return flow
