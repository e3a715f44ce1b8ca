"""The SVG picture, for the docs site and notebooks: the text picture's layout, in pixels.

Time runs left to right on the shared `Axis`; per key, one band with a row of
items for each lane, the key's windows below them (one rectangle each, its
``<title>`` saying which window and how many items) and the watermark as a
dashed line. Colours come from classes, so the site's dark mode restyles them.
"""

from __future__ import annotations

import itertools
import math
from html import escape
from typing import TYPE_CHECKING

from learnstream.timeline import words
from learnstream.timeline.axis import Axis, axis_for, window_rows

if TYPE_CHECKING:  # the model imports this module to draw itself
    from learnstream.timeline.model import Lane, Timeline, Window

STYLE = """
.ls-tl text { font: 11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; fill: currentColor; }
.ls-tl .axis { stroke: currentColor; stroke-width: 1; opacity: .6; }
.ls-tl .grid { stroke: currentColor; stroke-width: 1; opacity: .12; }
.ls-tl .band { fill: currentColor; opacity: .04; }
.ls-tl .win { fill: #009485; fill-opacity: .14; stroke: #009485; stroke-width: 1.2; }
.ls-tl .win.hot { fill: #f59e0b; fill-opacity: .3; stroke: #d97706; stroke-width: 2.5; }
.ls-tl .win.ghost { fill: none; stroke-dasharray: 4 3; }
.ls-tl .item { fill: #009485; stroke: white; stroke-width: 1; }
.ls-tl .item.hot { fill: #d97706; }
.ls-tl .match { stroke: #0f766e; stroke-width: 1.5; stroke-opacity: .6; }
.ls-tl .match.hot { stroke: #d97706; stroke-width: 2.5; stroke-opacity: 1; }
.ls-tl .late { stroke: #dc2626; stroke-width: 2.4; stroke-linecap: round; }
.ls-tl .wm { stroke: #c026d3; stroke-width: 2; stroke-dasharray: 5 3; }
.ls-tl .wmtext { fill: #c026d3; }
.ls-tl .latetext { fill: #dc2626; }
.ls-tl .small { font-size: 9px; opacity: .7; }
"""

LEFT, RIGHT, TOP = 96, 16, 44
"""Margins: key labels on the left, tick labels above."""
LANE_H, WINDOW_H, GAP = 34, 20, 12
"""Heights of a row of items, of a row of windows, and the space between keys."""


class _Canvas:
    """Pixels for times, and the SVG elements drawn so far."""

    def __init__(self, axis: Axis, width: int) -> None:
        self.axis = axis
        self.width = width
        self.chart = width - LEFT - RIGHT
        self.body: list[str] = []

    def x(self, ts: object) -> float:
        return LEFT + self.axis.fraction(ts) * self.chart  # type: ignore[arg-type]

    def add(self, element: str) -> None:
        self.body.append(element)


def _draw_ticks(c: _Canvas) -> None:
    axis = c.axis
    label_every = max(1, math.ceil(70 / max(axis.tick_us / axis.span_us * c.chart, 1)))
    for i, t in enumerate(axis.ticks()):
        tx = c.x(t)
        c.add(f'<line class="axis" x1="{tx:.1f}" y1="{TOP - 8}" x2="{tx:.1f}" y2="{TOP}"/>')
        if i % label_every == 0:
            c.add(
                f'<text x="{tx:.1f}" y="{TOP - 12}" text-anchor="middle">'
                f"{words.clock_time(t, axis.precise)}</text>"
            )
    c.add(f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT + c.chart}" y2="{TOP}"/>')


def _draw_window(c: _Canvas, tl: Timeline, w: Window, y: float) -> None:
    x1 = c.x(w.open_time)
    x2 = max(c.x(w.close_time), x1 + 6)  # a one-item session is still visible
    classes = "win" + (" hot" if tl.is_highlighted(w) else "") + ("" if w.emitted else " ghost")
    c.add(
        f'<rect class="{classes}" x="{x1:.1f}" y="{y}" width="{x2 - x1:.1f}" '
        f'height="{WINDOW_H - 5}" rx="3"><title>{escape(words.window_title(w))}</title></rect>'
    )
    label = f"{w.window_id}·{len(w.seqs)}"
    if x2 - x1 > 7 * len(label) + 4:
        c.add(
            f'<text x="{(x1 + x2) / 2:.1f}" y="{y + WINDOW_H - 9}" '
            f'text-anchor="middle">{label}</text>'
        )


def _draw_items(c: _Canvas, lane: Lane, y: float, in_target: set[int]) -> None:
    """A lane's items on the row at `y`; items that would overlap are stacked upwards."""
    placed: list[float] = []
    cy = y + LANE_H / 2 + 3
    for e in lane.events:
        ex = c.x(e.ts)
        level = sum(1 for px in placed if abs(px - ex) < 9)
        placed.append(ex)
        ey = cy - level * 9
        tip = f"#{e.seq + 1} {e.key} at {words.clock_time(e.ts)}" + (" — late" if e.late else "")
        if e.late:
            c.add(
                f'<g class="late"><title>{escape(tip)}</title>'
                f'<line x1="{ex - 4:.1f}" y1="{ey - 4:.1f}" x2="{ex + 4:.1f}" y2="{ey + 4:.1f}"/>'
                f'<line x1="{ex - 4:.1f}" y1="{ey + 4:.1f}" x2="{ex + 4:.1f}" y2="{ey - 4:.1f}"/>'
                "</g>"
            )
        else:
            hot = " hot" if e.seq in in_target else ""
            c.add(
                f'<circle class="item{hot}" cx="{ex:.1f}" cy="{ey:.1f}" r="4.5">'
                f"<title>{escape(tip)}</title></circle>"
            )


def _draw_rows(c: _Canvas, tl: Timeline, key: str, y: float) -> None:
    """A join's rows of `key`: a line from each side's item to the next side's, under the dots."""
    lane_of = {side: i for i, side in enumerate(tl.sides)}
    by_seq = {e.seq: e for e in tl.events}
    for row in tl.rows_of(key):
        points = [
            (c.x(by_seq[seq].ts), y + lane_of[by_seq[seq].side] * LANE_H + LANE_H / 2 + 3)
            for seq in row.seqs
            if seq is not None
        ]
        hot = " hot" if tl.highlight == (row.key, row.window_id) else ""
        tip = escape(words.row_line(tl, row))
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            c.add(
                f'<line class="match{hot}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
                f'y2="{y2:.1f}"><title>{tip}</title></line>'
            )


def _draw_key(
    c: _Canvas, tl: Timeline, key: str, y: float, band: bool, in_target: set[int]
) -> float:
    """Draw one key's band from `y`; return its height."""
    session = words.is_session(tl.windower)
    lanes = tl.lanes(key)
    rows = window_rows(tl.windows_of(key), c.axis, session)
    items_h = LANE_H * len(lanes)
    height = items_h + WINDOW_H * max(len(rows), 1)
    if band:
        c.add(f'<rect class="band" x="0" y="{y}" width="{c.width}" height="{height + GAP / 2}"/>')
    for i, lane in enumerate(lanes):
        label = key[:13] if i == 0 else ""
        if lane.side:
            label = f"{label} {lane.side}".strip()
        c.add(f'<text x="8" y="{y + i * LANE_H + LANE_H / 2 + 4}">{escape(label)}</text>')
    c.add(f'<text x="8" y="{y + items_h + 14}" class="small">windows</text>')
    for row_no, windows in enumerate(rows):
        for w in windows:
            _draw_window(c, tl, w, y + items_h + row_no * WINDOW_H + 2)
    _draw_rows(c, tl, key, y)
    for i, lane in enumerate(lanes):
        _draw_items(c, lane, y + i * LANE_H, in_target)
    wm = tl.watermarks[key]
    axis = c.axis
    if axis.start <= wm <= axis.end + axis.step_us * words.US:
        wx = c.x(wm)
        c.add(
            f'<line class="wm" x1="{wx:.1f}" y1="{y + 2}" x2="{wx:.1f}" y2="{y + height - 2}">'
            f"<title>{escape(key)}'s watermark: {words.clock_time(wm)}</title></line>"
        )
        anchor, tx = ("end", wx - 3) if wx > c.width - 70 else ("start", wx + 3)
        c.add(
            f'<text class="wmtext small" x="{tx:.1f}" y="{y + 9}" '
            f'text-anchor="{anchor}">watermark</text>'
        )
    return height


def _draw_legend(c: _Canvas, y: float) -> None:
    lx = LEFT
    c.add(
        f'<circle class="item" cx="{lx}" cy="{y - 4}" r="4.5"/>'
        f'<text x="{lx + 9}" y="{y}">item</text>'
    )
    c.add(
        f'<g class="late"><line x1="{lx + 56}" y1="{y - 8}" x2="{lx + 64}" y2="{y}"/>'
        f'<line x1="{lx + 56}" y1="{y}" x2="{lx + 64}" y2="{y - 8}"/></g>'
        f'<text x="{lx + 69}" y="{y}">late (to .late)</text>'
    )
    c.add(
        f'<line class="wm" x1="{lx + 190}" y1="{y - 10}" x2="{lx + 190}" y2="{y + 2}"/>'
        f'<text x="{lx + 196}" y="{y}">watermark</text>'
    )
    c.add(
        f'<rect class="win" x="{lx + 280}" y="{y - 10}" width="26" height="12" rx="3"/>'
        f'<text x="{lx + 312}" y="{y}">window: id·items</text>'
    )


def render_svg(tl: Timeline, width: int) -> str:
    """The whole picture as a standalone SVG document `width` pixels wide."""
    c = _Canvas(axis_for(tl, 200), width)
    target = tl.highlighted()
    in_target = set(target.seqs) if target else set()
    _draw_ticks(c)
    y: float = TOP + 6
    for k, key in enumerate(tl.keys):
        y += _draw_key(c, tl, key, y, k % 2 == 0, in_target) + GAP
    legend_y = y + 8
    _draw_legend(c, legend_y)
    c.add(f'<text x="8" y="{legend_y + 22}">{escape(tl.describe())}</text>')
    c.add(f'<text x="8" y="{legend_y + 38}">{escape(words.summary(tl))}</text>')
    height = legend_y + 48
    title = escape(f"Event-time timeline: {tl.describe()} — {words.summary(tl)}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ls-tl" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'style="max-width: 100%; height: auto">'
        f"<title>{title}</title><style>{STYLE}</style>" + "".join(c.body) + "</svg>"
    )
