"""Build the timeline of a windowed join: a lane per side per key, windows, matched rows, late sides.

The events are ``(key, timestamp, side)`` in arrival order, `side` the index
of the stream they come from. They go through the real `join_window` (one item
per tick, system time held still, as in `build`), so the picture shows what the
engine decided: which windows opened and closed, which values met in which row,
and which values came after their key's watermark and went to `.late`.

>>> from datetime import datetime, timedelta, timezone
>>> from learnstream.operators.windowing import TumblingWindower
>>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
>>> at = lambda s: t0 + timedelta(seconds=s)
>>> events = [("ana", at(2), 0), ("ana", at(9), 1), ("ben", at(5), 0), ("ana", at(41), 0),
...           ("ben", at(33), 1), ("ana", at(4), 1)]
>>> tl = build_join_timeline(events, TumblingWindower(timedelta(seconds=30), t0),
...                          wait=timedelta(seconds=5), sides=("shown", "clicked"))
>>> [(r.key, r.window_id, r.seqs) for r in tl.rows]
[('ana', 0, (0, 1)), ('ana', 1, (3, None)), ('ben', 0, (2, None)), ('ben', 1, (None, 4))]
>>> [(e.seq, e.side) for e in tl.late_events]
[(5, 'clicked')]
>>> print(tl.to_text(width=48))
tumbling windows of 30s aligned to 00:00:00 · wait 5s · 1 column = 2s
key          00:00:00       00:00:30       00:01:00
             ┬──────────────┬──────────────┬─
ana shown     ●                ┃ ●             watermark 00:00:36
    clicked    ✗ ●             ┃
             [0·2──────────)[1·1──────────)
ben shown      ●           ┃                   watermark 00:00:28
    clicked                ┃ ●
             [0·1──────────)[1·1──────────)
● item (2-9: that many in one column)  ✗ late  ┃ watermark  [ ) window: id·items
late items (sent to .late, never silently dropped):
  #6 ana 00:00:04 (clicked) arrived when the watermark was 00:00:36 → late for window 0
rows the join emitted (⋈ joins the sides' items; — a side with none):
  ana window 0: #1 shown ⋈ #2 clicked
  ana window 1: #4 shown ⋈ —
  ben window 0: #3 shown ⋈ —
  ben window 1: — ⋈ #5 clicked
4 windows emitted (1 closed by the watermark, 3 at the end of the input) · 1 item late
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.engine import clock
from learnstream.engine.executor import Executor
from learnstream.operators import windowing as win
from learnstream.testing import TestingSource
from learnstream.timeline.build import _aware, _frozen
from learnstream.timeline.model import Event, JoinRow, Timeline, Window


def build_join_timeline(
    events: Iterable[tuple[str, datetime, int]],
    windower: Any,
    wait: timedelta = timedelta(0),
    *,
    sides: Sequence[str] = ("left", "right"),
    insert_mode: str = "last",
    emit_mode: str = "final",
    highlight: tuple[str, int] | None = None,
) -> Timeline:
    """Run `events` through `join_window` and keep the picture (see the module's example).

    `sides` names the streams (lane labels), `insert_mode` and `emit_mode` are
    `join_window`'s. `highlight` is a ``(key, window_id)`` to emphasise.
    """
    items = []
    for n, triple in enumerate(events):
        if not (isinstance(triple, tuple) and len(triple) == 3 and isinstance(triple[0], str)):
            raise ValueError(f"event #{n + 1}: expected (key, timestamp, side), got {triple!r}")
        key, ts, side = triple
        if not (isinstance(side, int) and 0 <= side < len(sides)):
            raise ValueError(f"event #{n + 1}: side must be 0..{len(sides) - 1}, got {side!r}")
        items.append((key, _aware(ts, f"event #{n + 1}"), side))
    if len(sides) < 2:
        raise ValueError("a join has at least two sides")
    if not isinstance(wait, timedelta) or wait < timedelta(0):
        raise ValueError(f"wait must be a timedelta that is not negative, got {wait!r}")
    run = _JoinRun(items, windower, wait, len(sides), insert_mode, emit_mode)
    run.go()
    emitted: dict[tuple[str, int], tuple[int, bool]] = {}
    for row in run.rows:
        emitted.setdefault((row[0].key, row[0].window_id), (row[1], row[2]))
    late = run.late
    windows = []
    for (key, wid), (after, at_eof) in emitted.items():
        opens, closes = run.meta[key, wid]
        session = isinstance(windower, win.SessionWindower)
        seqs = tuple(
            seq
            for seq, (k, ts, _side) in enumerate(items)
            if k == key
            and seq not in late
            and opens <= ts
            and (ts <= closes if session else ts < closes)
        )
        windows.append(Window(key, wid, opens, closes, seqs, after, at_eof))
    joined: dict[int, list[int]] = {}
    for w in windows:
        for seq in w.seqs:
            joined.setdefault(seq, []).append(w.window_id)
    model_events = tuple(
        Event(
            seq,
            key,
            ts,
            seq in late,
            tuple(late.get(seq, joined.get(seq, []))),
            run.watermark_on_arrival[seq],
            sides[side],
        )
        for seq, (key, ts, side) in enumerate(items)
    )
    keys = tuple(dict.fromkeys(key for key, _, _ in items))
    return Timeline(
        model_events,
        tuple(windows),
        run.final_watermarks,
        windower,
        wait,
        highlight,
        keys,
        tuple(sides),
        tuple(row for row, _, _ in run.rows),
    )


class _JoinRun:
    """One run of `join_window` over the events, one item per tick, and what it emitted."""

    def __init__(
        self,
        items: list[tuple[str, datetime, int]],
        windower: Any,
        wait: timedelta,
        n_sides: int,
        insert_mode: str,
        emit_mode: str,
    ) -> None:
        self.items = items
        self.arrived = 0
        self.ended = False
        self.rows: list[tuple[JoinRow, int, bool]] = []
        self.meta: dict[tuple[str, int], tuple[datetime, datetime]] = {}
        self.late: dict[int, list[int]] = {}
        self.watermark_on_arrival: list[datetime | None] = []
        self.final_watermarks: dict[str, datetime] = {}

        flow = Dataflow("join_timeline")
        source = TestingSource(self._feed(), batch_size=1)
        stream = op.map("arrive", op.input("events", flow, source), self._arrive)
        side_streams = [
            op.filter(f"side_{n}", stream, lambda kv, n=n: kv[1][2] == n) for n in range(n_sides)
        ]
        event_clock = win.EventClock(lambda v: v[0], wait, now_getter=_frozen)
        out = win.join_window(
            "join",
            event_clock,
            windower,
            *side_streams,
            insert_mode=insert_mode,  # type: ignore[arg-type]
            emit_mode=emit_mode,  # type: ignore[arg-type]
        )
        op.inspect("down", out.down, self._on_down)
        op.inspect("meta", out.meta, self._on_meta)
        op.inspect("late", out.late, self._on_late)
        self.executor = Executor(flow)
        (self.window_step,) = [rt for rt in self.executor.runtimes if hasattr(rt, "watermark")]

    def go(self) -> None:
        with clock.using(_frozen):
            self.executor.run()

    def _feed(self) -> Iterator[tuple[str, tuple[datetime, int, int]]]:
        for seq, (key, ts, side) in enumerate(self.items):
            yield key, (ts, seq, side)
        for key in dict.fromkeys(key for key, _, _ in self.items):
            wm = self.window_step.watermark(key)
            assert wm is not None, "every key has had an item"
            self.final_watermarks[key] = wm
        self.ended = True

    def _arrive(self, item: tuple[str, tuple[datetime, int, int]]) -> Any:
        self.watermark_on_arrival.append(self.window_step.watermark(item[0]))
        self.arrived += 1
        return item

    def _on_down(self, _step: str, kv: Any) -> None:
        key, (wid, values) = kv
        seqs = tuple(None if v is None else v[1] for v in values)
        self.rows.append((JoinRow(key, wid, seqs), self.arrived, self.ended))

    def _on_meta(self, _step: str, kv: Any) -> None:
        key, (wid, m) = kv
        self.meta[key, wid] = (m.open_time, m.close_time)

    def _on_late(self, _step: str, kv: Any) -> None:
        _key, (wid, (_side, (_ts, seq, _s))) = kv
        self.late.setdefault(seq, []).append(wid)
