"""The checks of part3's exercise `attribution`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.failures import ANSWER_KINDS
from learnstream.grading.kit import (
    MINUTE,
    SECOND,
    CheckFailed,
    Event,
    FailureKind,
    FlowContract,
    Session,
    Window,
    Written,
    clock,
    clock_trouble,
    events_check,
    fixed_windows,
    from_datetime,
    group_items,
    is_window_item,
    join_run,
    same,
    split_late,
    to_datetime,
    window_diff,
    window_rows,
    window_verdict,
    with_watermarks,
)
from learnstream.grading.kit import strategies as st
from learnstream.operators.windowing import TumblingWindower

from ..shared import _SEARCH, _TIMELINE_EVENTS, ATTRIBUTION_WAIT, Sink, _ad_item, _run, _side, _sink

# --- exercise 4: attribution ----------------------------------------------------------------


def attributed(events: Sequence[Event]) -> dict[tuple[str, int], bool]:
    """Clicked or not, per (impression id, window) holding an on-time impression."""
    good, _ = split_late(events, ATTRIBUTION_WAIT)
    shown = {(e.key, e.t // MINUTE) for e in good if e.value[0] == "impression"}
    clicked = {(e.key, e.t // MINUTE) for e in good if e.value[0] == "click"}
    return {wk: wk in clicked for wk in shown}


def _attribution_test(session: Session, events: list[Event]) -> None:
    report = _run(session, events, _ad_item, _side("impression"), ("impression", "click"))
    ok = lambda item: is_window_item(item, lambda v: type(v) is bool)  # noqa: E731
    got = group_items(report["outputs"][0], ok, "(impression_id, (window_id, clicked))", "sink")
    good, _ = split_late(events, ATTRIBUTION_WAIT)
    windows = fixed_windows(good, MINUTE, MINUTE)

    def window_of(wk: tuple[str, int]) -> Window:
        key, wid = wk
        return windows.get(wk) or Window(key, wid, wid * MINUTE, (wid + 1) * MINUTE)

    rows = window_rows(attributed(events), got, window_of, same, short_repr)
    windower = TumblingWindower(timedelta(minutes=1), to_datetime(0))
    try:
        window_verdict(rows, events, windower, ATTRIBUTION_WAIT, "row")
    except CheckFailed as failed:
        # The kit draws one lane per key; a join is clearer with a lane per side.
        first = next(row for row in rows if not row.ok).window
        yours = _your_run(events, first, _sink(report))
        failed.details = (
            f"{_join_picture(events, windower, first)}\n\n{yours}\n\n{window_diff(rows)}"
        )
        clicks = [e for e in good if (e.key, e.t // MINUTE) == (first.key, first.wid)]
        if clicks and failed.message.endswith(_ONLY_LATE):  # on-time clicks, no impression
            failed.message = failed.message.removesuffix(_ONLY_LATE) + (
                " — no on-time impression falls in it (its on-time items are clicks, and a "
                "click alone makes no row)"
            )
        trouble = clock_trouble(_CLOCK, report.get("clocks", []))
        if trouble is None or failed.kind not in ANSWER_KINDS:
            raise
        # a wrong answer from a flow on another clock: name the clock, keep the answer
        evidence = f"{failed.message}\n{failed.details}"
        raise CheckFailed(trouble, evidence, kind=FailureKind.WRONG_TIMING) from None


_ONLY_LATE = " — only late items fall in it, and late items are left out"
#: The clock the contract asks for, named when a flow with another one answers wrongly.
_CLOCK = FlowContract(
    ("impression", "click"), _ad_item, ATTRIBUTION_WAIT, clock="EventClock on item['ts']"
)


def closed_after(events: Sequence[Event], key: str, wid: int) -> int | None:
    """The arrival after which `key`'s window `wid` closes: its watermark (the key's latest ts
    minus the wait, the flow's clock frozen) reaches the window's end (None: the input ends
    first, and the window closes then)."""
    for event, _, _ in with_watermarks(events, ATTRIBUTION_WAIT):
        if event.key == key and event.t - ATTRIBUTION_WAIT >= (wid + 1) * MINUTE:
            return event.n
    return None


def _your_run(events: Sequence[Event], window: Window, sink: Sink) -> str:
    """The wrong window's key as the learner's flow ran it: its impressions and clicks as
    they arrived (late ones marked), the expected rows written when their windows close, and
    the learner's rows when it wrote them."""
    key = window.key
    expected = [
        Written(_row_text(wid, clicked), closed_after(events, key, wid))
        for (k, wid), clicked in sorted(attributed(events).items())
        if k == key
    ]
    marked = {e.n: met for e, late, met in with_watermarks(events, ATTRIBUTION_WAIT) if late}

    def note(event: Event) -> str:
        met = marked.get(event.n)
        return "" if met is None else f"  ✗ late (watermark {clock(met)})"

    def show(value: Any) -> str:
        ok = type(value) is tuple and len(value) == 2 and type(value[0]) is int
        return _row_text(value[0], value[1]) if ok else short_repr(value)

    edges = {f"window {window.wid} opens": window.open, "closes": window.close}
    return join_run(
        events,
        key,
        expected,
        sink.rows_of(key, show),
        lambda e: f"{e.value[0]}  window {e.t // MINUTE}",
        note=note,
        marks=edges,
    )


def _row_text(wid: int, clicked: Any) -> str:
    return f"window {wid}: clicked {short_repr(clicked)}"


def _join_picture(events: Sequence[Event], windower: TumblingWindower, window: Window) -> str:
    """The join's timeline, drawn by the engine from the grader's events, `window` highlighted."""
    from learnstream.timeline import build_join_timeline

    shown = list(events)
    note = ""
    if len(shown) > _TIMELINE_EVENTS:
        shown = [e for e in shown if e.key == window.key]
        note = f"(the events of {window.key!r} only, numbered among themselves)\n"
    triples = [(e.key, to_datetime(e.t), 0 if e.value[0] == "impression" else 1) for e in shown]
    try:
        picture = build_join_timeline(
            triples,
            windower,
            timedelta(microseconds=ATTRIBUTION_WAIT),
            sides=("impressions", "clicks"),
            insert_mode="first",
            highlight=(window.key, window.wid),
        )
        return note + picture.to_text(width=72)
    except Exception as trouble:  # a picture must never turn a verdict into a grader error
        return f"(the timeline could not be drawn: {type(trouble).__name__}: {trouble})"


def _imp(n: int, key: int, seconds: int) -> Event:
    return Event(n, f"imp-{key}", seconds * SECOND, ("impression",))


def _click(n: int, key: int, seconds: int) -> Event:
    return Event(n, f"imp-{key}", seconds * SECOND, ("click",))


_WINDOW_EDGES = (
    [_imp(0, 1, 10), _click(1, 1, 50)],  # the same minute
    [_imp(0, 1, 50), _click(1, 1, 65)],  # the next minute: not clicked
    [_imp(0, 1, 59), _click(1, 1, 60)],  # a click exactly on the boundary
    [_click(0, 1, 20), _imp(1, 1, 15)],  # the click first, on time
    [_click(0, 1, 20), _imp(1, 2, 15)],  # a click of another impression
    [_imp(0, 1, -30), _click(1, 1, -10)],  # before the align point: window -1
    [_imp(0, 1, 10), _click(1, 1, 3590), _imp(2, 2, 3600)],  # an hour apart
)
_LATE_EDGES = (
    [_click(0, 1, 40), _imp(1, 1, 30)],  # the impression exactly on the watermark: on time
    [_click(0, 1, 41), _imp(1, 1, 30)],  # one second past it: late, no row
    [_imp(0, 1, 5), _imp(1, 2, 50), _click(2, 1, 20), _click(3, 1, 9)],
    [_imp(0, 1, 30), _click(1, 2, 100), _click(2, 1, 35)],  # another key's time does not count
    [_imp(0, 1, 10), _imp(1, 1, 25), _click(2, 1, 12)],  # shown twice: one row
)


def _ads_stream(keys: int, max_size: int = 12) -> st.SearchStrategy[list[Event]]:
    """Impressions and clicks, their times near the window boundaries (some before the align
    point, in negative windows), arrival delayed."""
    boundaries = [-61, -60, -59, -1, 0, 1, 59, 60, 61, 119, 120]
    seconds = st.one_of(st.sampled_from(boundaries), st.integers(-90, 150))
    delay = st.one_of(st.sampled_from([0, 9, 10, 11, 30]), st.integers(0, 60))
    row = st.tuples(st.integers(0, keys - 1), st.booleans(), seconds, delay)

    def build(rows: list[tuple[int, bool, int, int]]) -> list[Event]:
        arrival = sorted(range(len(rows)), key=lambda i: (rows[i][2] + rows[i][3], i))
        return [
            Event(
                n,
                f"imp-{rows[i][0] + 1}",
                rows[i][2] * SECOND,
                ("impression" if rows[i][1] else "click",),
            )
            for n, i in enumerate(arrival)
        ]

    return st.lists(row, min_size=1, max_size=max_size).map(build)


def _simulated_ads() -> list[Event]:
    from learnstream.connectors.simulated import AdClickSource, AdImpressionSource

    shown = AdImpressionSource(seed=3, limit=60, max_disorder=timedelta(seconds=20))
    clicks = AdClickSource(shown, click_rate=0.4, max_click_delay=timedelta(seconds=70))
    items = [("impression", i) for i in shown] + [("click", c) for c in clicks]
    items.sort(key=lambda item: item[1]["ts"] + timedelta(seconds=5 * (item[0] == "click")))
    return [
        Event(n, item["impression_id"], from_datetime(item["ts"]) // SECOND * SECOND, (side,))
        for n, (side, item) in enumerate(items)
    ]


CHECKS = {
    "windows": events_check(
        _attribution_test, _ads_stream(2), edges=_WINDOW_EDGES, max_examples=_SEARCH
    ),
    "late": events_check(
        _attribution_test, _ads_stream(2), edges=_LATE_EDGES, max_examples=_SEARCH
    ),
    "random": events_check(_attribution_test, _ads_stream(8, 30), max_examples=40),
    "example": events_check(_attribution_test, _simulated_ads()),
}
