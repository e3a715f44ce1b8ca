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

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    SECOND,
    CheckFailed,
    Event,
    FailureKind,
    Session,
    Window,
    from_datetime,
    same,
    to_datetime,
    window_diff,
    window_rows,
)
from learnstream.grading.kit import strategies as st
from learnstream.grading.kit.windows import Row
from learnstream.wording import plural

_PROBE = "learnstream.grading.probes_joins:run_scripted_flow"
_TIMELINE_EVENTS = 24

#: The contracts' constants (see the stubs' docstrings).
DEADLINE = 30 * SECOND
ATTRIBUTION_WAIT = 10 * SECOND

#: The grader's catalogue: six known products; p-007 to p-009 are unknown (None).
TABLE: dict[str, dict[str, Any]] = {
    f"p-{n:03d}": {"product_id": f"p-{n:03d}", "name": f"{noun} {n}", "category": category}
    for n, (noun, category) in enumerate(
        [("Book", "books"), ("Lamp", "home"), ("Rake", "garden"), ("Kite", "toys")] * 2, start=1
    )
    if n <= 6
}
_PRODUCTS = [f"p-{n:03d}" for n in range(1, 10)]


# --- events and the items the learner's sources give ------------------------------------


def _order(n: int, order_id: str, seconds: int) -> Event:
    return Event(n, order_id, seconds * SECOND, ("order",))


def _pay(n: int, order_id: str, seconds: int) -> Event:
    return Event(n, order_id, seconds * SECOND, ("payment",))


def _shop_item(event: Event) -> dict[str, Any]:
    """An order, or its payment: the same order id always pays the same payment."""
    number = event.key.rsplit("-", 1)[-1]
    if event.value[0] == "order":
        return {"order_id": event.key, "amount": 10.0, "ts": to_datetime(event.t)}
    return {
        "payment_id": f"pay-{number}",
        "order_id": event.key,
        "amount": 10.0,
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
) -> dict[str, Any]:
    script = [(source_of(e), make_item(e)) for e in events]
    counts = Counter(source for source, _ in script)
    what = " and ".join(plural(counts[n], noun) for n, noun in enumerate(nouns))
    args: dict[str, Any] = {"fn": "build_flow", "script": script, "sources": len(nouns)}
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


def _key_verdict(
    expected: dict[str, Any], got: dict[str, list[Any]], what: str, show: Callable[[Any], str]
) -> None:
    """Fail on the first key whose rows differ, with the per-key diff of expected vs yours."""
    rows = window_rows(expected, got, lambda key: Window(key, "-", 0, 0, name="—"), same, show)
    rows.sort(key=lambda r: r.window.key)
    first = next((row for row in rows if not row.ok), None)
    if first is None:
        return
    key = first.window.key
    if first.expected == "(no window)":
        message = f"your flow wrote a {what} for {key!r}, which should have none"
    elif first.actual == "(missing)":
        message = f"your flow wrote no {what} for {key!r}; expected {first.expected}"
    elif first.actual.endswith("times)"):
        message = f"your flow wrote the {what} of {key!r} more than once; expected it once"
    else:
        message = f"wrong {what} for {key!r}: expected {first.expected}, yours {first.actual}"
    diff = window_diff([Row(r.window, r.expected, r.actual, r.ok) for r in rows])
    diff = diff.replace("per key and window", "per key").replace("per-window", "per-key")
    raise CheckFailed(message, diff, kind=FailureKind.WRONG_VALUE)


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

    Each order draws whether it is placed, how many payments it gets (0, 1 or
    2 copies) and each item's time; the arrival order is drawn too
    (shrinking towards orders first, then payments).
    """
    one = st.tuples(
        st.integers(0, orders - 1),
        st.booleans(),
        st.integers(0, 2),
        st.integers(0, 120),
        st.one_of(st.sampled_from([0, 29, 30, 31]), st.integers(0, max_delay)),
    )

    def build(draw: Any) -> list[Event]:
        rows = draw(st.lists(one, min_size=1, max_size=max_size, unique_by=lambda r: r[0]))
        items: list[tuple[str, str, int]] = []
        for k, placed, copies, t, delay in rows:
            key = f"order-{k + 1}"
            if placed:
                items.append(("order", key, t))
            items += [("payment", key, t + delay)] * copies
        if not items:
            items.append(("order", "order-1", 0))
        order = draw(st.permutations(range(len(items))))
        return [
            Event(n, items[i][1], items[i][2] * SECOND, (items[i][0],)) for n, i in enumerate(order)
        ]

    return st.composite(lambda draw: build(draw))()


def _simulated_shop(seed: int, limit: int, **payments: Any) -> list[Event]:
    from learnstream.connectors.simulated import OrderSource, PaymentSource

    orders = OrderSource(seed=seed, limit=limit)
    paid = list(PaymentSource(orders, **payments))
    shop = [("order", o) for o in orders] + [("payment", p) for p in paid]
    # The orders as they are placed, each payment when its time comes (ties: the order first).
    shop.sort(key=lambda item: (item[1]["ts"], item[0] == "payment"))
    return [
        Event(n, item["order_id"], from_datetime(item["ts"]) // SECOND * SECOND, (side,))
        for n, (side, item) in enumerate(shop)
    ]
