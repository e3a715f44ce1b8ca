# Catalogue case up_heap: deadlines in a heap, payments in a dict, same rules: right
"""A Part 3 submission for the grader's catalogue."""

from __future__ import annotations

import heapq
from datetime import timedelta

import learnstream.operators as op
from learnstream.dataflow import Dataflow

DEADLINE = timedelta(seconds=30)


class Book:
    def __init__(self):
        self.heap = []
        self.orders = {}
        self.first_paid = {}
        self.clock = None

    def add(self, tagged):
        kind, item = tagged
        oid = item["order_id"]
        if kind == "order":
            self.orders[oid] = item
            heapq.heappush(self.heap, (item["ts"] + DEADLINE, oid))
        else:
            self.first_paid[oid] = min(self.first_paid.get(oid, item["ts"]), item["ts"])
        self.clock = item["ts"] if self.clock is None else max(self.clock, item["ts"])
        out = []
        while self.heap and self.heap[0][0] < self.clock:
            deadline, oid = heapq.heappop(self.heap)
            paid = self.first_paid.get(oid)
            if paid is None or paid > deadline:
                out.append((oid, self.orders[oid]))
            del self.orders[oid]
        return out


def build_flow(orders, payments, sink):
    flow = Dataflow("unpaid")
    to = op.map("to", op.input("orders", flow, orders), lambda o: ("order", o))
    tp = op.map("tp", op.input("payments", flow, payments), lambda p: ("payment", p))
    keyed = op.key_on("one", op.merge("both", to, tp), lambda _: "all")

    def step(book, tagged):
        book = book or Book()
        return book, book.add(tagged)

    op.output("out", op.key_rm("unkey", op.stateful_flat_map("book", keyed, step)), sink)
    return flow
