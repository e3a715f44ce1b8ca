"""Part 3: what the checks of `enrich`, `paid`, `unpaid` and `attribution` share.

Each exercise's titles, points and hints are in its folder's `lab.toml`, its
checks in its `checks.py`, built with `learnstream.grading.kit`; here is what they share.
Each exercise is a `build_flow(...)` with one or two sources. A join's answer
depends on the order in which its sides' items meet, so the grader plays its
streams itself, one item per tick in the order it chose, whichever source it
belongs to (`probes_joins.run_scripted_flow`), with the flow's clock frozen. It
reads each sink twice: once every item is in but before the input ends (what a
flow on a stream that never ends would have written: `live`), and at the end.

Every stream is a list of `Event`s: `key` is the order id, product id or
impression id, `t` the event time and `value` `(side, ...)`, the side being
"order"/"payment" or "impression"/"click". The streams are written against
clever wrong answers: a payment before its order, the same payment twice, an
order without payment and a payment without order, payments exactly on the
deadline and one second after, the clock exactly on a deadline, clicks in the
next window, before their impression, and late on either side.

"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    SECOND,
    CheckFailed,
    Event,
    FailureKind,
    Session,
    Window,
    Written,
    clock,
    from_datetime,
    join_run,
    same,
    to_datetime,
    window_diff,
    window_rows,
)
from learnstream.grading.kit import strategies as st
from learnstream.grading.kit.windows import Row
from learnstream.wording import plural

_PROBE = "learnstream.grading.probes_joins:run_scripted_flow"
#: Drawn streams per check after its edges (the random checks draw 40): each is one run of
#: the learner's flow, and the edges already hold the classic mistakes.
_SEARCH = 30


_TIMELINE_EVENTS = 24

#: The contracts' constants (see the stubs' docstrings).
DEADLINE = 30 * SECOND
ATTRIBUTION_WAIT = 10 * SECOND

_KINDS = [("Book", "books"), ("Lamp", "home"), ("Rake", "garden"), ("Kite", "toys")]


#: The grader's catalogue: p-001 to p-006 and p-010 to p-209 are known; p-007 to p-009 are
#: unknown (None). More products than a default `functools.lru_cache` keeps (128).
TABLE: dict[str, dict[str, Any]] = {
    f"p-{n:03d}": {
        "product_id": f"p-{n:03d}",
        "name": f"{_KINDS[(n - 1) % 4][0]} {n}",
        "category": _KINDS[(n - 1) % 4][1],
    }
    for n in [*range(1, 7), *range(10, 210)]
}
_PRODUCTS = [f"p-{n:03d}" for n in range(1, 10)]


# --- events and the items the learner's sources give ------------------------------------


def _order(n: int, order_id: str, seconds: int) -> Event:
    return Event(n, order_id, seconds * SECOND, ("order",))


def _pay(
    n: int, order_id: str, seconds: int, payment_id: str | None = None, amount: float = 10.0
) -> Event:
    number = order_id.rsplit("-", 1)[-1]
    return Event(n, order_id, seconds * SECOND, ("payment", payment_id or f"pay-{number}", amount))


def _shop_item(event: Event) -> dict[str, Any]:
    """An order (amount 10.0), or a payment with its own id and amount."""
    if event.value[0] == "order":
        return {"order_id": event.key, "amount": 10.0, "ts": to_datetime(event.t)}
    _, payment_id, amount = event.value
    return {
        "payment_id": payment_id,
        "order_id": event.key,
        "amount": amount,
        "ts": to_datetime(event.t),
    }


def _ad_item(event: Event) -> dict[str, Any]:
    return {"impression_id": event.key, "user": "user-1", "ad": "ad-1", "ts": to_datetime(event.t)}


def _side(first: str) -> Callable[[Event], int]:
    return lambda event: 0 if event.value[0] == first else 1


def _run(
    session: Session,
    events: Sequence[Event],
    make_item: Callable[[Event], Any],
    source_of: Callable[[Event], int],
    nouns: tuple[str, ...],
    table: dict[str, Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    script = [(source_of(e), make_item(e)) for e in events]
    counts = Counter(source for source, _ in script)
    what = " and ".join(plural(counts[n], noun) for n, noun in enumerate(nouns))
    args: dict[str, Any] = {"fn": "build_flow", "script": script, "sources": len(nouns), **options}
    if table is not None:
        args["table"] = table
    report = session.probe(_PROBE, f"build_flow(...) run on {what}", **args)
    if "outputs" not in report:
        raise CheckFailed(
            f"build_flow returned a {report['type']}, not a Dataflow; end it with `return flow`",
            kind=FailureKind.WRONG_SHAPE,
        )
    return report


# --- the per-key verdict of a join without windows --------------------------------------


_NO_ROW = "(no row expected)"


def _key_verdict(
    expected: dict[str, Any],
    got: dict[str, list[Any]],
    what: str,
    show: Callable[[Any], str],
    equal: Callable[[Any, Any], bool] = same,
    draw: Callable[[str], str] | None = None,
) -> None:
    """Fail on the first key whose rows differ, with the learner's run of that key drawn
    (`draw(key)`, see `KeyJoin.picture`) and the per-key diff of expected vs yours."""
    rows = window_rows(expected, got, lambda key: Window(key, "-", 0, 0, name="—"), equal, show)
    rows = [
        row if row.expected_exists else Row(row.window, _NO_ROW, row.actual, row.ok) for row in rows
    ]
    rows.sort(key=lambda r: r.window.key)
    first = next((row for row in rows if not row.ok), None)
    if first is None:
        return
    key = first.window.key
    if first.expected == _NO_ROW:
        message = f"your flow wrote a {what} for {key!r}, which should have none"
    elif first.actual == "(missing)":
        message = f"your flow wrote no {what} for {key!r}; expected {first.expected}"
    elif first.actual.endswith("times)"):
        message = f"your flow wrote the {what} of {key!r} more than once; expected it once"
    else:
        message = f"wrong {what} for {key!r}: expected {first.expected}, yours {first.actual}"
    diff = window_diff([Row(r.window, r.expected, r.actual, r.ok) for r in rows])
    diff = diff.replace("per key and window", "per key").replace("per-window", "per-key")
    details = diff if draw is None else f"{draw(key)}\n\n{diff}"
    raise CheckFailed(message, details, kind=FailureKind.WRONG_VALUE)


def _shaped(items: list[Any], ok: Callable[[Any], bool], shape: str) -> dict[str, list[Any]]:
    got: dict[str, list[Any]] = {}
    for item in items:
        if not ok(item):
            raise CheckFailed(
                f"your flow wrote {short_repr(item)} to the sink; every item must be {shape}",
                kind=FailureKind.WRONG_SHAPE,
            )
        got.setdefault(item[0], []).append(item[1:] if len(item) > 2 else item[1])
    return got


def _shop_stream(
    orders: int, *, max_delay: int = 60, max_size: int = 12
) -> st.SearchStrategy[list[Event]]:
    """Orders and their payments in a shuffled arrival order.

    Each order draws whether it is placed, its time, and up to two payments,
    each with its own delay (negative: paid before the order's own time), its
    own amount (not always the order's), and for the second a payment id of
    its own or the first's (a client retrying); the arrival order is drawn too
    (shrinking towards orders first, then payments).
    """
    delay = st.one_of(st.sampled_from([0, 29, 30, 31, -5]), st.integers(-30, max_delay))
    payment = st.tuples(delay, st.sampled_from([10.0, 10.0, 12.5]), st.booleans())
    one = st.tuples(
        st.integers(0, orders - 1),
        st.booleans(),
        st.integers(0, 120),
        st.lists(payment, max_size=2),
    )

    def build(draw: Any) -> list[Event]:
        rows = draw(st.lists(one, min_size=1, max_size=max_size, unique_by=lambda r: r[0]))
        items: list[Event] = []
        for k, placed, t, payments in rows:
            key = f"order-{k + 1}"
            if placed:
                items.append(_order(0, key, t))
            for copy, (wait, amount, new_id) in enumerate(payments):
                payment_id = f"pay-{k + 1}" + ("-retry" if copy and new_id else "")
                items.append(_pay(0, key, t + wait, payment_id, amount))
        if not items:
            items.append(_order(0, "order-1", 0))
        order = draw(st.permutations(range(len(items))))
        return [replace(items[i], n=n) for n, i in enumerate(order)]

    return st.composite(lambda draw: build(draw))()


def _simulated_shop(seed: int, limit: int, **payments: Any) -> list[Event]:
    from learnstream.connectors.simulated import OrderSource, PaymentSource

    orders = OrderSource(seed=seed, limit=limit)
    paid = list(PaymentSource(orders, **payments))
    shop = [("order", o) for o in orders] + [("payment", p) for p in paid]
    # The orders as they are placed, each payment when its time comes (ties: the order first).
    shop.sort(key=lambda item: (item[1]["ts"], item[0] == "payment"))
    return [
        Event(
            n,
            item["order_id"],
            from_datetime(item["ts"]) // SECOND * SECOND,
            (side,) if side == "order" else (side, item["payment_id"], item["amount"]),
        )
        for n, (side, item) in enumerate(shop)
    ]


# --- the orders and payments: the learner's run, and its picture ------------------------


@dataclass(frozen=True)
class Sink:
    """What the learner's flow wrote to its sink: the items, and the arrival number after
    which each was written (None: when the input ended)."""

    items: list[Any]
    after: list[int | None]

    @property
    def live(self) -> list[Any]:
        """The items written before the input ended."""
        return [item for item, when in zip(self.items, self.after, strict=True) if when is not None]

    @property
    def at_end(self) -> list[Any]:
        """The items written when the input ended."""
        return [item for item, when in zip(self.items, self.after, strict=True) if when is None]

    def rows_of(self, key: str, show: Callable[[Any], str]) -> list[Written]:
        """The `(key, value)` items of `key`, each as `show(value)` and when it was written."""
        return [
            Written(show(item[1]), when)
            for item, when in zip(self.items, self.after, strict=True)
            if type(item) is tuple and len(item) == 2 and item[0] == key
        ]


def _sink(report: dict[str, Any], index: int = 0) -> Sink:
    """Sink `index` of a `run_scripted_flow` report (its script positions are arrival numbers)."""
    return Sink(list(report["outputs"][index]), list(report["written_after"][index]))


def _at(ts: Any) -> str:
    """A learner's timestamp as reports write times (`00:00:40`), anything else as its repr."""
    if isinstance(ts, datetime) and ts.utcoffset() is not None:
        return clock(from_datetime(ts))
    return short_repr(ts)


def _shop_words(event: Event) -> str:
    """An order or a payment as the picture names it."""
    if event.value[0] == "order":
        return f"order {event.key}"
    _, payment_id, amount = event.value
    return f"payment {payment_id} of {event.key} ({amount})"


def _answered_after(
    events: Sequence[Event], key: str, answer: Callable[[Sequence[Event]], dict[str, Any]]
) -> int | None:
    """The arrival after which `answer` (a reference model) first holds `key`: when a right
    flow writes its row (None: not before the input ends)."""
    for event in events:
        if key in answer(events[: event.n + 1]):
            return event.n
    return None


class _Choices(tuple[Any, ...]):
    """The values a right flow may write for one key (any one of them)."""


@dataclass(frozen=True)
class KeyJoin:
    """A join of orders and payments by order id (`paid`, `unpaid`): run, judged, drawn.

    `model(events)` is the grader's answer: per order id, the values a right flow
    may write for it (any one of them, written once, as the input comes);
    `what` names a row in messages, `shape` says its form and `shaped` accepts
    it; `show` writes a value as text. With `deadline`, the picture draws each
    order's deadline and the clock (the largest ts of both streams) after every
    arrival.
    """

    what: str
    shape: str
    shaped: Callable[[Any], bool]
    model: Callable[[Sequence[Event]], dict[str, tuple[Any, ...]]]
    show: Callable[[Any], str]
    deadline: bool = False

    def run(self, session: Session, events: Sequence[Event]) -> tuple[Sink, dict[str, Any]]:
        """The learner's `build_flow(orders, payments, sink)` run on `events`, and the answer."""
        report = _run(session, events, _shop_item, _side("order"), ("order", "payment"))
        return _sink(report), {key: _Choices(v) for key, v in self.model(events).items()}

    def rows(self, items: list[Any]) -> dict[str, list[Any]]:
        """The learner's `items` by order id, each checked for the contract's shape."""
        return _shaped(items, self.shaped, self.shape)

    def judge(
        self,
        events: Sequence[Event],
        sink: Sink,
        got: dict[str, list[Any]],
        expected: dict[str, Any],
    ) -> None:
        """Fail on the first order id whose rows `got` (see `rows`) are not the expected ones."""
        _key_verdict(
            expected,
            got,
            self.what,
            self._text,
            lambda want, have: any(same(value, have) for value in want),
            lambda key: self.picture(events, sink, expected, key),
        )

    def _text(self, value: Any) -> str:
        """A learner's value, or the values a right flow may write (`a or b`)."""
        if isinstance(value, _Choices):
            return " or ".join(self.show(v) for v in value)
        return self.show(value)

    def picture(
        self, events: Sequence[Event], sink: Sink, expected: dict[str, Any], key: str
    ) -> str:
        """`key`'s orders and payments as they arrived, and the rows written after each: the
        expected one (when the model first answers for `key`) and the learner's."""
        want = []
        if key in expected:
            when = _answered_after(events, key, self.model)
            choices = tuple(self.show(v) for v in expected[key])
            want = [Written(" or ".join(choices), when, choices)]
        marks: dict[str, int] = {}
        note = None
        if self.deadline:
            placed = [e.t for e in events if e.key == key and e.value[0] == "order"]
            if placed:
                marks["deadline"] = placed[0] + DEADLINE
            clocks = itertools.accumulate((e.t for e in events), max)
            latest = {e.n: t for e, t in zip(events, clocks, strict=True)}

            def note(event: Event) -> str:
                return f"  · clock {clock(latest[event.n])}"

        yours = sink.rows_of(key, self.show)
        return join_run(events, key, want, yours, _shop_words, note=note, marks=marks)
