"""The timeline of a windowed join: what it draws is what `join_window` did.

Each picture is checked against a small obviously-correct model of the join on
tumbling windows (per key, both sides share the watermark: latest time minus
the wait; an item below it is late; a window's row pairs its sides' last
on-time values), and against what is drawn: a lane per side per key, the
rows, the late items, the matched items joined by lines in the SVG.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from learnstream.operators.windowing import SessionWindower, TumblingWindower
from learnstream.timeline import build_join_timeline

T0 = datetime(2024, 1, 1, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent
TEN = TumblingWindower(timedelta(seconds=10), T0)
WAIT = timedelta(seconds=3)


def _at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _model(events: list[tuple[str, datetime, int]]) -> tuple[set[int], dict]:
    """Late arrival numbers, and each (key, window)'s row of the last on-time value per side."""
    latest: dict[str, datetime] = {}
    late: set[int] = set()
    rows: dict[tuple[str, int], list[int | None]] = {}
    for seq, (key, ts, side) in enumerate(events):
        if key in latest and ts < latest[key] - WAIT:
            late.add(seq)
            continue
        latest[key] = max(ts, latest.get(key, ts))
        wid = (ts - T0) // timedelta(seconds=10)
        row = rows.setdefault((key, wid), [None, None])
        # "last" keeps the value latest in time (ordered=True hands values over by time)
        if row[side] is None or events[row[side]][1] <= ts:
            row[side] = seq
    return late, {wk: tuple(row) for wk, row in rows.items()}


_events = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 40), st.integers(0, 1)),
    min_size=1,
    max_size=14,
).map(lambda rows: [(k, _at(s), side) for k, s, side in rows])


@settings(max_examples=60, deadline=None)
@given(_events)
def test_rows_and_late_items_are_the_models(events: list[tuple[str, datetime, int]]) -> None:
    tl = build_join_timeline(events, TEN, WAIT, sides=("views", "clicks"))
    late, rows = _model(events)
    assert {e.seq for e in tl.late_events} == late
    assert {(r.key, r.window_id): r.seqs for r in tl.rows} == rows
    assert all(e.side == ("views", "clicks")[events[e.seq][2]] for e in tl.events)
    text = tl.to_text(width=50)
    for row in tl.rows:  # every row is listed, its sides named by arrival number
        parts = [
            "—" if seq is None else f"#{seq + 1} {('views', 'clicks')[i]}"
            for i, seq in enumerate(row.seqs)
        ]
        assert f"{row.key} window {row.window_id}: {' ⋈ '.join(parts)}" in text
    for e in tl.late_events:
        assert f"#{e.seq + 1} {e.key} " in text and f"({e.side}) arrived" in text


def test_each_key_has_a_lane_per_side_and_the_svg_joins_matched_items() -> None:
    events = [("ana", _at(2), 0), ("ana", _at(5), 1), ("bob", _at(3), 0), ("ana", _at(14), 1)]
    tl = build_join_timeline(events, TEN, WAIT, sides=("views", "clicks"), highlight=("ana", 0))
    lines = tl.to_text(width=40).splitlines()
    assert lines[3].startswith("ana views") and lines[4].startswith("    clicks")
    assert any(line.startswith("bob views") for line in lines)
    assert "→ ana window 0: #1 views ⋈ #2 clicks" in lines
    svg = tl.to_svg()
    matches = re.findall(r'<line class="match( hot)?" x1="([\d.]+)" y1="([\d.]+)"', svg)
    assert [hot for hot, *_ in matches] == [" hot"]  # one row with both sides: ana's window 0
    assert "<title>ana window 0: #1 views ⋈ #2 clicks</title>" in svg


def test_sessions_of_a_join_span_both_sides() -> None:
    events = [("ana", _at(0), 0), ("ana", _at(4), 1), ("ana", _at(30), 1)]
    tl = build_join_timeline(events, SessionWindower(timedelta(seconds=5)), WAIT)
    assert [(w.open_time, w.close_time, w.seqs) for w in tl.windows] == [
        (_at(0), _at(4), (0, 1)),
        (_at(30), _at(30), (2,)),
    ]
    assert [r.seqs for r in tl.rows] == [(0, 1), (None, 2)]


def test_the_cli_draws_a_join_from_a_csv_with_sides(tmp_path: Path) -> None:
    path = tmp_path / "join.csv"
    path.write_text("key,ts,side\nana,2,views\nana,5,clicks\nana,30,views\nana,6,clicks\n")
    done = subprocess.run(
        [sys.executable, "-m", "learnstream", "timeline", str(path), "--tumbling", "10s"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "120", "PATH": str(Path(sys.executable).parent)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ana views" in done.stdout and "    clicks" in done.stdout
    assert "ana window 0: #1 views ⋈ #2 clicks" in done.stdout
    assert "#4 ana 00:00:06 (clicks) arrived when the watermark was 00:00:30" in done.stdout


def test_the_cli_draws_the_simulated_ads() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "learnstream", "timeline", "--source", "ads", "--wait", "5s"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "impression" in done.stdout and "clicks" in done.stdout
    assert "rows the join emitted" in done.stdout
