"""`learnstream timeline`: the picture shows what the engine really does.

Every check compares the picture (text or SVG, produced through the CLI) with a
separate run of the public windowing operators (`count_window` and its `.late`
stream) on the same events, never with hand-written expected pictures.
"""

from __future__ import annotations

import itertools
import operator
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import learnstream.operators as op
from learnstream.cli import main
from learnstream.dataflow import Dataflow
from learnstream.operators import windowing as win
from learnstream.testing import TestingSource, run_main
from learnstream.timeline import (
    Event,
    Timeline,
    Window,
    build_timeline,
    parse_duration,
    simulated_events,
)

T0 = datetime(2024, 1, 1, tzinfo=UTC)
FROZEN = datetime(2000, 1, 1, tzinfo=UTC)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SVG = "{http://www.w3.org/2000/svg}"


def engine(
    events: Sequence[tuple[str, datetime]],
    windower: Any,
    wait: timedelta,
    ordered: bool = True,
) -> tuple[dict[tuple[str, int], int], dict[int, list[int]], dict[tuple[str, int], Any]]:
    """From the engine: counts per (key, window id), late arrival numbers -> window ids,
    and each window's `WindowMetadata` (its bounds) per (key, window id).

    Ordered: `fold_window` counting in timestamp order (the timeline's default);
    otherwise `count_window`, which counts in arrival order.
    """
    counts: list[tuple[str, tuple[int, int]]] = []
    late: list[tuple[str, tuple[int, Any]]] = []
    meta: list[tuple[str, tuple[int, Any]]] = []
    flow = Dataflow("check")
    items = [(key, (ts, seq)) for seq, (key, ts) in enumerate(events)]
    stream = op.input("inp", flow, TestingSource(items))
    if ordered:
        clock = win.EventClock(lambda v: v[0], wait, now_getter=lambda: FROZEN)
        out = win.fold_window(
            "count", stream, clock, windower, lambda: 0, lambda n, _v: n + 1, operator.add
        )
    else:
        clock = win.EventClock(lambda v: v[1][0], wait, now_getter=lambda: FROZEN)
        out = win.count_window("count", stream, clock, windower, key=lambda v: v[0])
    op.inspect("down", out.down, lambda _s, kv: counts.append(kv))
    op.inspect("late", out.late, lambda _s, kv: late.append(kv))
    op.inspect("meta", out.meta, lambda _s, kv: meta.append(kv))
    run_main(flow, now_getter=lambda: FROZEN)
    lates: dict[int, list[int]] = {}
    for _key, (wid, value) in late:
        seq = value[1] if ordered else value[1][1]
        lates.setdefault(seq, []).append(wid)
    bounds = {(key, wid): m for key, (wid, m) in meta}
    return {(key, wid): n for key, (wid, n) in counts}, lates, bounds


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, ["timeline", *args])
    assert result.exit_code == 0, result.output
    return ANSI.sub("", result.output)


def key_blocks(text: str, keys: Sequence[str]) -> dict[str, list[str]]:
    """The lines of the picture under each key: its item row, then its window rows."""
    lines = text.splitlines()
    blocks: dict[str, list[str]] = {}
    current = None
    for line in lines[3:]:
        if line.startswith("● item"):
            break
        head = line.split(" ", 1)[0]
        if head in keys:
            current = head
            blocks[current] = [line]
        elif current is not None:
            blocks[current].append(line)
    return blocks


def drawn_windows(block: list[str]) -> dict[int, tuple[int, int, int | None]]:
    """Window id -> (first column, last column, item count) as drawn in a key's window rows."""
    found: dict[int, tuple[int, int, int | None]] = {}
    for row in block[1:]:
        # "[3·4──)", or "[]3·1" for a window too narrow to hold its label
        inside = r"\[(?P<a>-?\d+)(?:·(?P<b>\d+))?[─═┃]*[)\]]"
        after = r"\[[)\]](?P<c>-?\d+)(?:·(?P<d>\d+))?"
        for match in re.finditer(f"{inside}|{after}", row):
            wid, count = (match["a"], match["b"]) if match["a"] else (match["c"], match["d"])
            last = match.start() + (1 if match["c"] else len(match[0]) - 1)
            found[int(wid)] = (match.start(), last, int(count) if count else None)
    return found


def column_of(text: str, secs: float) -> int:
    """The text column of `secs` after 00:00:00, from the picture's own scale and axis."""
    step = parse_duration(re.search(r"1 column = (\S+)", text)[1])  # type: ignore[index]
    return text.splitlines()[1].index("00:00:00") + int(timedelta(seconds=secs) / step)


def write_csv(tmp_path: Path, events: Sequence[tuple[str, float]]) -> Path:
    path = tmp_path / "events.csv"
    path.write_text("key,ts\n" + "".join(f"{k},{s}\n" for k, s in events), encoding="utf-8")
    return path


EVENTS = [("a", 1), ("b", 2), ("a", 4), ("a", 12), ("a", 3), ("b", 14), ("a", 25), ("b", 9)]


def as_times(events: Sequence[tuple[str, float]]) -> list[tuple[str, datetime]]:
    return [(k, T0 + timedelta(seconds=s)) for k, s in events]


def test_tumbling_picture_from_a_csv_matches_the_engine(tmp_path: Path) -> None:
    text = invoke(str(write_csv(tmp_path, EVENTS)), "--tumbling", "10s", "--wait", "5s")
    windower = win.TumblingWindower(timedelta(seconds=10), T0)
    counts, late, _ = engine(as_times(EVENTS), windower, timedelta(seconds=5))
    assert late, "the example must have a late item"
    blocks = key_blocks(text, ["a", "b"])
    for key in ("a", "b"):
        drawn = drawn_windows(blocks[key])
        expected = {wid: n for (k, wid), n in counts.items() if k == key}
        assert {wid: c for wid, (_, _, c) in drawn.items()} == expected
    # Each on-time item sits inside the brackets of its window, on its key's item row.
    for seq, (key, secs) in enumerate(EVENTS):
        column = column_of(text, secs)
        glyph = blocks[key][0][column]
        if seq in late:
            assert glyph == "✗"
            assert re.search(
                rf"^  #{seq + 1} {key} 00:00:{secs:02d} .*late for window {late[seq][0]}$",
                text,
                re.MULTILINE,
            )
        else:
            assert glyph in "●23456789"
            first, last, _ = drawn_windows(blocks[key])[secs // 10]
            assert first <= column <= last
    # A window the key's watermark (latest time - wait) has not reached waits for the end.
    at_eof = sum((wid + 1) * 10 > max(s for k, s in EVENTS if k == key) - 5 for key, wid in counts)
    assert text.rstrip().endswith(
        f"{len(counts)} windows emitted ({len(counts) - at_eof} closed by the watermark, "
        f"{at_eof} at the end of the input) · {len(late)} item late"
    )


def test_watermark_is_drawn_where_the_clock_puts_it(tmp_path: Path) -> None:
    text = invoke(str(write_csv(tmp_path, EVENTS)), "--tumbling", "10s", "--wait", "5s")
    blocks = key_blocks(text, ["a", "b"])
    for key in ("a", "b"):
        latest = max(s for k, s in EVENTS if k == key)
        assert f"watermark 00:00:{latest - 5:02d}" in blocks[key][0]
        assert any(row[column_of(text, latest - 5)] == "┃" for row in blocks[key])


@pytest.mark.parametrize(
    ("args", "windower"),
    [
        (
            ["--sliding", "40s", "--offset", "20s"],
            win.SlidingWindower(timedelta(seconds=40), timedelta(seconds=20), T0),
        ),
        (["--session", "12s"], win.SessionWindower(timedelta(seconds=12))),
        (["--tumbling", "30s"], win.TumblingWindower(timedelta(seconds=30), T0)),
    ],
    ids=["sliding", "session", "tumbling"],
)
def test_simulated_sensor_stream_windows_and_late_items_match_the_engine(
    args: list[str], windower: Any
) -> None:
    options = ["--seed", "3", "--limit", "30", "--keys", "2", "--disorder", "25s", "--wait", "5s"]
    text = invoke(*options, *args, "--width", "200")
    events = simulated_events("sensors", seed=3, limit=30, keys=2, disorder=timedelta(seconds=25))
    counts, late, _ = engine(events, windower, timedelta(seconds=5))
    assert late
    keys = sorted({k for k, _ in events})
    blocks = key_blocks(text, keys)
    for key in keys:
        drawn = drawn_windows(blocks[key])
        expected = {wid: n for (k, wid), n in counts.items() if k == key}
        assert {wid: c for wid, (_, _, c) in drawn.items()} == expected
    listed = re.findall(r"^  #(\d+) ", text, re.MULTILINE)
    assert [int(n) - 1 for n in listed] == sorted(late)
    for seq, wids in late.items():
        line = next(x for x in text.splitlines() if x.startswith(f"  #{seq + 1} "))
        if isinstance(windower, win.SessionWindower):
            assert line.endswith("(session id -1)")
        else:
            assert line.endswith(" " + ", ".join(map(str, wids)))


def test_clickstream_sessions_and_svg_match_the_engine(tmp_path: Path) -> None:
    svg = tmp_path / "t.svg"
    text = invoke(
        "--source",
        "clicks",
        "--seed",
        "5",
        "--limit",
        "40",
        "--keys",
        "3",
        "--session",
        "1m",
        "--wait",
        "20s",
        "--highlight",
        "user-1:0",
        "--svg",
        str(svg),
    )
    assert f"wrote {svg}" in text
    events = simulated_events("clicks", seed=5, limit=40, keys=3)
    windower = win.SessionWindower(timedelta(minutes=1))
    counts, late, _ = engine(events, windower, timedelta(seconds=20))

    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    ns = "{http://www.w3.org/2000/svg}"
    items = root.findall(f".//{ns}circle")
    rects = [r for r in root.iter(f"{ns}rect") if "win" in r.get("class", "").split()]
    late_marks = [g for g in root.iter(f"{ns}g") if g.get("class") == "late"]
    assert len(items) == len(events) - len(late) + 1  # + the legend's item
    assert len(late_marks) == len(late) + 1  # + the legend's late mark
    titled = [r for r in rects if r.find(f"{ns}title") is not None]
    assert len(titled) == len(counts)
    for rect in titled:
        title = rect.find(f"{ns}title").text or ""  # type: ignore[union-attr]
        match = re.match(r"(\S+) window (-?\d+): .*?, (\d+) items?", title)
        assert match, title
        assert counts[match[1], int(match[2])] == int(match[3])
        assert ("hot" in rect.get("class", "")) == ((match[1], match[2]) == ("user-1", "0"))
    assert "highlighted: user-1 window 0" in text


class Drawing:
    """What an SVG timeline draws, read back from the SVG: the axis, and each mark's place."""

    def __init__(self, svg: str) -> None:
        self.root = ET.fromstring(svg)
        # The tick labels give the scale: pixels per second, and where 00:00:00 is.
        ticks = [
            (float(t.get("x", "nan")), _seconds(t.text or ""))
            for t in self.root.iter(f"{SVG}text")
            if t.get("y") == "32" and re.fullmatch(r"\d\d:\d\d:\d\d(\.\d+)?", t.text or "")
        ]
        assert len(ticks) >= 2, "the axis needs at least two labelled ticks"
        (x0, s0), (x1, s1) = ticks[0], ticks[-1]
        self.per_second = (x1 - x0) / (s1 - s0)
        self.origin = x0 - s0 * self.per_second
        for x, secs in ticks:  # the axis is linear
            assert abs(self.x(secs) - x) < 0.2

    def x(self, secs: float) -> float:
        return self.origin + secs * self.per_second

    def titled(self, tag: str, cls: str) -> list[tuple[ET.Element, str]]:
        """Elements of one class with their hover text (the legend's have none)."""
        found = []
        for el in self.root.iter(f"{SVG}{tag}"):
            title = el.find(f"{SVG}title")
            if cls in el.get("class", "").split() and title is not None:
                found.append((el, title.text or ""))
        return found

    def key_rows(self, keys: set[str]) -> dict[str, float]:
        """Where each key's label is: the y of the first row of the key's band."""
        return {
            t.text: float(t.get("y", "nan"))
            for t in self.root.iter(f"{SVG}text")
            if t.get("x") == "8" and t.text in keys
        }


def _seconds(clock: str) -> float:
    """Seconds from T0 (a midnight) of a clock time near it: 23:59:40 is -20."""
    h, m, sec = clock.split(":")
    secs = int(h) * 3600 + int(m) * 60 + float(sec)
    return secs if secs <= 12 * 3600 else secs - 24 * 3600


def since_t0(ts: datetime) -> float:
    return (ts - T0).total_seconds()


@pytest.mark.parametrize(
    ("args", "windower"),
    [
        (
            ["--sliding", "40s", "--offset", "20s"],
            win.SlidingWindower(timedelta(seconds=40), timedelta(seconds=20), T0),
        ),
        (["--session", "12s"], win.SessionWindower(timedelta(seconds=12))),
        (["--tumbling", "30s"], win.TumblingWindower(timedelta(seconds=30), T0)),
    ],
    ids=["sliding", "session", "tumbling"],
)
def test_svg_draws_each_window_item_late_mark_and_watermark_at_its_time(
    tmp_path: Path, args: list[str], windower: Any
) -> None:
    svg = tmp_path / "t.svg"
    options = ["--seed", "3", "--limit", "30", "--keys", "2", "--disorder", "25s", "--wait", "5s"]
    invoke(*options, *args, "--svg", str(svg))
    events = simulated_events("sensors", seed=3, limit=30, keys=2, disorder=timedelta(seconds=25))
    wait = timedelta(seconds=5)
    counts, late, bounds = engine(events, windower, wait)
    assert late
    drawing = Drawing(svg.read_text(encoding="utf-8"))
    first_seen = list(dict.fromkeys(k for k, _ in events))
    rows = drawing.key_rows(set(first_seen))
    keys = sorted(rows, key=rows.__getitem__)
    assert keys == first_seen  # one band per key, in the order keys first arrived

    # Every window the engine emitted is one box, from its open to its close time,
    # in its key's band, and boxes on one row never overlap.
    boxes = drawing.titled("rect", "win")
    assert len(boxes) == len(counts)
    placed: dict[tuple[str, float], list[tuple[float, float]]] = {}
    for rect, title in boxes:
        match = re.match(r"(\S+) window (-?\d+): ", title)
        assert match, title
        key, wid = match[1], int(match[2])
        meta = bounds[key, wid]
        x, width, y = (float(rect.get(a, "nan")) for a in ("x", "width", "y"))
        assert abs(x - drawing.x(since_t0(meta.open_time))) < 0.11
        close_x = max(drawing.x(since_t0(meta.close_time)), x + 6)  # a lone item's session
        assert abs(x + width - close_x) < 0.2
        below = [k for k in keys if rows[k] < y]
        assert below and below[-1] == key, f"{title} is drawn in {below[-1:]}'s band"
        placed.setdefault((key, y), []).append((x, x + width))
    for row in placed.values():
        row.sort()
        assert all(end <= start + 0.11 for (_, end), (start, _) in itertools.pairwise(row))
    if isinstance(windower, win.SlidingWindower):  # overlapping windows need several rows
        assert len({y for key, y in placed if key == keys[0]}) == 2

    # Every item is a dot (on time) or a cross (late) at its event time, in its key's row.
    dots = drawing.titled("circle", "item")
    crosses = drawing.titled("g", "late")
    assert len(dots) == len(events) - len(late) and len(crosses) == len(late)
    for el, title in dots + crosses:
        match = re.match(r"#(\d+) (\S+) at ", title)
        assert match, title
        seq = int(match[1]) - 1
        key, ts = events[seq]
        assert match[2] == key
        assert (seq in late) == (el.tag == f"{SVG}g") == title.endswith("late")
        if el.tag == f"{SVG}circle":
            cx, cy = float(el.get("cx", "nan")), float(el.get("cy", "nan"))
        else:
            lines = el.findall(f"{SVG}line")
            cx = sum(float(ln.get(a, "nan")) for ln in lines for a in ("x1", "x2")) / 4
            cy = sum(float(ln.get(a, "nan")) for ln in lines for a in ("y1", "y2")) / 4
        assert abs(cx - drawing.x(since_t0(ts))) < 0.11
        assert cy < rows[key]  # on the item row, above the label's baseline

    # Each key's watermark: its latest event time minus the wait (the EventClock's rule).
    marks = drawing.titled("line", "wm")
    assert len(marks) == len(keys)
    for line, title in marks:
        key = title.split("'s watermark")[0]
        latest = max(ts for k, ts in events if k == key)
        assert abs(float(line.get("x1", "nan")) - drawing.x(since_t0(latest - wait))) < 0.11


def test_a_join_draws_one_lane_of_items_per_side() -> None:
    """The model has a lane per input for each key; both pictures draw each lane as a row."""
    t = [T0 + timedelta(seconds=s) for s in (2, 5, 7, 14)]
    events = (
        Event(0, "k", t[0], False, (0,), None, "orders"),
        Event(1, "k", t[1], False, (0,), t[0], "payments"),
        Event(2, "k", t[2], False, (0,), t[1], "orders"),
        Event(3, "k", t[3], False, (1,), t[2], "payments"),
    )
    windows = (
        Window("k", 0, T0, T0 + timedelta(seconds=10), (0, 1, 2), 4, True),
        Window("k", 1, T0 + timedelta(seconds=10), T0 + timedelta(seconds=20), (3,), 4, True),
    )
    tl = Timeline(
        events,
        windows,
        {"k": t[3]},
        win.TumblingWindower(timedelta(seconds=10), T0),
        timedelta(0),
        keys=("k",),
        sides=("orders", "payments"),
    )
    assert [(lane.side, [e.seq for e in lane.events]) for lane in tl.lanes("k")] == [
        ("orders", [0, 2]),
        ("payments", [1, 3]),
    ]
    text = tl.to_text(width=40)
    orders, payments = (
        line for line in text.splitlines() if line.strip().startswith(("k ", "payments"))
    )
    assert orders.startswith("k orders") and payments.lstrip().startswith("payments")
    column = column_of(text, 0)
    assert [orders[column + s] for s in (2, 7)] == ["●", "●"]
    assert [payments[column + s] for s in (5, 14)] == ["●", "●"]
    assert orders[column + 5] == " " and payments[column + 2] == " "
    drawing = Drawing(tl.to_svg())
    rows = {el.get("cy"): title for el, title in drawing.titled("circle", "item")}
    by_row: dict[str | None, list[str]] = {}
    for el, title in drawing.titled("circle", "item"):
        by_row.setdefault(el.get("cy"), []).append(title.split()[0])
    assert sorted(by_row.values()) == [["#1", "#3"], ["#2", "#4"]]
    assert len(rows) == 2


def test_highlighting_a_window_the_engine_did_not_emit_draws_it_empty(tmp_path: Path) -> None:
    text = invoke(str(write_csv(tmp_path, EVENTS)), "--tumbling", "10s", "--highlight", "b:3")
    assert "highlighted: b window 3 [00:00:30, 00:00:40): no items: not emitted" in text
    assert drawn_windows(key_blocks(text, ["a", "b"])["b"])[3][2] == 0
    assert "═" in key_blocks(text, ["a", "b"])["b"][1]


def test_jsonl_and_iso_times_are_read(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"key": "k", "ts": "2024-03-01T10:00:05+00:00"}\n["k", "2024-03-01T11:00:07+01:00"]\n',
        encoding="utf-8",
    )
    text = invoke(str(path), "--tumbling", "10s")
    assert "aligned to 00:00:00" in text
    # 10:00:05Z and 11:00:07+01:00 are both in the 3600th 10 s window after midnight UTC.
    assert [c for _, _, c in drawn_windows(key_blocks(text, ["k"])["k"]).values()] == [2]
    assert list(drawn_windows(key_blocks(text, ["k"])["k"])) == [3600]


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("a,2024-01-01T00:00:01\n", [], "has no UTC offset"),
        ("a,soon\n", [], "events.csv:1: not a time"),
        ("a,1\n", ["--sliding", "10s"], "--sliding needs --offset"),
        ("a,1\n", ["--tumbling", "10s", "--session", "5s"], "choose one kind of window"),
        ("a,1\n", ["--tumbling", "ten"], "not a duration"),
        ("", [], "no events to draw"),
    ],
)
def test_bad_input_is_a_clear_error(
    tmp_path: Path, content: str, args: list[str], message: str
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["timeline", str(path), *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


# --- the model against the engine on arbitrary inputs -------------------------------------

_events = st.lists(
    st.tuples(st.sampled_from(["x", "y"]), st.integers(min_value=0, max_value=120)),
    min_size=1,
    max_size=25,
)
_windowers = st.one_of(
    st.builds(lambda n: win.TumblingWindower(timedelta(seconds=n), T0), st.integers(1, 30)),
    st.builds(
        lambda n, k: win.SlidingWindower(timedelta(seconds=n * k), timedelta(seconds=n), T0),
        st.integers(1, 15),
        st.integers(1, 3),
    ),
    st.builds(lambda n: win.SessionWindower(timedelta(seconds=n)), st.integers(0, 20)),
)


@settings(max_examples=40, deadline=None)
@given(_events, _windowers, st.integers(0, 30), st.booleans())
def test_model_agrees_with_the_engine(
    raw: list[tuple[str, int]], windower: Any, wait_s: int, ordered: bool
) -> None:
    events = as_times(raw)
    wait = timedelta(seconds=wait_s)
    tl = build_timeline(events, windower, wait, ordered=ordered)
    counts, late, _ = engine(events, windower, wait, ordered)
    assert {(w.key, w.window_id): len(w.seqs) for w in tl.windows} == counts
    assert {e.seq: list(e.window_ids) for e in tl.late_events} == late
    # Each on-time item is in every window it joined, and only late items are missing.
    for e in tl.events:
        if not e.late:
            assert all(
                e.seq in w.seqs
                for w in tl.windows
                if w.window_id in e.window_ids and w.key == e.key
            )
    # A window emitted before the end of the input was closed by its key's watermark,
    # moved past it by the item that arrived just before (`emitted_after` counts it).
    for w in tl.windows:
        if not w.at_eof:
            closer = tl.events[w.emitted_after - 1]
            assert closer.key == w.key
            reached = max(ts for k, ts in events[: w.emitted_after] if k == w.key) - wait
            if isinstance(windower, win.SessionWindower):
                assert w.close_time + windower.gap < reached
            else:
                assert w.close_time <= reached
                assert closer.watermark is None or closer.watermark < w.close_time
    # The watermark each item met, as the engine held it: the EventClock's rule, the
    # latest earlier time of the key minus the wait (system time is held still).
    for e in tl.events:
        earlier = [ts for seq, (k, ts) in enumerate(events) if k == e.key and seq < e.seq]
        assert e.watermark == (max(earlier) - wait if earlier else None)
    # Both pictures render whatever came out.
    assert tl.to_text().count("┃") >= 1
    ET.fromstring(tl.to_svg())


def test_a_wait_longer_than_the_calendar_keeps_the_watermark_at_its_start() -> None:
    """The engine's watermark, read as a datetime, stays within datetime's range."""
    events = as_times([("a", 1), ("a", 5)])
    tl = build_timeline(events, win.TumblingWindower(timedelta(seconds=10), T0), timedelta.max)
    assert tl.watermarks == {"a": datetime.min.replace(tzinfo=UTC)}
    assert [e.watermark for e in tl.events] == [None, datetime.min.replace(tzinfo=UTC)]
    assert "watermark 00:00:00 ◀" in tl.to_text()  # before the axis: an arrow says so
