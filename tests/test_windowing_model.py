"""Windowing operators against the tiny model in `window_model.py`, on generated streams."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from window_model import Expected, sessions, sliding

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow
from learnstream.testing import TestingSink, TestingSource, run_main

T0 = datetime(2024, 3, 1, tzinfo=UTC)
NOW = datetime(2030, 1, 1, tzinfo=UTC)  # the clock never moves: watermarks come from items
S = timedelta(seconds=1)


@st.composite
def streams(draw: Any, max_keys: int = 4) -> tuple[list[tuple[str, int, int]], int]:
    """Keyed events with times in seconds, disordered within and beyond any wait."""
    n = draw(st.integers(0, 40))
    keys = draw(st.lists(st.sampled_from("abcdefgh"[:max_keys]), min_size=n, max_size=n))
    base = draw(st.lists(st.integers(0, 120), min_size=n, max_size=n))
    if draw(st.booleans()):
        base.sort()  # mostly in order, then jittered
        jitter = draw(st.lists(st.integers(-15, 15), min_size=n, max_size=n))
        base = [b + j for b, j in zip(base, jitter, strict=True)]
    items = [(k, t, i) for i, (k, t) in enumerate(zip(keys, base, strict=True))]
    return items, draw(st.integers(1, 5))


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def run(
    items: list[tuple[str, int, int]],
    batch_size: int,
    build: Any,
    wait: int,
) -> tuple[list[Any], list[Any], list[Any]]:
    """Run `build(step_id, keyed_stream, clock)` on (key, (time, n)) items."""
    flow = Dataflow("model")
    events = [(k, (T0 + t * S, n)) for k, t, n in items]
    s = op.input("inp", flow, TestingSource(events, batch_size=batch_size))
    clock = win.EventClock(lambda v: v[0], wait * S, now_getter=lambda: NOW)
    out = build("w", s, clock)
    down: list[Any] = []
    late: list[Any] = []
    meta: list[Any] = []
    op.output("down", out.down, TestingSink(down))
    op.output("late", out.late, TestingSink(late))
    op.output("meta", out.meta, TestingSink(meta))
    run_main(flow)
    return down, late, meta


def check_windows(
    exp: Expected, down: list[Any], late: list[Any], meta: list[Any], result: Any
) -> None:
    keys = [(k, wid) for k, (wid, _) in down]
    assert len(keys) == len(set(keys)), "a window was emitted twice"
    assert {(k, wid): v for k, (wid, v) in down} == {
        kw: result(vals) for kw, vals in exp.windows.items()
    }
    assert {(k, wid): (m.open_time, m.close_time) for k, (wid, m) in meta} == {
        kw: (T0 + o * S, T0 + c * S) for kw, (o, c) in exp.bounds.items()
    }
    assert [(k, wid, v[1]) for k, (wid, v) in late] == exp.late


def ns(values: list[tuple[datetime, int]]) -> list[int]:
    return [n for _, n in values]


sizes = st.integers(1, 30)


@settings(max_examples=150, deadline=None)
@given(streams(), sizes, st.integers(0, 20), st.integers(-50, 200), st.integers(0, 10**6))
def test_tumbling_collect(stream: Any, length: int, wait: int, align: int, _: int) -> None:
    items, batch = stream
    windower = win.TumblingWindower(length * S, T0 + align * S)
    down, late, meta = run(
        items, batch, lambda i, s, c: win.collect_window(i, s, c, windower), wait
    )
    exp = sliding(
        chunks(items, batch), length=length, offset=length, align=align, wait=wait, ordered=True
    )
    check_windows(exp, [(k, (w, ns(v))) for k, (w, v) in down], late, meta, list)


@settings(max_examples=150, deadline=None)
@given(streams(), sizes, st.data(), st.integers(0, 20), st.integers(-50, 200))
def test_sliding_fold_unordered(stream: Any, length: int, data: Any, wait: int, align: int) -> None:
    items, batch = stream
    offset = data.draw(st.integers(1, length), label="offset")
    windower = win.SlidingWindower(length * S, offset * S, T0 + align * S)

    def build(i: str, s: Any, c: Any) -> Any:
        return win.fold_window(
            i, s, c, windower, list, lambda acc, v: [*acc, v[1]], lambda a, b: a + b, ordered=False
        )

    down, late, meta = run(items, batch, build, wait)
    exp = sliding(
        chunks(items, batch), length=length, offset=offset, align=align, wait=wait, ordered=False
    )
    check_windows(exp, down, late, meta, list)


@settings(max_examples=150, deadline=None)
@given(streams(max_keys=8), sizes, st.data(), st.integers(0, 20))
def test_sliding_count(stream: Any, length: int, data: Any, wait: int) -> None:
    items, batch = stream
    offset = data.draw(st.integers(1, length), label="offset")
    windower = win.SlidingWindower(length * S, offset * S, T0)

    def build(i: str, s: Any, c: Any) -> Any:
        # count_window keys the raw items itself
        clock = win.EventClock(
            lambda kv: kv[1][0], c.wait_for_system_duration, now_getter=lambda: NOW
        )
        return win.count_window(i, s, clock, windower, key=lambda kv: kv[0])

    down, late, meta = run(items, batch, build, wait)
    exp = sliding(
        chunks(items, batch), length=length, offset=offset, align=0, wait=wait, ordered=False
    )
    late = [(k, (w, kv[1])) for k, (w, kv) in late]
    check_windows(exp, down, late, meta, len)


@settings(max_examples=150, deadline=None)
@given(streams(), st.integers(0, 20), st.integers(0, 20))
def test_sessions_collect(stream: Any, gap: int, wait: int) -> None:
    items, batch = stream
    windower = win.SessionWindower(gap * S)
    down, late, meta = run(
        items, batch, lambda i, s, c: win.collect_window(i, s, c, windower), wait
    )
    exp = sessions(chunks(items, batch), gap=gap, wait=wait)
    check_windows(exp, [(k, (w, ns(v))) for k, (w, v) in down], late, meta, list)


@settings(max_examples=150, deadline=None)
@given(streams(), st.integers(0, 20), st.integers(0, 20))
def test_sessions_unordered_same_sessions(stream: Any, gap: int, wait: int) -> None:
    """Arrival-order inserts merge sessions; the sessions found are the same, ids may differ."""
    items, batch = stream
    windower = win.SessionWindower(gap * S)

    def build(i: str, s: Any, c: Any) -> Any:
        return win.fold_window(
            i, s, c, windower, list, lambda acc, v: [*acc, v[1]], lambda a, b: a + b, ordered=False
        )

    down, late, meta = run(items, batch, build, wait)
    exp = sessions(chunks(items, batch), gap=gap, wait=wait)
    bounds = {(k, wid): (m.open_time, m.close_time) for k, (wid, m) in meta}
    got = Counter((k, tuple(sorted(v)), bounds[k, wid]) for k, (wid, v) in down)
    want = Counter(
        (k, tuple(sorted(v)), (T0 + exp.bounds[k, w][0] * S, T0 + exp.bounds[k, w][1] * S))
        for (k, w), v in exp.windows.items()
    )
    assert got == want
    assert [(k, v[1]) for k, (_, v) in late] == [(k, v) for k, _, v in exp.late]


@settings(max_examples=100, deadline=None)
@given(streams(), sizes, st.integers(0, 20))
def test_late_items_never_reopen_an_emitted_window(stream: Any, length: int, wait: int) -> None:
    """learnstream's one difference from Bytewax: every item is in exactly one of down or late."""
    items, batch = stream
    windower = win.TumblingWindower(length * S, T0)
    down, late, _ = run(items, batch, lambda i, s, c: win.collect_window(i, s, c, windower), wait)
    placed = sorted([n for _, (_, v) in down for _, n in v] + [v[1] for _, (_, v) in late])
    assert placed == [n for _, _, n in items]
