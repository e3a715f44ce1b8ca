"""Joins as Bytewax 0.21.1 does them: the same flows on both engines, on random streams.

`join` and `join_window` with 2 and 3 sides, every insert and emit mode,
tumbling, sliding and session windows, items out of order and late, each side
read in batches of 1 to 4 items. Results are compared in the order they are
written (rows of several keys written at once come in key order on both).
"""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_windowing_bytewax import (
    NOW,
    T0,
    Log,
    S,
    engine,
    logged,
    polls,
    windowers,
)

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("bytewax") is None, reason="the bytewax extra is not installed"
    ),
]

INSERT = st.sampled_from(["first", "last", "product"])
EMIT = st.sampled_from(["complete", "final", "running"])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def sides(draw: st.DrawFn) -> tuple[list[list[tuple[str, int, int]]], list[int]]:
    """2 or 3 sides of `(key, event second, n)`, with the batch size each side is read in.

    Times may be sorted and then jittered (disorder) or drawn at random (many late).
    """
    count = draw(st.integers(2, 3))
    out = []
    n_total = 0
    for _ in range(count):
        n = draw(st.integers(0, 12))
        keys = draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n))
        times = draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
        if draw(st.booleans()):
            jitter = draw(st.lists(st.integers(-8, 8), min_size=n, max_size=n))
            times = [t + j for t, j in zip(sorted(times), jitter, strict=True)]
        out.append([(k, t, n_total + i) for i, (k, t) in enumerate(zip(keys, times, strict=True))])
        n_total += n
    batches = draw(st.lists(st.integers(1, 4), min_size=count, max_size=count))
    return out, batches


def run_join(name: str, data: Any, insert: str, emit: str) -> list[Any]:
    e = engine(name)
    streams, batches = data
    flow = e.Dataflow("j")
    ups = [
        e.op.input(f"side{i}", flow, e.TestingSource([(k, n) for k, _, n in s], batch_size=b))
        for i, (s, b) in enumerate(zip(streams, batches, strict=True))
    ]
    out: list[Any] = []
    e.op.output(
        "out", e.op.join("join", *ups, insert_mode=insert, emit_mode=emit), e.TestingSink(out)
    )
    e.run_main(flow)
    return out


@SLOW
@given(sides(), INSERT, EMIT)
def test_join_gives_bytewax_rows(data: Any, insert: str, emit: str) -> None:
    assert run_join("ls", data, insert, emit) == run_join("bw", data, insert, emit)


def run_join_window(
    name: str, data: Any, windower_of: Any, wait: int, insert: str, emit: str, ordered: bool
) -> tuple[list[Any], list[Any], list[Any]]:
    e = engine(name)
    streams, batches = data
    flow = e.Dataflow("jw")
    ups = [
        e.op.input(
            f"side{i}",
            flow,
            e.TestingSource([(k, (T0 + t * S, n)) for k, t, n in s], batch_size=b),
        )
        for i, (s, b) in enumerate(zip(streams, batches, strict=True))
    ]
    clock = e.win.EventClock(lambda v: v[0], wait * S, now_getter=lambda: NOW)
    out = e.win.join_window(
        "jw",
        clock,
        windower_of(e.win),
        *ups,
        insert_mode=insert,
        emit_mode=emit,
        ordered=ordered,
    )
    down: list[Any] = []
    late: list[Any] = []
    meta: list[Any] = []
    e.op.output("down", out.down, e.TestingSink(down))
    e.op.output("late", out.late, e.TestingSink(late))
    e.op.output("meta", out.meta, e.TestingSink(meta))
    e.run_main(flow)
    meta = [(k, (w, (m.open_time, m.close_time, sorted(m.merged_ids)))) for k, (w, m) in meta]
    return down, late, meta


@SLOW
@given(sides(), windowers(), st.integers(0, 20), INSERT, EMIT, st.booleans())
def test_join_window_gives_bytewax_windows(
    data: Any, windower_of: Any, wait: int, insert: str, emit: str, ordered: bool
) -> None:
    """With a clock that does not move, Bytewax's forgetting of idle keys never shows."""
    args = (data, windower_of, wait, insert, emit, ordered)
    assert run_join_window("ls", *args) == run_join_window("bw", *args)


def test_join_window_refuses_unknown_modes_as_bytewax_does() -> None:
    for name in ("ls", "bw"):
        e = engine(name)
        flow = e.Dataflow("bad")
        s = e.op.input("inp", flow, e.TestingSource([("k", 1)]))
        clock = e.win.EventClock(lambda v: T0, timedelta(0))
        windower = e.win.TumblingWindower(10 * S, T0)
        with pytest.raises(ValueError, match="unknown join emit mode"):
            e.win.join_window("jw", clock, windower, s, s, emit_mode="sometimes")
        with pytest.raises(ValueError, match="unknown join insert mode"):
            e.win.join_window("jw2", clock, windower, s, s, insert_mode="all")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sides(), st.integers(0, 10), st.integers(5, 30), INSERT, EMIT)
def test_merging_sessions_keep_the_values_bytewax_keeps(
    data: Any, gap: int, wait: int, insert: str, emit: str
) -> None:
    """Unordered sessions merge often: which side's value survives a merge is Bytewax's rule."""
    args = (data, lambda w: w.SessionWindower(gap * S), wait, insert, emit, False)
    assert run_join_window("ls", *args) == run_join_window("bw", *args)


class Color(str):
    """A str subclass key, as a StrEnum member is."""


def test_unusual_keys_join_as_on_bytewax() -> None:
    """str subclass keys and non-ASCII keys take the step's slower path, with the same rows."""
    data = (
        [[(Color("red"), 0, 1), ("red", 0, 2), ("é", 0, 4)], [("red", 0, 5), ("é", 0, 6)]],
        [3, 1],
    )
    for insert in ("first", "last", "product"):
        for emit in ("complete", "final", "running"):
            got = run_join("ls", data, insert, emit)
            assert got == run_join("bw", data, insert, emit), (insert, emit)


def test_a_key_with_a_lone_surrogate_joins() -> None:
    """Bytewax refuses such a key (it has no UTF-8 form); learnstream joins it like any other."""
    data = ([[("\udc80", 0, 1), ("a", 0, 2)], [("\udc80", 0, 3)]], [2, 1])
    assert run_join("ls", data, "last", "complete") == [("\udc80", (1, 3))]


def test_a_bad_item_names_the_join_step() -> None:
    e = engine("ls")
    flow = e.Dataflow("bad_join")
    a = e.op.input("a", flow, e.TestingSource([("k", 1), "oops"]))
    b = e.op.input("b", flow, e.TestingSource([("k", 2)]))
    e.op.output("out", e.op.join("match", a, b), e.TestingSink([]))
    with pytest.raises(Exception, match=r"match.*join[\s\S]*'oops'"):
        e.run_main(flow)


# --- when rows are written: the same polls and writes, in the same order ------------


def joined_log(
    name: str,
    sources: list[list[list[Any]]],
    join: str,
    insert: str = "last",
    emit: str = "running",
    windower_of: Any = lambda w: w.TumblingWindower(10 * S, T0),
    wait: int = 0,
    ordered: bool = True,
    moving: bool = False,
) -> Log:
    """The polls and writes of a join's run. One source is split into the sides by its
    items' tags ("a..." left, "b..." right); two sources are the two sides. With `moving`,
    each poll lets 2 s of system time pass, else the clock stands still."""
    e = engine(name)
    log: Log = []
    io = logged(e, log)
    now = e.TimeTestingGetter(NOW)
    tick = (lambda: now.advance(2 * S)) if moving else (lambda: None)
    flow = e.Dataflow("timing")
    ins = [e.op.input(f"in{n}", flow, io.Source(f"s{n}", b, tick)) for n, b in enumerate(sources)]
    if len(ins) == 1:
        split = e.op.branch("split", ins[0], lambda kv: kv[1][1].startswith("a"))
        ins = [split.trues, split.falses]
    if join == "join":
        rows = e.op.join("j", *ins, insert_mode=insert, emit_mode=emit)
        out = e.op.map("tags", rows, lambda kv: (kv[0], tuple(v and v[1] for v in kv[1])))
    else:
        clock = e.win.EventClock(lambda v: v[0], wait * S, now_getter=now.get)
        windows = e.win.join_window(
            "jw",
            clock,
            windower_of(e.win),
            *ins,
            insert_mode=insert,
            emit_mode=emit,
            ordered=ordered,
        )
        out = e.op.map(
            "tags", windows.down, lambda kv: (kv[0], kv[1][0], tuple(v and v[1] for v in kv[1][1]))
        )
        late = e.op.map("late_tags", windows.late, lambda kv: ("late", kv[1][1][1]))
        e.op.output("late", late, io.Sink())
    e.op.output("out", out, io.Sink())
    e.run_main(flow)
    return log


@SLOW
@given(polls(), windowers(), st.integers(0, 12), INSERT, EMIT, st.booleans())
def test_join_window_writes_rows_in_the_poll_bytewax_writes_them(
    batches: Any, windower_of: Any, wait: int, insert: str, emit: str, ordered: bool
) -> None:
    """Every row is written after the same poll as on Bytewax: right after the item that
    made it when it is processed at once, after the poll whose item moved the watermark past
    it when `ordered` holds it back (wait > 0), or after the poll that said EOF."""
    args = ([batches], "join_window", insert, emit, windower_of, wait, ordered)
    assert joined_log("ls", *args) == joined_log("bw", *args)


@SLOW
@given(polls(), INSERT, EMIT)
def test_join_writes_rows_in_the_poll_bytewax_writes_them(
    batches: Any, insert: str, emit: str
) -> None:
    assert joined_log("ls", [batches], "join", insert, emit) == joined_log(
        "bw", [batches], "join", insert, emit
    )


def mapped_log(name: str, batches: list[list[Any]]) -> Log:
    """The polls and writes of a `stateful_map` (a running count per key) on one source."""
    e = engine(name)
    log: Log = []
    io = logged(e, log)
    flow = e.Dataflow("timing")
    s = e.op.input("in", flow, io.Source("s", batches))
    counted = e.op.stateful_map("count", s, lambda n, v: ((n or 0) + 1, ((n or 0) + 1, v[1])))
    e.op.output("out", counted, io.Sink())
    e.run_main(flow)
    return log


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(polls())
def test_stateful_map_writes_rows_in_the_poll_bytewax_writes_them(batches: Any) -> None:
    """The plainest stateful step, rows compared in order too (both visit keys in order)."""
    assert mapped_log("ls", batches) == mapped_log("bw", batches)


def _items(*tagged: str) -> list[list[Any]]:
    """One batch per poll: "a3" is a left item at second 3, "" a poll that gives nothing."""
    return [[("k", (T0 + int(t[1:]) * S, t))] if t else [] for t in tagged]


def _before_writes(log: Log) -> list[Any]:
    """What the poll before each write gave (the item's tag, [] or "EOF")."""
    return [
        log[i - 1][2] if log[i - 1][2] in ([], "EOF") else log[i - 1][2][0][1][1]
        for i, entry in enumerate(log)
        if entry[0] == "write"
    ]


@pytest.mark.parametrize("emit", ["running", "final", "complete"])
@pytest.mark.parametrize("wait", [0, 5])
def test_running_join_window_rows_wait_for_the_watermark_as_on_bytewax(
    emit: str, wait: int
) -> None:
    """With `ordered` (the default) and a wait, an item waits until the watermark passes
    it, so a running join's row comes with a later item, or at EOF, on Bytewax too; with
    no wait (or a plain join) it comes right after its own item."""
    batches = _items("a0", "b1", "", "a2", "b9", "a22", "")
    ls = joined_log("ls", [batches], "join_window", emit=emit, wait=wait)
    assert ls == joined_log("bw", [batches], "join_window", emit=emit, wait=wait)
    expected = {
        ("running", 0): ["a0", "b1", "a2", "b9", "a22"],
        ("running", 5): ["b9", "a22", "EOF"],
        ("final", 0): ["a22", "EOF"],
        ("final", 5): ["a22", "EOF"],
        ("complete", 0): ["b1", "b9"],
        ("complete", 5): ["b9", "a22"],
    }
    assert _before_writes(ls) == expected[emit, wait], ls
    plain = joined_log("ls", [batches], "join", emit="running")
    assert plain == joined_log("bw", [batches], "join", emit="running")
    assert _before_writes(plain) == ["a0", "b1", "a2", "b9", "a22"]


@pytest.mark.parametrize("emit", ["running", "final", "complete"])
@pytest.mark.parametrize("ordered", [True, False])
def test_join_window_rows_of_a_clock_moved_by_system_time_as_on_bytewax(
    emit: str, ordered: bool
) -> None:
    """Each poll lets 2 s of system time pass (a TestingClock): a window the watermark
    closes while the source gives nothing is written right after that empty poll.

    The key always has an open window: on Bytewax a key with none forgets its watermark
    (see DESIGN), so an item after that is held back until a later watermark than here."""
    batches = _items("a0", "b3", "a12", "", "", "a21", "", "", "b23", "")
    args = ([batches], "join_window", "last", emit)
    kw = {"wait": 5, "ordered": ordered, "moving": True}
    ls = joined_log("ls", *args, **kw)  # type: ignore[arg-type]
    assert ls == joined_log("bw", *args, **kw)  # type: ignore[arg-type]
    if emit == "final":
        assert _before_writes(ls) == [[], [], "EOF"], ls


@pytest.mark.parametrize("join", ["join", "join_window"])
@pytest.mark.parametrize("emit", ["running", "final", "complete"])
def test_two_sources_interleave_polls_and_writes_as_on_bytewax(join: str, emit: str) -> None:
    """Two sources that always give an item are polled in turn, and a row is written after
    the second source's poll of the round whose item made it, on both engines."""
    left = _items("a0", "a2", "a4", "a13")
    right = _items("b1", "b3", "b15", "b16", "b17", "b31")
    args = ([left, right], join, "last", emit)
    assert joined_log("ls", *args) == joined_log("bw", *args)


@pytest.mark.parametrize("join", ["join", "join_window"])
@pytest.mark.parametrize("emit", ["running", "final", "complete"])
def test_rows_of_several_keys_in_one_batch_are_written_in_key_order_as_on_bytewax(
    join: str, emit: str
) -> None:
    """Bytewax visits one batch's keys in key order (each key's rows in the order its items
    came), not in the order the keys came; at EOF it visits every key in key order."""

    def at(key: str, tag: str) -> tuple[str, Any]:
        return key, (T0, tag)

    batches = [
        [at("k", "a1"), at("j", "a2"), at("a", "a3"), at("k", "b4"), at("zz", "a5"), at("b", "a6")],
        [at("a", "b7"), at("zz", "b8"), at("j", "b9"), at("b", "b10")],
    ]
    ls = joined_log("ls", [batches], join, "last", emit)
    assert ls == joined_log("bw", [batches], join, "last", emit)
    keys = [[row[0] for row in entry[1]] for entry in ls if entry[0] == "write" and entry[1]]
    assert (
        keys
        == {
            "running": [["a", "b", "j", "k", "k", "zz"], ["a", "b", "j", "zz"]],
            "complete": [["k"], ["a", "b", "j", "zz"]],
            "final": [["a", "b", "j", "k", "zz"]],
        }[emit]
    )
