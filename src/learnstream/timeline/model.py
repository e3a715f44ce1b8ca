"""What a timeline holds: items, the windows the engine emitted, watermarks, drawn in lanes.

A `Timeline` is plain data, built by `learnstream.timeline.build.build_timeline`
from one run of the engine, and drawn by `text` and `svg`. Each key gets one
*lane* of items per input (`Event.side`): a flow with one input has one lane
per key; a join draws one lane per side, so its items line up above the
windows they joined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rich.text import Text

from learnstream.timeline import words
from learnstream.timeline.words import fixed_bounds


@dataclass(frozen=True)
class Event:
    """One input item as the engine saw it.

    `seq` is its arrival number (0-based; shown as ``#seq+1``), `watermark` its
    key's watermark, read from the engine, when it arrived (None for a key's
    first item), `window_ids` the windows it joined or, for a late item, the
    windows the `.late` stream said it was late for (-1 for a session). `side`
    names the input it came from when there are several (a join's sides).
    """

    seq: int
    key: str
    ts: datetime
    late: bool
    window_ids: tuple[int, ...]
    watermark: datetime | None
    side: str = ""


@dataclass(frozen=True)
class Window:
    """One window the engine emitted, with the arrival numbers of its items.

    The bounds are the `.meta` stream's: `close_time` is exclusive for tumbling
    and sliding windows; for a session it is the last item's time.
    `emitted_after` is how many items had arrived when the window was emitted;
    `at_eof` says it was emitted because the input ended rather than because
    the watermark passed it. A window in the picture only because it was asked
    to be highlighted has `emitted` False and no items.
    """

    key: str
    window_id: int
    open_time: datetime
    close_time: datetime
    seqs: tuple[int, ...]
    emitted_after: int
    at_eof: bool
    emitted: bool = True


@dataclass(frozen=True)
class JoinRow:
    """One row a windowed join emitted: the arrival number of each side's value, None if absent."""

    key: str
    window_id: int
    seqs: tuple[int | None, ...]


@dataclass(frozen=True)
class Lane:
    """One row of items: a key's items from one input."""

    key: str
    side: str
    events: tuple[Event, ...]


@dataclass(frozen=True, repr=False)
class Timeline:
    """Events, windows and watermarks of one run, ready to draw.

    `watermarks` holds each key's watermark once every item had arrived (before
    the end of the input flushes the rest), as the engine held it. `sides`
    lists the inputs, in lane order (``("",)`` for a flow with one input);
    a join's timeline also holds the `rows` it emitted.
    """

    events: tuple[Event, ...]
    windows: tuple[Window, ...]
    watermarks: dict[str, datetime]
    windower: Any
    wait: timedelta
    highlight: tuple[str, int] | None = None
    keys: tuple[str, ...] = field(default=())
    sides: tuple[str, ...] = ("",)
    rows: tuple[JoinRow, ...] = ()
    """For a join (`build_join_timeline`): the rows it emitted, in order."""

    @property
    def late_events(self) -> list[Event]:
        """The items that went to `.late`, in arrival order."""
        return [e for e in self.events if e.late]

    def lanes(self, key: str) -> list[Lane]:
        """`key`'s rows of items, one per input, in the order of `sides`."""
        return [
            Lane(key, side, tuple(e for e in self.events if e.key == key and e.side == side))
            for side in self.sides
        ]

    def rows_of(self, key: str) -> list[JoinRow]:
        """The join rows `key` emitted, in order."""
        return [row for row in self.rows if row.key == key]

    def windows_of(self, key: str) -> list[Window]:
        """`key`'s windows (and the highlighted window, if it is one of `key`'s), by open time."""
        return sorted(
            (w for w in self.drawn_windows() if w.key == key),
            key=lambda w: (w.open_time, w.window_id),
        )

    def highlighted(self) -> Window | None:
        """The highlighted window (possibly one the engine never emitted), or None."""
        if self.highlight is None:
            return None
        key, wid = self.highlight
        for w in self.windows:
            if (w.key, w.window_id) == (key, wid):
                return w
        bounds = fixed_bounds(self.windower, wid)
        if bounds is None or key not in self.keys:
            return None
        return Window(key, wid, bounds[0], bounds[1], (), 0, False, emitted=False)

    def is_highlighted(self, w: Window) -> bool:
        return self.highlight == (w.key, w.window_id)

    def drawn_windows(self) -> list[Window]:
        """The emitted windows, and the highlighted one if the engine did not emit it."""
        extra = self.highlighted()
        if extra is not None and not extra.emitted:
            return [*self.windows, extra]
        return list(self.windows)

    def describe(self) -> str:
        """One line saying how the events are windowed."""
        return f"{words.describe_windower(self.windower)} · wait {words.format_duration(self.wait)}"

    def to_text(self, width: int = 72) -> str:
        """The picture as plain text, about `width` columns of time axis wide."""
        return self.render(width).plain

    def render(self, width: int = 72) -> Text:
        """The picture as `rich.text.Text` (colours for the terminal)."""
        from learnstream.timeline.text import render_text

        return render_text(self, width)

    def to_svg(self, width: int = 760) -> str:
        """The picture as a standalone SVG document `width` pixels wide."""
        from learnstream.timeline.svg import render_svg

        return render_svg(self, width)

    def __repr__(self) -> str:  # short: notebooks show it under the figure
        return f"<Timeline: {self.describe()}; {len(self.events)} items; {words.summary(self)}>"

    def __rich__(self) -> Text:
        return self.render()

    def _repr_svg_(self) -> str:  # Jupyter shows a timeline as its SVG
        return self.to_svg()
