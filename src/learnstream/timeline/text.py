"""The terminal picture: one character column per step of time, as `rich.text.Text`.

Per key: a row of items for each of its lanes (``●`` an item, ``2``-``9`` that
many in one column, ``✗`` a late item), then rows of windows (``[id·items)``),
with the key's watermark drawn as ``┃`` through them and written at the right.
A join's timeline ends with the rows the join emitted, each naming its sides'
items (the rows of the highlighted window marked ``→``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from learnstream.timeline import words
from learnstream.timeline.axis import Axis, axis_for, last_col, window_rows

if TYPE_CHECKING:  # the model imports this module to draw itself
    from learnstream.timeline.model import Event, Lane, Timeline, Window

STYLE_EVENT = "cyan"
STYLE_LATE = "bold red"
STYLE_WM = "magenta"
STYLE_WINDOW = "green"
STYLE_HIGHLIGHT = "bold black on yellow"

MAX_LABEL = 18


class _Row:
    """One line of the picture: characters with a style each."""

    def __init__(self, columns: int) -> None:
        self.chars = [" "] * columns
        self.styles: list[str | None] = [None] * columns

    def put(self, col: int, char: str, style: str | None = None) -> None:
        if 0 <= col < len(self.chars):
            self.chars[col] = char
            self.styles[col] = style

    def free(self, col: int) -> bool:
        return 0 <= col < len(self.chars) and self.chars[col] == " "

    def text(self, label: str, label_width: int) -> Text:
        out = Text(label.ljust(label_width))
        for char, style in zip(self.chars, self.styles, strict=True):
            out.append(char, style=style or "")
        out.rstrip()
        return out


def _lane_label(lane: Lane, first: bool) -> str:
    """The key on its first lane; with several inputs, each lane also names its side."""
    if not lane.side:
        return lane.key
    return f"{lane.key if first else ' ' * len(lane.key)} {lane.side}"


def _header(tl: Timeline, axis: Axis, columns: int, label_width: int) -> Text:
    out = Text(f"{tl.describe()} · 1 column = {words.format_duration(axis.step_us * words.US)}\n")
    labels, ticks = _Row(columns + 12), _Row(columns)
    for col in range(columns):
        ticks.put(col, "─")
    next_free = 0
    for t in axis.ticks():
        col = axis.col(t)
        ticks.put(col, "┬")
        stamp = words.clock_time(t, axis.precise)
        if col >= next_free:
            for i, ch in enumerate(stamp):
                labels.put(col + i, ch)
            next_free = col + len(stamp) + 2
    out.append(labels.text("key", label_width))
    out.append("\n")
    out.append(ticks.text("", label_width))
    out.append("\n")
    return out


def _item_row(lane: Lane, axis: Axis, columns: int, in_target: set[int]) -> _Row:
    row = _Row(columns)
    cells: dict[int, list[Event]] = {}
    for e in lane.events:
        cells.setdefault(axis.col(e.ts), []).append(e)
    for col, here in cells.items():
        if any(e.late for e in here):
            row.put(col, "✗", STYLE_LATE)
        else:
            glyph = "●" if len(here) == 1 else str(len(here)) if len(here) < 10 else "+"
            hot = any(e.seq in in_target for e in here)
            row.put(col, glyph, STYLE_HIGHLIGHT if hot else STYLE_EVENT)
    return row


def _draw_window(row: _Row, w: Window, axis: Axis, session: bool, hot: bool) -> None:
    first, last = axis.col(w.open_time), last_col(w, axis, session)
    style = STYLE_HIGHLIGHT if hot else STYLE_WINDOW
    fill = "═" if hot else "─"
    for col in range(first + 1, last):
        row.put(col, fill, style)
    row.put(first, "[", style)
    row.put(last, "]" if session else ")", style)
    inner = last - first - 1
    for label in (f"{w.window_id}·{len(w.seqs)}", str(w.window_id)):
        if len(label) <= inner:
            for i, ch in enumerate(label):
                row.put(first + 1 + i, ch, style)
            return
    # Too narrow to hold its label (a one-item session): label it just after, if there is room.
    for label in (f"{w.window_id}·{len(w.seqs)}", str(w.window_id)):
        if all(row.free(last + 1 + i) for i in range(len(label) + 1)):
            for i, ch in enumerate(label):
                row.put(last + 1 + i, ch, style)
            return


def render_text(tl: Timeline, width: int) -> Text:
    """The whole picture, about `width` columns of time axis wide."""
    session = words.is_session(tl.windower)
    axis = axis_for(tl, width)
    columns = axis.columns + 1
    labels = [_lane_label(lane, i == 0) for k in tl.keys for i, lane in enumerate(tl.lanes(k))]
    label_width = min(max([len(label) for label in labels] + [3]) + 2, MAX_LABEL)
    target = tl.highlighted()
    in_target = set(target.seqs) if target else set()

    out = _header(tl, axis, columns, label_width)
    for key in tl.keys:
        lanes = tl.lanes(key)
        item_rows = [_item_row(lane, axis, columns, in_target) for lane in lanes]
        window_lines = []
        for windows in window_rows(tl.windows_of(key), axis, session):
            line = _Row(columns)
            for w in windows:
                _draw_window(line, w, axis, session, tl.is_highlighted(w))
            window_lines.append(line)
        wm = tl.watermarks[key]
        wm_col = axis.col(wm)
        # The watermark shows through window fills, never through items or window bounds.
        for r in [*item_rows, *window_lines]:
            if 0 <= wm_col < columns and (r.free(wm_col) or r.chars[wm_col] in "─═"):
                r.put(wm_col, "┃", STYLE_WM)
        for i, (lane, row) in enumerate(zip(lanes, item_rows, strict=True)):
            line = row.text(_lane_label(lane, i == 0)[: label_width - 1], label_width)
            if i == 0:
                pad = label_width + columns - len(line.plain) + 2
                where = "" if 0 <= wm_col < columns else (" ◀" if wm_col < 0 else " ▶")
                line.append(" " * pad + f"watermark {words.clock_time(wm)}{where}", style=STYLE_WM)
            out.append(line)
            out.append("\n")
        for window_line in window_lines:
            out.append(window_line.text("", label_width))
            out.append("\n")

    closer = "[ ]" if session else "[ )"
    out.append(
        f"● item (2-9: that many in one column)  ✗ late  ┃ watermark  {closer} window: id·items\n"
    )
    if target is not None:
        out.append(words.highlight_line(tl, target) + "\n", style=STYLE_HIGHLIGHT)
    if tl.late_events:
        out.append("late items (sent to .late, never silently dropped):\n")
        for e in tl.late_events:
            out.append("  " + words.late_line(e) + "\n", style=STYLE_LATE)
    if tl.rows:
        out.append("rows the join emitted (⋈ joins the sides' items; — a side with none):\n")
        for row in tl.rows:
            hot = tl.highlight == (row.key, row.window_id)
            out.append(
                ("→ " if hot else "  ") + words.row_line(tl, row) + "\n",
                style=STYLE_HIGHLIGHT if hot else "",
            )
    out.append(words.summary(tl))
    return out
