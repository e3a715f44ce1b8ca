"""Windowing as Bytewax 0.21.1 does it: its documented examples, and both engines side by side."""

from __future__ import annotations

import importlib
import importlib.util
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

T0 = datetime(2023, 1, 1, 12, 0, tzinfo=UTC)
NOW = datetime(2030, 1, 1, tzinfo=UTC)
S = timedelta(seconds=1)
M = timedelta(minutes=1)

needs_bytewax = pytest.mark.skipif(
    importlib.util.find_spec("bytewax") is None, reason="the bytewax extra is not installed"
)


def engine(name: str) -> SimpleNamespace:
    """The same API names from learnstream ("ls") or Bytewax ("bw")."""
    pkg = "learnstream" if name == "ls" else "bytewax"
    testing = importlib.import_module(f"{pkg}.testing")
    return SimpleNamespace(
        inputs=importlib.import_module(f"{pkg}.inputs"),
        outputs=importlib.import_module(f"{pkg}.outputs"),
        op=importlib.import_module(f"{pkg}.operators"),
        win=importlib.import_module(f"{pkg}.operators.windowing"),
        Dataflow=importlib.import_module(f"{pkg}.dataflow").Dataflow,
        TestingSource=testing.TestingSource,
        TestingSink=testing.TestingSink,
        TimeTestingGetter=testing.TimeTestingGetter,
        run_main=testing.run_main,
    )


LS = engine("ls")

#: What a run did, in order: ("poll", source, batch or "EOF") and ("write", rows).
Log = list[tuple[Any, ...]]


def logged(e: SimpleNamespace, log: Log) -> SimpleNamespace:
    """On engine `e`: a source that serves given batches, one per `next_batch` call, and a
    sink, both recording what they do in `log`, so a run shows when each row was written."""

    class Part(e.inputs.StatefulSourcePartition):
        def __init__(self, tag: str, batches: list[list[Any]], on_poll: Any) -> None:
            self.tag, self.batches, self.on_poll, self.at = tag, batches, on_poll, 0

        def next_batch(self) -> list[Any]:
            if self.at == len(self.batches):
                log.append(("poll", self.tag, "EOF"))
                raise StopIteration
            batch = self.batches[self.at]
            self.at += 1
            self.on_poll()
            log.append(("poll", self.tag, batch))
            return list(batch)

        def snapshot(self) -> int:
            return self.at

    class Source(e.inputs.FixedPartitionedSource):
        def __init__(self, tag: str, batches: list[list[Any]], on_poll: Any = lambda: None):
            self.args = (tag, batches, on_poll)

        def list_parts(self) -> list[str]:
            return ["only"]

        def build_part(self, step_id: str, for_part: str, resume_state: Any) -> Any:
            return Part(*self.args)

    class Written(e.outputs.StatelessSinkPartition):
        def write_batch(self, items: list[Any]) -> None:
            log.append(("write", list(items)))

    class Sink(e.outputs.DynamicSink):
        def build(self, step_id: str, worker_index: int, worker_count: int) -> Any:
            return Written()

    return SimpleNamespace(Source=Source, Sink=Sink)


# --- Bytewax's documented examples give Bytewax's documented outputs -----------


def test_documented_collect_window(capsys: pytest.CaptureFixture[str]) -> None:
    e = LS
    flow = e.Dataflow("collect_window_example")
    data = [
        ("key1", "apple", T0),
        ("key1", "banana", T0 + 5 * M),
        ("key2", "cherry", T0 + 10 * M),
        ("key1", "date", T0 + 15 * M),
        ("key2", "elderberry", T0 + 20 * M),
    ]
    keyed = e.op.key_on("key_on", e.op.input("input", flow, e.TestingSource(data)), lambda x: x[0])
    clock = e.win.EventClock(ts_getter=lambda x: x[2], wait_for_system_duration=timedelta(0))
    windower = e.win.TumblingWindower(length=10 * M, align_to=T0)
    windowed = e.win.collect_window("collect_window", keyed, clock, windower)

    def flat(item: Any) -> Any:
        _, (window_id, values) = item
        for k, s, ts in values:
            yield f"({k!r}, {s.upper()!r}, {ts.strftime('%H:%M')}) => Window {window_id}"

    e.op.inspect("output", e.op.flat_map("flat", windowed.down, flat))
    e.run_main(flow)
    assert capsys.readouterr().out.splitlines() == [
        "collect_window_example.output: \"('key1', 'APPLE', 12:00) => Window 0\"",
        "collect_window_example.output: \"('key1', 'BANANA', 12:05) => Window 0\"",
        "collect_window_example.output: \"('key2', 'CHERRY', 12:10) => Window 1\"",
        "collect_window_example.output: \"('key1', 'DATE', 12:15) => Window 1\"",
        "collect_window_example.output: \"('key2', 'ELDERBERRY', 12:20) => Window 2\"",
    ]


def test_documented_count_window(capsys: pytest.CaptureFixture[str]) -> None:
    e = LS
    flow = e.Dataflow("count_window_example")
    data = [
        ("apple", T0),
        ("banana", T0 + 5 * M),
        ("apple", T0 + 10 * M),
        ("banana", T0 + 15 * M),
        ("apple", T0 + 20 * M),
        ("cherry", T0 + 25 * M),
    ]
    up = e.op.input("input", flow, e.TestingSource(data))
    clock = e.win.EventClock(ts_getter=lambda x: x[1], wait_for_system_duration=timedelta(0))
    windower = e.win.TumblingWindower(length=15 * M, align_to=T0)
    windowed = e.win.count_window("count_window", up, clock, windower, key=lambda x: x[0])
    e.op.inspect(
        "output",
        e.op.map(
            "format_output",
            windowed.down,
            lambda kv: f"Item '{kv[0]}' occurred {kv[1][1]} times in Window {kv[1][0]}",
        ),
    )
    e.run_main(flow)
    assert capsys.readouterr().out.splitlines() == [
        "count_window_example.output: \"Item 'banana' occurred 1 times in Window 0\"",
        "count_window_example.output: \"Item 'apple' occurred 2 times in Window 0\"",
        "count_window_example.output: \"Item 'apple' occurred 1 times in Window 1\"",
        "count_window_example.output: \"Item 'banana' occurred 1 times in Window 1\"",
        "count_window_example.output: \"Item 'cherry' occurred 1 times in Window 1\"",
    ]


def test_documented_fold_window(capsys: pytest.CaptureFixture[str]) -> None:
    e = LS
    flow = e.Dataflow("fold_window_example")
    data = [
        ("key1", 1, T0),
        ("key1", 2, T0 + 5 * M),
        ("key2", 3, T0 + 10 * M),
        ("key2", 4, T0 + 15 * M),
        ("key1", 5, T0 + 20 * M),
    ]
    keyed = e.op.key_on("key_on", e.op.input("input", flow, e.TestingSource(data)), lambda x: x[0])
    clock = e.win.EventClock(ts_getter=lambda x: x[2], wait_for_system_duration=timedelta(0))
    windower = e.win.TumblingWindower(length=10 * M, align_to=T0)
    windowed = e.win.fold_window(
        "fold_window",
        keyed,
        clock,
        windower,
        builder=lambda: 0,
        folder=lambda acc, x: acc + x[1],
        merger=lambda a, b: a + b,
    )
    e.op.inspect("output", windowed.down)
    e.run_main(flow)
    assert capsys.readouterr().out.splitlines() == [
        "fold_window_example.output: ('key1', (0, 3))",
        "fold_window_example.output: ('key1', (2, 5))",
        "fold_window_example.output: ('key2', (1, 7))",
    ]


# --- the same flows on both engines ------------------------------------------------


def run_both_ways(
    name: str,
    items: list[tuple[str, int, int]],
    batch: int,
    wait: int,
    windower_of: Any,
    build: str,
) -> tuple[list[Any], list[Any], list[Any]]:
    e = engine(name)
    flow = e.Dataflow("diff")
    events = [(k, (T0 + t * S, n)) for k, t, n in items]
    s = e.op.input("inp", flow, e.TestingSource(events, batch_size=batch))
    windower = windower_of(e.win)
    if build == "count":
        clock = e.win.EventClock(lambda kv: kv[1][0], wait * S, now_getter=lambda: NOW)
        out = e.win.count_window("w", s, clock, windower, key=lambda kv: kv[0])
    else:
        clock = e.win.EventClock(lambda v: v[0], wait * S, now_getter=lambda: NOW)
        if build == "collect":
            out = e.win.collect_window("w", s, clock, windower)
        else:
            out = e.win.fold_window(
                "w",
                s,
                clock,
                windower,
                list,
                lambda acc, v: [*acc, v[1]],
                lambda a, b: a + b,
                ordered=build == "fold_ordered",
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


@st.composite
def streams(draw: Any) -> tuple[list[tuple[str, int, int]], int]:
    n = draw(st.integers(0, 30))
    keys = draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n))
    times = draw(st.lists(st.integers(0, 100), min_size=n, max_size=n))
    if draw(st.booleans()):
        times = [
            t + j
            for t, j in zip(
                sorted(times),
                draw(st.lists(st.integers(-12, 12), min_size=n, max_size=n)),
                strict=False,
            )
        ]
    return [(k, t, i) for i, (k, t) in enumerate(zip(keys, times, strict=True))], draw(
        st.integers(1, 4)
    )


@st.composite
def windowers(draw: Any) -> Any:
    kind = draw(st.sampled_from(["tumbling", "sliding", "session"]))
    length = draw(st.integers(1, 25))
    offset = draw(st.integers(1, length))
    align = draw(st.integers(-30, 130))
    gap = draw(st.integers(0, 15))
    if kind == "tumbling":
        return lambda w: w.TumblingWindower(length * S, T0 + align * S)
    if kind == "sliding":
        return lambda w: w.SlidingWindower(length * S, offset * S, T0 + align * S)
    return lambda w: w.SessionWindower(gap * S)


@needs_bytewax
# Two engines per example are slow to a health check on a busy CI machine.
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    streams(),
    windowers(),
    st.integers(0, 20),
    st.sampled_from(["count", "collect", "fold", "fold_ordered"]),
)
def test_same_results_as_bytewax(stream: Any, windower_of: Any, wait: int, build: str) -> None:
    """With a clock that does not move, no key ever has all its windows closed before
    EOF (its newest item's window is still open), so Bytewax's forgetting never shows."""
    items, batch = stream
    assert run_both_ways("ls", items, batch, wait, windower_of, build) == run_both_ways(
        "bw", items, batch, wait, windower_of, build
    )


@needs_bytewax
def test_documented_difference_late_items_never_reopen_a_window() -> None:
    """Bytewax forgets an idle key's watermark and emits window 0 twice; learnstream does not."""

    def run(name: str) -> tuple[list[Any], list[Any]]:
        e = engine(name)
        now = e.TimeTestingGetter(NOW)
        flow = e.Dataflow("forget")
        # (key, event second, system seconds to let pass before this item)
        s = e.op.input("inp", flow, e.TestingSource([("k", 0, 0), ("x", 0, 20), ("k", 1, 0)]))

        def let_time_pass(item: tuple[str, int, int]) -> tuple[str, datetime]:
            now.advance(item[2] * S)
            return item[0], T0 + item[1] * S

        s = e.op.map("pass_time", s, let_time_pass)
        clock = e.win.EventClock(lambda v: v[1], timedelta(0), now_getter=now.get)
        out = e.win.count_window(
            "c", s, clock, e.win.TumblingWindower(10 * S, T0), key=lambda v: v[0]
        )
        down: list[Any] = []
        late: list[Any] = []
        e.op.output("d", out.down, e.TestingSink(down))
        e.op.output("l", out.late, e.TestingSink(late))
        e.run_main(flow)
        return sorted(down), [(k, w) for k, (w, _) in late]

    assert run("bw") == ([("k", (0, 1)), ("k", (0, 1)), ("x", (0, 1))], [])
    assert run("ls") == ([("k", (0, 1)), ("x", (0, 1))], [("k", 0)])


# --- when rows are written: the same polls and writes, in the same order ------------


#: Keys whose order differs from the order they first come in ("zz" after "k" as text).
KEYS = st.sampled_from(["k", "j", "zz", "a"])


@st.composite
def polls(draw: Any) -> list[list[tuple[str, tuple[datetime, str]]]]:
    """What each `next_batch` call of one source gives: some nothing, most one item, a few
    two or three; `(key, (event time, tag))`, event times drifting forward with disorder."""
    batches: list[list[tuple[str, tuple[datetime, str]]]] = []
    second = 0
    for size in draw(st.lists(st.sampled_from([0, 1, 1, 1, 2, 3]), max_size=14)):
        batch = []
        for _ in range(size):
            second = max(0, second + draw(st.integers(-6, 8)))
            tag = f"{draw(st.sampled_from('ab'))}{len(batches)}{len(batch)}"
            batch.append((draw(KEYS), (T0 + second * S, tag)))
        batches.append(batch)
    return batches


def windowed_log(
    name: str, batches: list[Any], windower_of: Any, clock_of: Any, build: str, ordered: bool
) -> Log:
    """The polls and writes of a window operator's run, its clock made by
    `clock_of(win, ts_getter, now_getter)`; each poll lets 2 s of system time pass."""
    e = engine(name)
    log: Log = []
    io = logged(e, log)
    now = e.TimeTestingGetter(NOW)
    flow = e.Dataflow("timing")
    s = e.op.input("inp", flow, io.Source("s", batches, lambda: now.advance(2 * S)))
    clock = clock_of(e.win, lambda v: v[0], now.get)
    windower = windower_of(e.win)
    if build == "count":
        key = e.op.map("key", s, lambda kv: (kv[0], kv[1][0], kv[1][1]))
        counted = clock_of(e.win, lambda v: v[1], now.get)
        counts = e.win.count_window("w", key, counted, windower, key=lambda v: v[0])
        down, late = counts.down, counts.late
    elif build == "reduce":
        summed = e.win.reduce_window("w", s, clock, windower, lambda a, b: (b[0], a[1] + b[1]))
        down = e.op.map("tags", summed.down, lambda kv: (kv[0], (kv[1][0], kv[1][1][1])))
        late = summed.late
    else:
        if build == "collect":
            out = e.win.collect_window("w", s, clock, windower, ordered=ordered)
        else:
            out = e.win.fold_window(
                "w", s, clock, windower, list, lambda a, v: [*a, v], list.__add__, ordered=ordered
            )
        down = e.op.map("tags", out.down, lambda kv: (kv[0], (kv[1][0], [v[1] for v in kv[1][1]])))
        late = out.late
    e.op.output("down", down, io.Sink())
    e.op.output("late", e.op.map("late_tags", late, lambda kv: ("late", kv[1][1])), io.Sink())
    e.run_main(flow)
    return log


BUILDS = st.sampled_from(["collect", "fold", "count", "reduce"])


@needs_bytewax
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(polls(), windowers(), st.integers(0, 12), BUILDS, st.booleans())
def test_windows_are_written_in_the_poll_bytewax_writes_them(
    batches: Any, windower_of: Any, wait: int, build: str, ordered: bool
) -> None:
    """A window is written right after the poll whose item (or, ordered, whose watermark)
    closed it, and the rest right after the poll that said EOF: on both engines alike.

    The clock stands still (items alone move the watermark), so Bytewax's forgetting of
    idle keys never shows."""

    def clock_of(win: Any, ts_getter: Any, now: Any) -> Any:
        return win.EventClock(ts_getter, wait * S, now_getter=lambda: NOW)

    args = (batches, windower_of, clock_of, build, ordered)
    assert windowed_log("ls", *args) == windowed_log("bw", *args)


def _seconds(*times: int) -> list[list[Any]]:
    return [[("k", (T0 + t * S, f"x{t}"))] if t >= 0 else [] for t in times]


@needs_bytewax
@pytest.mark.parametrize("build", ["collect", "fold", "count", "reduce"])
@pytest.mark.parametrize("ordered", [True, False])
def test_a_watermark_moved_by_system_time_writes_in_the_same_poll(
    build: str, ordered: bool
) -> None:
    """Each poll lets 2 s of system time pass (a TestingClock): a window whose close the
    watermark passes while the source gives nothing is written right after that empty poll.

    The key always has an open window: on Bytewax a key with none forgets its watermark
    (see DESIGN), so an item after that is held back until a later watermark than here."""

    def clock_of(win: Any, ts_getter: Any, now: Any) -> Any:
        return win.EventClock(ts_getter, 5 * S, now_getter=now)

    tumbling = lambda w: w.TumblingWindower(10 * S, T0)  # noqa: E731
    batches = _seconds(0, 3, 12, -1, -1, 21, -1, -1, 23, -1)
    ls = windowed_log("ls", batches, tumbling, clock_of, build, ordered)
    assert ls == windowed_log("bw", batches, tumbling, clock_of, build, ordered)
    # Windows 0 and 1 close as the clock moves, window 2 at EOF.
    before_writes = [ls[i - 1][2] for i, entry in enumerate(ls) if entry[0] == "write"]
    assert before_writes == [[], [], "EOF"], ls


@needs_bytewax
@pytest.mark.parametrize("build", ["collect", "fold", "count", "reduce"])
def test_system_clock_windows_are_written_when_bytewax_writes_them(build: str) -> None:
    """With a SystemClock and an hour-long window opened as the flow is built, every item
    falls in window 0, which is written right after the poll that said EOF."""
    start = datetime.now(UTC)
    logs = [
        windowed_log(
            name,
            _seconds(0, -1, 3, 8),
            lambda w: w.TumblingWindower(timedelta(hours=1), start),
            lambda win, ts_getter, now: win.SystemClock(),
            build,
            True,
        )
        for name in ("ls", "bw")
    ]
    assert logs[0] == logs[1]
    assert [entry[0] for entry in logs[0][-2:]] == ["poll", "write"]


# --- the order of one write's rows: key order, as Bytewax visits keys ----------------


def _down_keys(log: Log) -> list[list[tuple[str, int]]]:
    """The `(key, window id)` of each row of each write of windows (not of late items)."""
    return [
        [(key, wid) for key, (wid, _) in entry[1]]
        for entry in log
        if entry[0] == "write" and entry[1] and entry[1][0][0] != "late"
    ]


@needs_bytewax
@pytest.mark.parametrize("build", ["collect", "fold", "count", "reduce"])
@pytest.mark.parametrize("ordered", [True, False])
def test_several_keys_and_windows_closing_at_once_come_in_key_then_opening_order(
    build: str, ordered: bool
) -> None:
    """Bytewax visits the keys of a batch, and at EOF every key, in key order; a key's
    windows close in the order they opened: k's 3 and 4 (opened by k20) before -1 and 0,
    unless `ordered` holds k20 and k2 and inserts them in time order."""
    batch = [
        ("zz", (T0 + 13 * S, "a0")),
        ("k", (T0 + 20 * S, "a1")),
        ("k", (T0 + 2 * S, "a2")),
        ("a", (T0 + 7 * S, "a3")),
        ("j", (T0 + 5 * S, "a4")),
    ]

    def clock_of(win: Any, ts_getter: Any, now: Any) -> Any:
        return win.EventClock(ts_getter, 30 * S, now_getter=lambda: NOW)

    sliding = lambda w: w.SlidingWindower(10 * S, 5 * S, T0)  # noqa: E731
    closing = [("zz", (T0 + 60 * S, "b0")), ("k", (T0 + 60 * S, "b1")), ("j", (T0 + 70 * S, "b2"))]
    ls = windowed_log("ls", [batch, closing], sliding, clock_of, build, ordered)
    assert ls == windowed_log("bw", [batch, closing], sliding, clock_of, build, ordered)
    k_windows = (
        [("k", -1), ("k", 0), ("k", 3), ("k", 4)]
        if ordered and build in ("collect", "fold")  # count and reduce are never ordered
        else [("k", 3), ("k", 4), ("k", -1), ("k", 0)]
    )
    assert _down_keys(ls) == [
        [("j", 0), ("j", 1), *k_windows, ("zz", 1), ("zz", 2)],  # closed by the second batch
        [("a", 0), ("a", 1), ("j", 13), ("j", 14), ("k", 11), ("k", 12), ("zz", 11), ("zz", 12)],
    ]


@needs_bytewax
@pytest.mark.parametrize("build", ["collect", "fold", "count", "reduce"])
@pytest.mark.parametrize("ordered", [True, False])
def test_keys_the_clock_woke_come_after_the_batchs_keys_as_on_bytewax(
    build: str, ordered: bool
) -> None:
    """In one activation Bytewax visits the batch's keys in key order, then the keys the
    clock woke (a TestingClock moving 2 s per poll), in key order: "z"'s window, closed by
    its item z40, is written before "a"'s, closed by the clock in the same poll."""

    def clock_of(win: Any, ts_getter: Any, now: Any) -> Any:
        return win.EventClock(ts_getter, 5 * S, now_getter=now)

    tumbling = lambda w: w.TumblingWindower(10 * S, T0)  # noqa: E731
    a0, z0, z40 = [("a", (T0, "a0"))], [("z", (T0, "z0"))], [("z", (T0 + 40 * S, "z40"))]
    batches = [a0, [], [], z0, [], [], [], [], z40, [], [], []]
    ls = windowed_log("ls", batches, tumbling, clock_of, build, ordered)
    assert ls == windowed_log("bw", batches, tumbling, clock_of, build, ordered)
    assert _down_keys(ls) == [[("z", 0), ("a", 0)], [("z", 4)]]
