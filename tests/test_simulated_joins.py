"""The simulated streams of Part 3: orders and payments, impressions and clicks, a catalogue.

Each is deterministic for its seed, its parts belong together (every payment
pays an order, every click is on an impression), its imperfections are there
in the proportions asked for, and each runs through a flow.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

import learnstream.operators as op
from learnstream.connectors.simulated import (
    AdClickSource,
    AdImpressionSource,
    OrderSource,
    PaymentSource,
    ProductCatalog,
)
from learnstream.dataflow import Dataflow
from learnstream.engine.executor import run_flow
from learnstream.operators import windowing as win
from learnstream.run import summary_lines
from learnstream.testing import TestingSink, run_main


def test_orders_and_payments_are_deterministic_and_belong_together() -> None:
    orders = OrderSource(seed=11, limit=3_000)
    payments = PaymentSource(
        orders,
        missing=0.1,
        late=0.05,
        duplicated=0.04,
        max_delay=timedelta(seconds=30),
        late_delay=timedelta(minutes=10),
    )
    assert list(orders) == list(OrderSource(seed=11, limit=3_000))
    got = list(payments)
    assert got == list(payments)  # the same again: nothing was consumed
    by_id = {o["order_id"]: o for o in orders}
    assert len(by_id) == 3_000
    copies = Counter(p["payment_id"] for p in got)
    paid = {p["order_id"] for p in got}
    for p in got:
        order = by_id[p["order_id"]]
        assert p["amount"] == order["amount"]
        assert timedelta(0) <= p["ts"] - order["ts"] <= timedelta(minutes=10)
    late = sum(p["ts"] - by_id[p["order_id"]]["ts"] > timedelta(seconds=30) for p in got)
    # The proportions asked for, within what 3,000 draws allow.
    assert 0.07 < 1 - len(paid) / 3_000 < 0.13
    assert 0.025 < sum(c == 2 for c in copies.values()) / len(copies) < 0.06
    assert 0.03 < late / len(got) < 0.07
    assert max(copies.values()) == 2
    # In time order without disorder; within max_disorder with it.
    assert [p["ts"] for p in got] == sorted(p["ts"] for p in got)
    shuffled = list(PaymentSource(orders, max_disorder=timedelta(seconds=20), seed=3))
    stamps = [p["ts"] for p in shuffled]
    assert stamps != sorted(stamps)
    assert all(t >= max(stamps[: i + 1]) - timedelta(seconds=20) for i, t in enumerate(stamps))


def test_a_different_seed_gives_different_orders_and_payments() -> None:
    a = list(PaymentSource(OrderSource(seed=1, limit=200)))
    b = list(PaymentSource(OrderSource(seed=2, limit=200)))
    assert a != b


def test_payments_resume_from_a_snapshot() -> None:
    source = PaymentSource(OrderSource(seed=5, limit=100), batch_size=7)
    part = source.build_part("pay", "simulated", None)
    part.next_batch()
    state = part.snapshot()
    expected = part.next_batch()
    assert source.build_part("pay", "simulated", state).next_batch() == expected


def test_orders_join_their_payments_once_each_through_a_flow() -> None:
    orders = OrderSource(seed=8, limit=500, batch_size=50)
    payments = PaymentSource(
        orders, duplicated=0.1, max_disorder=timedelta(seconds=5), batch_size=40
    )
    flow = Dataflow("shop")
    o = op.key_on("by_order", op.input("orders", flow, orders), lambda o: o["order_id"])
    p = op.key_on("by_payment", op.input("payments", flow, payments), lambda p: p["order_id"])
    matched: list[Any] = []
    op.output("out", op.join("match", o, p), TestingSink(matched))
    run_main(flow)
    all_payments = list(payments)
    paid = {x["order_id"] for x in all_payments}
    # Complete mode emits each order with its first payment; a duplicate that comes
    # after the match starts a new, never-completed row, so it emits nothing.
    assert sorted(k for k, _ in matched) == sorted(paid)
    assert all(order["order_id"] == k == pay["order_id"] for k, (order, pay) in matched)


def test_clicks_are_on_impressions_within_the_delay() -> None:
    shown = AdImpressionSource(seed=4, limit=2_000, users=8, max_disorder=timedelta(seconds=10))
    clicks = list(AdClickSource(shown, click_rate=0.25, max_click_delay=timedelta(minutes=1)))
    by_id = {i["impression_id"]: i for i in shown}
    assert len(by_id) == 2_000
    assert 0.2 < len(clicks) / 2_000 < 0.3
    for c in clicks:
        seen = by_id[c["impression_id"]]
        assert (c["user"], c["ad"]) == (seen["user"], seen["ad"])
        assert timedelta(0) <= c["ts"] - seen["ts"] <= timedelta(minutes=1)
    stamps = [i["ts"] for i in shown]
    assert stamps != sorted(stamps)  # impressions arrive out of order
    assert clicks == list(
        AdClickSource(shown, click_rate=0.25, max_click_delay=timedelta(minutes=1))
    )


def test_clicks_join_impressions_in_windows_through_a_flow() -> None:
    """Every impression clicked in the same minute gives one (impression, click) row."""
    shown = AdImpressionSource(seed=6, limit=300, users=4, batch_size=20)
    clicks = AdClickSource(
        shown, click_rate=0.3, max_click_delay=timedelta(seconds=20), batch_size=5
    )
    flow = Dataflow("ads")
    imps = op.key_on("by_imp", op.input("shown", flow, shown), lambda i: i["impression_id"])
    cls = op.key_on("by_click", op.input("clicks", flow, clicks), lambda c: c["impression_id"])
    clock = win.EventClock(lambda e: e["ts"], wait_for_system_duration=timedelta(minutes=5))
    minutes = win.TumblingWindower(timedelta(minutes=1), shown.start)
    joined = win.join_window("attribute", clock, minutes, imps, cls, emit_mode="complete")
    rows: list[Any] = []
    late: list[Any] = []
    op.output("rows", joined.down, TestingSink(rows))
    op.output("late", joined.late, TestingSink(late))
    run_main(flow)
    start = shown.start
    expected = {
        c["impression_id"]
        for c in clicks
        if (c["ts"] - start) // timedelta(minutes=1)
        == (next(i for i in shown if i["impression_id"] == c["impression_id"])["ts"] - start)
        // timedelta(minutes=1)
    }
    assert late == []
    assert sorted(k for k, _ in rows) == sorted(expected)
    assert all(imp["impression_id"] == click["impression_id"] for _, (_, (imp, click)) in rows)


def test_the_catalogue_counts_calls_and_enrich_cached_spares_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slept: list[float] = []
    monkeypatch.setattr("learnstream.connectors.simulated.time.sleep", slept.append)
    catalog = ProductCatalog(products=20, latency=timedelta(milliseconds=30), seed=2)
    assert catalog("p-001") == ProductCatalog(products=20, seed=2)("p-001")
    assert slept == [0.03] and catalog.calls == 1
    catalog = ProductCatalog(products=20, seed=2)
    orders = OrderSource(seed=3, limit=400, products=20, batch_size=25)
    flow = Dataflow("enrich")
    s = op.input("orders", flow, orders)
    s = op.enrich_cached("product", s, catalog, lambda cache, o: (o, cache.get(o["product"])))
    out: list[Any] = []
    op.output("out", s, TestingSink(out))
    run_main(flow)
    assert len(out) == 400
    assert all(product["product_id"] == order["product"] for order, product in out)
    products = {o["product"] for o in orders}
    # One call per product: the flow's lookups all came from the cache after the first.
    assert catalog.calls_by_id == Counter(products)
    assert catalog("p-999") is None


def test_the_run_summary_counts_the_orders_never_paid() -> None:
    orders = OrderSource(seed=9, limit=300, batch_size=30)
    payments = PaymentSource(orders, missing=0.1, duplicated=0.0, batch_size=30)
    flow = Dataflow("unpaid")
    o = op.key_on("by_order", op.input("orders", flow, orders), lambda o: o["order_id"])
    p = op.key_on("by_payment", op.input("payments", flow, payments), lambda p: p["order_id"])
    op.output("out", op.join("match", o, p), TestingSink([]))
    unpaid = 300 - len({x["order_id"] for x in payments})
    assert unpaid > 0
    assert summary_lines(run_flow(flow)) == [
        f"learnstream run: step 'unpaid.match': {unpaid} keys held at the end"
    ]
