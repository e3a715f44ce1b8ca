# Catalogue case at_system_clock: windows on the system clock instead of the items' ts
"""Exercise 4 — `attribution`: which ad impressions were clicked within the same minute?

An ad click counts for an impression only when it happened close to it in time:
here, in the same one-minute tumbling window of event time. Impressions and
clicks arrive out of order, and some arrive too late to count.

Write `build_flow(impressions, clicks, sink) -> Dataflow`:

- `impressions` and `clicks` both give `{"impression_id": str, "user": str,
  "ad": str, "ts": datetime}`; a click names the impression it clicked;
- key both by `impression_id`; an `EventClock` on `item["ts"]` waiting `WAIT`;
  one-minute tumbling windows aligned to `ALIGN` (`win.join_window` with both
  sides);
- for every window in which an impression arrived on time, write
  `(impression_id, (window_id, clicked))` to `sink`, where `clicked` is True
  when a click for it arrived on time in the same window, else False;
- a click in a window without its impression writes nothing; late items (their
  `ts` before the key's watermark, the latest `ts` of that impression id minus
  `WAIT`) count for nothing.

Try it:

    from datetime import timedelta
    from learnstream.connectors.simulated import AdClickSource, AdImpressionSource
    from learnstream.testing import TestingSink, run_main
    from ex4_attribution import build_flow
    shown = AdImpressionSource(limit=100, max_disorder=timedelta(seconds=5))
    clicks = AdClickSource(shown, click_rate=0.3, max_disorder=timedelta(seconds=5))
    rows = []
    run_main(build_flow(shown, clicks, TestingSink(rows)))
    sum(clicked for _, (_, clicked) in rows)   # 12 of the 100 impressions

Check your work: `learnstream grade part3 attribution`. Stuck? `learnstream hint part3 attribution`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow
from learnstream.inputs import Source
from learnstream.outputs import Sink

#: Window 0 starts here.
ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
#: How long each window lasts.
LENGTH = timedelta(minutes=1)
#: How long the clock waits for items that arrive out of order.
WAIT = timedelta(seconds=10)


def build_flow(
    impressions: Source[dict[str, Any]],
    clicks: Source[dict[str, Any]],
    sink: Sink[tuple[str, tuple[int, bool]]],
) -> Dataflow:
    """(impression_id, (window_id, clicked)) for every window with an on-time impression."""
    flow = Dataflow("attribution")
    shown = op.key_on(
        "shown_key", op.input("impressions", flow, impressions), lambda i: i["impression_id"]
    )
    clicked = op.key_on("click_key", op.input("clicks", flow, clicks), lambda c: c["impression_id"])
    clock = win.SystemClock()
    windower = win.TumblingWindower(length=LENGTH, align_to=ALIGN)
    # final: one row per window when it closes, None for a side that never came.
    joined = win.join_window("same_minute", clock, windower, shown, clicked, insert_mode="first")
    with_impression = op.filter("has_impression", joined.down, lambda kv: kv[1][1][0] is not None)
    op.output(
        "out",
        op.map_value("clicked", with_impression, lambda w: (w[0], w[1][1] is not None)),
        sink,
    )
    return flow
