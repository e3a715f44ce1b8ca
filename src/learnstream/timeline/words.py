"""The sentences both pictures share: durations, clock times, the windower, the summary lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from learnstream.operators import windowing as win
from learnstream.wording import plural

if TYPE_CHECKING:
    from learnstream.timeline.model import Event, JoinRow, Timeline, Window

US = timedelta(microseconds=1)


def format_duration(td: timedelta) -> str:
    """A short, exact duration: ``90s`` → ``1m30s``, ``0.25s`` → ``250ms``.

    >>> [format_duration(timedelta(seconds=s)) for s in (0, 0.25, 10, 90, 3600, 5400.5)]
    ['0s', '250ms', '10s', '1m30s', '1h', '1h30m500ms']
    """
    us = td // US
    if us == 0:
        return "0s"
    sign, us = ("-", -us) if us < 0 else ("", us)
    parts = []
    for unit, size in (("h", 3_600_000_000), ("m", 60_000_000), ("s", 1_000_000), ("ms", 1000)):
        count, us = divmod(us, size)
        if count:
            parts.append(f"{count}{unit}")
    if us:
        parts.append(f"{us}µs")
    return sign + "".join(parts)


def clock_time(ts: datetime, precise: bool = True) -> str:
    """``HH:MM:SS`` in UTC, with milliseconds when `precise` and there are any."""
    ts = ts.astimezone(UTC)
    text = ts.strftime("%H:%M:%S")
    if precise and ts.microsecond:
        text += f".{ts.microsecond // 1000:03d}"
    return text


def is_session(windower: Any) -> bool:
    return isinstance(windower, win.SessionWindower)


def describe_windower(windower: Any) -> str:
    if isinstance(windower, win.TumblingWindower):
        return (
            f"tumbling windows of {format_duration(windower.length)} "
            f"aligned to {clock_time(windower.align_to)}"
        )
    if isinstance(windower, win.SlidingWindower):
        return (
            f"sliding windows of {format_duration(windower.length)} every "
            f"{format_duration(windower.offset)} aligned to {clock_time(windower.align_to)}"
        )
    if isinstance(windower, win.SessionWindower):
        return f"session windows with a gap of {format_duration(windower.gap)}"
    raise TypeError(f"not a windower: {windower!r}")


def summary(tl: Timeline) -> str:
    emitted = len(tl.windows)
    at_eof = sum(w.at_eof for w in tl.windows)
    return (
        f"{plural(emitted, 'window')} emitted ({emitted - at_eof} closed by the watermark, "
        f"{at_eof} at the end of the input) · {plural(len(tl.late_events), 'item')} late"
    )


def late_line(e: Event) -> str:
    wm = "" if e.watermark is None else clock_time(e.watermark)
    if list(e.window_ids) == [win.LATE_SESSION_ID]:
        target = f"late for its session (session id {win.LATE_SESSION_ID})"
    else:
        ids = e.window_ids
        target = "late for window" + ("s " if len(ids) > 1 else " ") + ", ".join(map(str, ids))
    side = f" ({e.side})" if e.side else ""
    return (
        f"#{e.seq + 1} {e.key} {clock_time(e.ts)}{side} arrived when the watermark was {wm} "
        f"→ {target}"
    )


def row_line(tl: Timeline, row: JoinRow) -> str:
    """A join row as its sides' items: `ana window 0: #1 shown ⋈ #2 clicked`."""
    parts = [
        "—" if seq is None else f"#{seq + 1} {side}"
        for seq, side in zip(row.seqs, tl.sides, strict=True)
    ]
    return f"{row.key} window {row.window_id}: " + " ⋈ ".join(parts)


def highlight_line(tl: Timeline, w: Window) -> str:
    close = "]" if is_session(tl.windower) else ")"
    items = ", ".join(f"#{s + 1}" for s in w.seqs)
    what = f"{plural(len(w.seqs), 'item')} ({items})" if w.seqs else "no items: not emitted"
    return (
        f"highlighted: {w.key} window {w.window_id} "
        f"[{clock_time(w.open_time)}, {clock_time(w.close_time)}{close}: {what}"
    )


def window_title(w: Window) -> str:
    """What hovering over a window box says."""
    return (
        f"{w.key} window {w.window_id}: {clock_time(w.open_time)} to "
        f"{clock_time(w.close_time)}, {plural(len(w.seqs), 'item')}"
        + (", emitted at the end of the input" if w.at_eof else "")
    )


def fixed_bounds(windower: Any, wid: int) -> tuple[datetime, datetime] | None:
    """Where tumbling or sliding window `wid` opens and closes; None for sessions."""
    if isinstance(windower, win.TumblingWindower):
        opens = windower.align_to + wid * windower.length
        return opens, opens + windower.length
    if isinstance(windower, win.SlidingWindower):
        opens = windower.align_to + wid * windower.offset
        return opens, opens + windower.length
    return None
