# Catalogue case en_ttl_zero: enrich_cached with ttl=timedelta(0): every answer is stale at once
"""Exercise 1 — `enrich`: add product details to each order, asking the catalogue once per product.

Orders name a product by its id only (`"p-007"`); its name and category live in
a product catalogue, a slow remote service. Calling it for every order would
make the flow as slow as the service; products repeat, so cache the answers.

Write `build_flow(source, sink, lookup) -> Dataflow`:

- `source` gives orders `{"order_id": str, "product": str, "amount": float, ...}`;
- `lookup(product_id)` returns `{"name": str, "category": str, ...}`, or `None`
  for a product the catalogue does not know;
- write `(order_id, name, category)` to `sink` for every order, in the order the
  orders arrive; `(order_id, None, None)` when the catalogue does not know the
  product;
- call `lookup` **at most once per product id** in the whole run, unknown ids
  included (remembering "not found" is part of the cache's job).

`op.enrich_cached` keeps the cache for you (its default time-to-live is
forever, which is what this exercise wants).

Try it:

    from learnstream.connectors.simulated import OrderSource, ProductCatalog
    from learnstream.testing import TestingSink, run_main
    from ex1_enrich import build_flow
    rows, catalog = [], ProductCatalog(products=20)
    run_main(build_flow(OrderSource(limit=50), TestingSink(rows), catalog))
    rows[0], catalog.calls   # ('order-000001', 'Kite 13', 'toys'), at most 20 calls

Check your work: `learnstream grade part3 enrich`. Stuck? `learnstream hint part3 enrich`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.inputs import Source
from learnstream.outputs import Sink


def build_flow(
    source: Source[dict[str, Any]],
    sink: Sink[tuple[str, str | None, str | None]],
    lookup: Callable[[str], dict[str, Any] | None],
) -> Dataflow:
    """Each order as (order_id, product name, category), looking each product up once."""
    flow = Dataflow("enrich")
    orders = op.input("orders", flow, source)

    def describe(cache: Any, order: dict[str, Any]) -> tuple[str, str | None, str | None]:
        product = cache.get(order["product"])
        if product is None:
            return order["order_id"], None, None
        return order["order_id"], product["name"], product["category"]

    op.output("out", op.enrich_cached("details", orders, lookup, describe, ttl=timedelta(0)), sink)
    return flow
