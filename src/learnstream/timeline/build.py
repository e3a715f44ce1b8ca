"""Build a `Timeline` by running the events through the engine and keeping what it decided.

Nothing here decides anything about time: which window an item joined comes
from the window's `.down` output, the bounds of a window from `.meta`, which
items were late and for which windows from `.late`, and each key's watermark is
read from the window step itself between ticks. System time is held still, so
the picture depends on event times only, not on how fast the machine is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.engine import clock
from learnstream.engine.executor import Executor
from learnstream.engine.window_steps import WindowStep
from learnstream.operators import windowing as win
from learnstream.testing import TestingSource
from learnstream.timeline.model import Event, Timeline, Window

FROZEN_NOW = datetime(2000, 1, 1, tzinfo=UTC)
"""The "system time" of the run: the clock's watermark then moves with event times only."""


def _aware(ts: Any, where: str) -> datetime:
    if not isinstance(ts, datetime) or ts.utcoffset() is None:
        raise ValueError(
            f"{where}: timestamps must be timezone-aware datetimes, e.g. "
            f"datetime(2024, 1, 1, tzinfo=timezone.utc); got {ts!r}"
        )
    return ts


def _checked(events: Iterable[tuple[str, datetime]]) -> list[tuple[str, datetime]]:
    items = []
    for n, pair in enumerate(events):
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):
            raise ValueError(f"event #{n + 1}: expected a (key, timestamp) pair, got {pair!r}")
        items.append((pair[0], _aware(pair[1], f"event #{n + 1}")))
    return items


def build_timeline(
    events: Iterable[tuple[str, datetime]],
    windower: Any,
    wait: timedelta = timedelta(0),
    *,
    highlight: tuple[str, int] | None = None,
    ordered: bool = True,
) -> Timeline:
    """Run `events` (``(key, timestamp)`` in arrival order) through the engine and keep the picture.

    `windower` is a `TumblingWindower`, `SlidingWindower` or `SessionWindower`;
    `wait` is the `EventClock`'s `wait_for_system_duration`. `highlight` is a
    ``(key, window_id)`` to draw emphasised (for tumbling and sliding windows it
    may be a window the engine did not emit: it is drawn empty).

    `ordered` is the window operators' flag: True (as `collect_window` and
    `fold_window` default to) hands items to windows in timestamp order, False
    (as `count_window` and `reduce_window` do) in arrival order. Only session
    ids can differ: a key's sessions are numbered in the order they are opened.
    """
    items = _checked(events)
    if not isinstance(wait, timedelta) or wait < timedelta(0):
        raise ValueError(f"wait must be a timedelta that is not negative, got {wait!r}")
    run = _Run(items, windower, wait, ordered)
    run.go()
    windows = tuple(
        Window(key, wid, *run.meta[key, wid], seqs, after, ended)
        for key, wid, seqs, after, ended in run.down
    )
    joined: dict[int, list[int]] = {}
    for w in windows:
        for seq in w.seqs:
            joined.setdefault(seq, []).append(w.window_id)
    model_events = tuple(
        Event(
            seq,
            key,
            ts,
            seq in run.late,
            tuple(run.late.get(seq, joined.get(seq, []))),
            run.watermark_on_arrival[seq],
        )
        for seq, (key, ts) in enumerate(items)
    )
    keys = tuple(dict.fromkeys(key for key, _ in items))
    return Timeline(model_events, windows, run.final_watermarks, windower, wait, highlight, keys)


class _Run:
    """One run of `collect_window` over the events, one item per tick, and what it emitted."""

    def __init__(
        self, items: list[tuple[str, datetime]], windower: Any, wait: timedelta, ordered: bool
    ) -> None:
        self.items = items
        self.arrived = 0  # items that have entered the flow
        self.ended = False  # the source is exhausted: what closes now closes at EOF
        self.down: list[tuple[str, int, tuple[int, ...], int, bool]] = []
        self.meta: dict[tuple[str, int], tuple[datetime, datetime]] = {}
        self.late: dict[int, list[int]] = {}
        self.watermark_on_arrival: list[datetime | None] = []
        self.final_watermarks: dict[str, datetime] = {}

        flow = Dataflow("timeline")
        source = TestingSource(self._feed(), batch_size=1)
        stream = op.map("arrive", op.input("events", flow, source), self._arrive)
        event_clock = win.EventClock(lambda v: v[0], wait, now_getter=_frozen)
        out = win.collect_window("windows", stream, event_clock, windower, ordered=ordered)
        op.inspect("down", out.down, self._on_down)
        op.inspect("meta", out.meta, self._on_meta)
        op.inspect("late", out.late, self._on_late)
        self.executor = Executor(flow)
        steps = [rt for rt in self.executor.runtimes if isinstance(rt, WindowStep)]
        (self.window_step,) = steps

    def go(self) -> None:
        with clock.using(_frozen):
            self.executor.run()

    def _feed(self) -> Iterator[tuple[str, tuple[datetime, int]]]:
        for seq, (key, ts) in enumerate(self.items):
            yield key, (ts, seq)
        # Polled once more after the last item went through: the watermarks are final
        # (only the end of the input, which closes every window, comes after).
        for key in dict.fromkeys(key for key, _ in self.items):
            wm = self.window_step.watermark(key)
            assert wm is not None, "every key has had an item"
            self.final_watermarks[key] = wm
        self.ended = True

    def _arrive(self, item: tuple[str, tuple[datetime, int]]) -> Any:
        # One item per tick, and this step runs before the window step: what the
        # window step holds now is the watermark the item meets.
        self.watermark_on_arrival.append(self.window_step.watermark(item[0]))
        self.arrived += 1
        return item

    def _on_down(self, _step: str, kv: Any) -> None:
        key, (wid, members) = kv
        seqs = tuple(seq for _, seq in members)
        self.down.append((key, wid, seqs, self.arrived, self.ended))

    def _on_meta(self, _step: str, kv: Any) -> None:
        key, (wid, m) = kv
        self.meta[key, wid] = (m.open_time, m.close_time)

    def _on_late(self, _step: str, kv: Any) -> None:
        _key, (wid, (_ts, seq)) = kv
        self.late.setdefault(seq, []).append(wid)


def _frozen() -> datetime:
    return FROZEN_NOW
