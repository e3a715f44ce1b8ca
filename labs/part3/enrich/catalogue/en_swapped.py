# Catalogue case en_swapped: writes (order_id, category, name): wrong (rows)
"""A Part 3 submission for the grader's catalogue."""

from __future__ import annotations

import learnstream.operators as op
from learnstream.dataflow import Dataflow


def build_flow(source, sink, lookup):
    flow = Dataflow("enrich")

    def describe(cache, order):
        product = cache.get(order["product"])
        if product is None:
            return order["order_id"], None, None
        return order["order_id"], product["category"], product["name"]

    op.output(
        "out", op.enrich_cached("details", op.input("orders", flow, source), lookup, describe), sink
    )
    return flow
