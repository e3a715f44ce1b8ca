"""Exercise 3 — `sessions`: cut a clickstream into sessions and describe each one.

People use a site in bursts. A *session* is a run of one user's events with no
silence longer than a gap between them; session windows find them on event time,
whatever order the events arrive in.

Write `build_flow(source, sink) -> Dataflow`:

- `source` gives events `{"user": str, "action": "view" | "click", "page": str,
  "ts": datetime}` (timezone-aware `ts`);
- key by `event["user"]`; an `EventClock` on `event["ts"]` waiting `WAIT`;
  `SessionWindower(gap=GAP)`: events at most `GAP` apart (exactly `GAP` counts)
  share a session;
- when a session closes, write `(user, (start, end, events, clicks))` to `sink`:
  `start` and `end` are the `ts` of its first and last event (datetimes),
  `events` how many events it holds, `clicks` how many of them have
  `action == "click"`. Late events are left out.

Try it on the simulated clickstream:

    >>> from learnstream.connectors.simulated import ClickstreamSource
    >>> from learnstream.testing import TestingSink, run_main
    >>> from ex3_sessions import build_flow
    >>> out = []
    >>> run_main(build_flow(ClickstreamSource(users=2, limit=20), TestingSink(out)))
    >>> user, (start, end, events, clicks) = out[0]
    >>> print(user, start, end, events, clicks)
    user-1 2024-01-01 00:07:34.772642+00:00 2024-01-01 00:07:34.772642+00:00 1 0

Check your work: `learnstream grade part2 sessions`. Stuck? `learnstream hint part2 sessions`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import learnstream.operators as op  # stub: # noqa: F401 (you will need it)
import learnstream.operators.windowing as win  # stub: # noqa: F401 (this too)
from learnstream.dataflow import Dataflow
from learnstream.inputs import Source
from learnstream.outputs import Sink

#: The longest silence inside one session.
GAP = timedelta(minutes=5)
#: How long the clock waits for events that arrive out of order.
WAIT = timedelta(seconds=30)

Stats = tuple[datetime, datetime, int, int]


# BEGIN SOLUTION
def session_stats(events: list[dict[str, Any]]) -> Stats:
    """`(start, end, events, clicks)` of one session's events."""
    times = [event["ts"] for event in events]
    clicks = sum(1 for event in events if event["action"] == "click")
    return min(times), max(times), len(events), clicks


# END SOLUTION
def build_flow(source: Source[dict[str, Any]], sink: Sink[tuple[str, Stats]]) -> Dataflow:
    """One `(user, (start, end, events, clicks))` per session of each user."""
    # BEGIN SOLUTION
    flow = Dataflow("sessions")
    events = op.input("events", flow, source)
    keyed = op.key_on("by_user", events, lambda event: event["user"])
    clock = win.EventClock(lambda event: event["ts"], wait_for_system_duration=WAIT)
    sessions = win.collect_window("collect", keyed, clock, win.SessionWindower(gap=GAP))
    stats = op.map_value("stats", sessions.down, lambda w: session_stats(w[1]))
    op.output("out", stats, sink)
    return flow
    # STUB
    # # TODO: read the events from `source` and key them by user.
    # # TODO: window them: win.EventClock on event["ts"] waiting WAIT, and
    # #       win.SessionWindower(gap=GAP).
    # # TODO: turn each session into (start, end, events, clicks); write
    # #       (user, (start, end, events, clicks)) to `sink` and return the flow.
    # raise NotImplementedError("build_flow is not written yet")
    # END SOLUTION
