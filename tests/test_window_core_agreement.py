"""The C window core and its pure-Python twin agree on every sequence of calls.

hypothesis builds a window configuration (tumbling, sliding with offset below
length, sessions; event or system clock; ordered or not) and a sequence of
calls (`process` with batches of 0, 1 or many items, `notify`, and finally
`eof`), feeds the same sequence to `learnstream.engine.windows_twin` (the twin, the
model) and `learnstream.engine.windows_c` (C), and compares every answer: the
events of each call, `next_wake` and every key's watermark. Times sit on a
small grid so that items land exactly on window bounds, share timestamps,
arrive out of order and form sessions exactly `gap` apart; the grid is placed
at the epoch, at everyday times and at both ends of datetime's range.
`.ci/asan` runs this file against a build of the C core with AddressSanitizer
and UBSan.
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import asdict
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from backend_helpers import last_line_on_each_backend
from hypothesis import example, given, settings
from hypothesis import strategies as st

from learnstream.engine import stamps_c, stamps_twin, windows_c
from learnstream.engine import windows_twin as twin
from learnstream.engine.window_steps import micros

MIN_US, MAX_US = twin.MIN_US, twin.MAX_US
BACKENDS = (twin, windows_c)

# Where the grid of times sits: the epoch, today, and both ends of datetime.
bases = st.sampled_from([0, -1, 1_700_000_000_000_000, MIN_US, MIN_US + 7, MAX_US - 60, MAX_US])


def clamp(t: int) -> int:
    return min(max(t, MIN_US), MAX_US)


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    base = draw(bases)
    kind = draw(st.sampled_from([twin.SLIDING, twin.SESSION]))
    length = draw(st.integers(1, 12))
    shape = draw(st.sampled_from(["tumbling", "sliding"]))
    offset = length if shape == "tumbling" else draw(st.integers(1, length))
    # align_to may lie before, inside or after the data, or at datetime's ends.
    align = draw(st.one_of(st.integers(-40, 120).map(lambda d: clamp(base + d)), bases))
    wait = draw(st.one_of(st.integers(0, 15), st.sampled_from([twin.MAX_SPAN, 2**62, 2**80])))
    return {
        "kind": kind,
        "length": length,
        "offset": offset,
        "align": align,
        "gap": draw(st.integers(0, 10)),
        "clock": draw(st.sampled_from([twin.EVENT, twin.SYSTEM])),
        "wait": wait,
        "ordered": draw(st.booleans()),
        "record_inserts": draw(st.booleans()),
        "_base": base,
    }


few_keys = st.integers(0, 4)
many_keys = st.integers(0, 300)


@st.composite
def batches(draw: st.DrawFn) -> list[tuple[int, int]]:
    """(slot, time offset from the grid's base): sizes 0, 1, a few, or many."""
    size = draw(st.sampled_from(["empty", "one", "few", "many"]))
    item = st.tuples(few_keys, st.integers(-20, 60))
    if size == "empty":
        return []
    if size == "one":
        return [draw(item)]
    if size == "few":
        return draw(st.lists(item, min_size=2, max_size=25))
    n = draw(st.integers(50, 400))
    seed = draw(st.integers(0, 2**16))
    # A cheap deterministic spread over many keys and times (drawing 400 items
    # one by one would make hypothesis slow without finding more).
    return [((seed + 7 * i) % 301, (seed * 3 + 13 * i) % 81 - 20) for i in range(n)]


calls = st.lists(
    st.one_of(
        st.tuples(st.just("process"), batches(), st.integers(-3, 20)),
        st.tuples(st.just("notify"), st.just([]), st.integers(-3, 30)),
        st.tuples(
            st.just("bad"), st.sampled_from(["early", "late", "huge", "now", "slot"]), st.just(0)
        ),
    ),
    max_size=12,
)


def make(backend: Any, config: dict[str, Any]) -> Any:
    args = {k: v for k, v in config.items() if not k.startswith("_")}
    kind = args.pop("kind")
    return backend.WindowCore(kind, **args)


def observe(core: Any, events: Any, slots: int) -> tuple[Any, ...]:
    """Everything a caller can see after a call."""
    return (
        asdict(events),
        core.next_wake(),
        [core.watermark(s) for s in range(slots + 2)],
    )


def call_both(cores: list[Any], call: Any) -> Any:
    """Make the same call on both cores; both succeed alike or both refuse."""
    outcomes = []
    for core in cores:
        try:
            outcomes.append(("ok", call(core)))
        except ValueError as exc:
            outcomes.append(("refused", type(exc)))
    assert outcomes[0] == outcomes[1]
    return outcomes[0]


def bad_batch(what: str, base: int, now: int) -> tuple[list[int], list[int] | None, int]:
    if what == "early":
        return [0, 1], [base, MIN_US - 1], now
    if what == "late":
        return [0], [MAX_US + 1], now
    if what == "huge":
        return [0], [2**63], now
    if what == "now":
        return [0], [base], MAX_US + 1
    return [0, -1], [base, base], now


@settings(max_examples=400, deadline=None)
@given(configs(), calls, st.integers(-10, 10))
@example(  # sessions exactly gap apart, arriving out of order, then a notify closes one
    {
        "kind": twin.SESSION,
        "length": 1,
        "offset": 1,
        "align": 0,
        "gap": 5,
        "clock": twin.EVENT,
        "wait": 0,
        "ordered": False,
        "record_inserts": True,
        "_base": 0,
    },
    [("process", [(0, 10), (0, 0), (0, 5), (1, 20)], 0), ("notify", [], 30)],
    0,
)
def test_window_cores_agree(config: dict[str, Any], sequence: list[Any], now0: int) -> None:
    base = config["_base"]
    cores = [make(backend, config) for backend in BACKENDS]
    system = config["clock"] == twin.SYSTEM
    now = clamp(base + now0)
    top = 0
    for op, arg, step in sequence:
        now = clamp(now + step)
        if op == "process":
            slots = [slot for slot, _ in arg]
            ts = None if system else [clamp(base + d) for _, d in arg]
            top = max([top, *slots])
            outcome = call_both(
                cores, lambda c, s=slots, t=ts, n=now, k=top: observe(c, c.process(s, t, n), k)
            )
            assert outcome[0] == "ok"
        elif op == "notify":
            outcome = call_both(cores, lambda c, n=now, k=top: observe(c, c.notify(n), k))
            assert outcome[0] == "ok"
        else:  # refused by both, and nothing changes: the next calls still agree
            slots, ts, bad_now = bad_batch(arg, base, now)
            outcome = call_both(
                cores, lambda c, s=slots, t=ts, n=bad_now: c.process(s, None if system else t, n)
            )
            if arg in ("now", "slot") or not system:
                assert outcome == ("refused", ValueError)
    order = list(range(top + 2))[::-1]  # a key never seen is skipped by both
    outcome = call_both(cores, lambda c: observe(c, c.eof(order), top))
    events = outcome[1][0]
    assert outcome[0] == "ok"
    # After EOF nothing is open: every window emitted once, nothing left to wake for.
    assert outcome[1][1] is None
    assert len(set(zip(events["closed_slots"], events["closed_wids"], strict=True))) == len(
        events["closed_wids"]
    )


@settings(max_examples=200, deadline=None)
@given(configs(), st.lists(st.tuples(few_keys, st.integers(-20, 60)), max_size=40))
def test_one_batch_or_one_item_at_a_time_agree(
    config: dict[str, Any], items: list[tuple[int, int]]
) -> None:
    """The same items in batches of one, on both backends, and in one batch, on both."""
    base = config["_base"]
    system = config["clock"] == twin.SYSTEM
    for batch_size in (1, max(len(items), 1)):
        cores = [make(backend, config) for backend in BACKENDS]
        for at in range(0, len(items), batch_size):
            chunk = items[at : at + batch_size]
            ts = None if system else [clamp(base + d) for _, d in chunk]
            call_both(
                cores, lambda c, ch=chunk, t=ts: asdict(c.process([s for s, _ in ch], t, base))
            )
        call_both(cores, lambda c: asdict(c.eof(list(range(5)))))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 40),
    st.data(),
    st.integers(0, 3000),
    st.booleans(),
    st.integers(0, 2**32),
)
def test_many_open_windows_per_key_agree(
    length: int, data: st.DataObject, wait: int, ordered: bool, seed: int
) -> None:
    """Thousands of windows open at once for a few keys, closing bit by bit: what
    C's index of open windows (a hash table with deletions) must get right."""
    offset = data.draw(st.integers(1, length))
    config = {
        "kind": twin.SLIDING,
        "length": length,
        "offset": offset,
        "align": data.draw(st.integers(-50, 50)),
        "gap": 0,
        "clock": twin.EVENT,
        "wait": wait,
        "ordered": ordered,
        "record_inserts": True,
    }
    cores = [make(backend, config) for backend in BACKENDS]
    rng = random.Random(seed)  # drawn by hypothesis one by one, 6000 numbers would be slow
    n = 3000
    slots = [rng.randrange(4) for _ in range(n)]
    times = [rng.randrange(5000) for _ in range(n)]
    for at in range(0, n, 150):
        call_both(
            cores,
            lambda c, a=at: observe(c, c.process(slots[a : a + 150], times[a : a + 150], 0), 3),
        )
    call_both(cores, lambda c: observe(c, c.eof([3, 2, 1, 0]), 3))


bad_configs = st.one_of(
    st.fixed_dictionaries({"length": st.sampled_from([0, -1, twin.MAX_SPAN + 1, 2**70])}),
    st.fixed_dictionaries({"offset": st.sampled_from([0, -5, 2**64])}),
    st.fixed_dictionaries({"gap": st.sampled_from([-1, twin.MAX_SPAN + 1])}),
    st.fixed_dictionaries({"align": st.sampled_from([MIN_US - 1, MAX_US + 1, 2**63])}),
    st.fixed_dictionaries({"wait": st.just(-1)}),
    st.fixed_dictionaries({"kind": st.just(7)}),
    st.fixed_dictionaries({"clock": st.just(2)}),
)


@settings(max_examples=50, deadline=None)
@given(bad_configs, st.sampled_from([twin.SLIDING, twin.SESSION]))
def test_both_refuse_the_same_configurations(bad: dict[str, Any], kind: int) -> None:
    config = {
        "kind": kind,
        "length": 10,
        "offset": 10,
        "align": 0,
        "gap": 0,
        "clock": twin.EVENT,
        "wait": 0,
        "ordered": True,
        **bad,
    }
    if kind == twin.SESSION and set(bad) <= {"length", "offset"}:
        return  # sessions ignore length and offset
    for backend in BACKENDS:
        with pytest.raises(ValueError):
            make(backend, config)


# --- event times to microseconds (stamps_c / stamps_twin) --------------------------

zones = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=-5, minutes=-30)),
        timezone(timedelta(hours=14)),
        timezone(timedelta(hours=-1, microseconds=7)),
        ZoneInfo("Europe/Paris"),
        ZoneInfo("America/St_Johns"),
    ]
)
aware = st.datetimes(timezones=zones)
stamp_answers = st.one_of(
    aware,
    aware,
    st.datetimes(),  # naive
    st.sampled_from([None, 1_700_000_000, "2024-01-01T00:00:00Z", RuntimeError("bad getter")]),
)


def _getter(answer: Any) -> Any:
    if isinstance(answer, Exception):
        raise answer
    return answer


@settings(max_examples=300, deadline=None)
@given(st.lists(stamp_answers, max_size=30))
def test_event_micros_agree_and_are_exact(answers: list[Any]) -> None:
    """C and twin give the same microseconds, stop at the same item for the same reason,
    and every microsecond count is exactly the datetime's distance from the epoch."""
    us_twin, failure_twin = stamps_twin.event_micros(answers, _getter)
    us_c, failure_c = stamps_c.event_micros(answers, _getter)
    n = len(answers) if failure_twin is None else failure_twin.index
    assert list(us_c)[:n] == us_twin[:n] == [micros(a) for a in answers[:n]]
    if failure_twin is None:
        assert failure_c is None
        return
    assert failure_c is not None
    assert (failure_c.index, failure_c.kind) == (failure_twin.index, failure_twin.kind)
    what_c, what_twin = failure_c.what, failure_twin.what
    assert what_c is what_twin or what_c == what_twin
    expected_kind = (
        stamps_twin.RAISED
        if isinstance(answers[n], Exception)
        else stamps_twin.NOT_AWARE
        if not isinstance(answers[n], datetime) or answers[n].utcoffset() is None
        else stamps_twin.OUT_OF_RANGE
    )
    assert failure_twin.kind == expected_kind


@pytest.mark.parametrize("offset_hours", [1, -1])
def test_event_micros_refuse_times_outside_datetimes_utc_range(offset_hours: int) -> None:
    edge = datetime.min if offset_hours > 0 else datetime.max
    stamp = edge.replace(tzinfo=timezone(timedelta(hours=offset_hours)))
    for stamps in (stamps_twin, stamps_c):
        _, failure = stamps.event_micros([stamp], _getter)
        assert failure is not None and failure.kind == stamps_twin.OUT_OF_RANGE


# --- whole flows on both backends ------------------------------------------------

FLOW = textwrap.dedent(
    """
    import hashlib, random
    from datetime import datetime, timedelta, timezone
    import learnstream
    import learnstream.operators as op
    import learnstream.operators.windowing as win
    from learnstream.dataflow import Dataflow
    from learnstream.testing import TestingSink, TestingSource, run_main

    rng = random.Random(11)
    t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    now = datetime(2030, 1, 1, tzinfo=timezone.utc)
    events = []
    for i in range({n}):
        key = "k" + str(rng.randrange(300))
        events.append((key, t0 + timedelta(milliseconds=i * 7 - rng.randrange(6000))))
    windowers = {{
        "tumbling": win.TumblingWindower(timedelta(seconds=10), t0),
        "sliding": win.SlidingWindower(timedelta(seconds=10), timedelta(seconds=3), t0),
        "session": win.SessionWindower(timedelta(seconds=2)),
    }}
    results = []
    for name, windower in windowers.items():
        flow = Dataflow("e2e")
        s = op.input("inp", flow, TestingSource(events, batch_size=500))
        clock = win.EventClock(lambda kv: kv[1], timedelta(seconds=2), now_getter=lambda: now)
        counts = win.count_window("count", s, clock, windower, key=lambda kv: kv[0])
        keyed = op.key_on("key", s, lambda kv: kv[0])
        folds = win.fold_window(
            "fold", keyed, clock, windower, lambda: 0,
            lambda acc, kv: acc + kv[1].microsecond, lambda a, b: a + b,
        )
        out = []
        for port in (counts.down, counts.late, folds.down, folds.late, folds.meta):
            sink = []
            op.output("out" + str(len(out)), port, TestingSink(sink))
            out.append(sink)
        run_main(flow)
        results.append((name, [sorted(map(repr, sink)) for sink in out]))
    print(learnstream.BACKEND)
    digest = hashlib.sha256(repr(results).encode()).hexdigest()
    print(digest, sum(len(s) for _, sinks in results for s in sinks))
    """
)


def test_windowed_flows_end_to_end_c_vs_twin() -> None:
    outputs = last_line_on_each_backend(FLOW.format(n=20_000))
    assert outputs["c"] == outputs["python"]
    assert int(outputs["c"].split()[1]) > 1000
