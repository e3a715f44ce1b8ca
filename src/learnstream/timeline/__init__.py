"""Event-time timelines: items on a time axis per key, with windows, watermarks and late items.

A timeline answers "why did this window get these items, and why was that item
late?" with a picture. It is built from plain data — events ``(key, timestamp)``
in the order they arrive, a windower and the event clock's wait — and the
windows and late items in it come from running the real windowing operators
(`learnstream.operators.windowing.collect_window` with an `EventClock`) on
those events, so the picture always shows what the engine does.

One model, two pictures: `Timeline.to_text` (also `rich.print(timeline)`, in
colour) for the terminal and `Timeline.to_svg` for the site and notebooks.

The watermark shown for a key is the one the engine's window step holds once
all the events have arrived (its `EventClock`: the largest timestamp of the key
minus the wait; system time is held still, so the picture does not depend on
how fast the machine is).

A windowed join draws the same way (`build_join_timeline`, in `joins`): a
lane per side per key, the windows, the rows the join emitted and the late
sides.

The package, one module per idea: `model` (what a timeline holds), `build`
(running the engine to fill it), `joins` (the same for `join_window`), `axis` and `words` (what both pictures share),
`text` and `svg` (the two pictures), `options` (what the CLI reads).

>>> from datetime import datetime, timedelta, timezone
>>> from learnstream.operators.windowing import TumblingWindower
>>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
>>> events = [("a", t0 + timedelta(seconds=s)) for s in (1, 4, 12, 3, 16, 25)]
>>> tl = build_timeline(events, TumblingWindower(timedelta(seconds=10), t0),
...                     wait=timedelta(seconds=5))
>>> [(w.window_id, w.seqs) for w in tl.windows]
[(0, (0, 1)), (1, (2, 4)), (2, (5,))]
>>> [(e.seq, e.late, e.window_ids) for e in tl.late_events]
[(3, True, (0,))]
>>> print(tl.to_text(width=40))
tumbling windows of 10s aligned to 00:00:00 · wait 5s · 1 column = 1s
key  00:00:00  00:00:10  00:00:20  00:00:30
     ┬─────────┬─────────┬─────────┬─
a     ● ✗●       ●   ●   ┃    ●        watermark 00:00:20
     [0·2─────)[1·2─────)[2·1─────)
● item (2-9: that many in one column)  ✗ late  ┃ watermark  [ ) window: id·items
late items (sent to .late, never silently dropped):
  #4 a 00:00:03 arrived when the watermark was 00:00:07 → late for window 0
3 windows emitted (2 closed by the watermark, 1 at the end of the input) · 1 item late
"""

from learnstream.timeline.build import build_timeline
from learnstream.timeline.joins import build_join_timeline
from learnstream.timeline.model import Event, JoinRow, Lane, Timeline, Window
from learnstream.timeline.options import (
    DEFAULT_START,
    parse_duration,
    parse_time,
    read_events,
    simulated_events,
    timeline_from_options,
)
from learnstream.timeline.words import format_duration

__all__ = [
    "DEFAULT_START",
    "Event",
    "JoinRow",
    "Lane",
    "Timeline",
    "Window",
    "build_join_timeline",
    "build_timeline",
    "format_duration",
    "parse_duration",
    "parse_time",
    "read_events",
    "simulated_events",
    "timeline_from_options",
]
