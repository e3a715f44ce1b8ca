"""Small line charts as SVG: the course's figures of learning curves, scores and drifts.

The course draws its figures from real runs at site build time, in every
environment the tests run in, so it draws them itself rather than depending on
a plotting library: a `Chart` holds lines (a curve per series), dots (points
worth marking, such as true anomalies) and marks (vertical lines at positions,
such as detected drifts), and `to_svg` draws them with axes, ticks and a legend.
Jupyter shows a chart as its SVG.

>>> chart = Chart("accuracy so far", x_label="examples seen", y_label="accuracy")
>>> chart.line([1, 2, 3, 4], [0.0, 0.5, 0.67, 0.75], label="flow")
>>> chart.marks([3], label="drift")
>>> svg = chart.to_svg()
>>> svg.startswith("<svg") and "accuracy so far" in svg and svg.count("<polyline") == 1
True
>>> chart.y_range
(0.0, 0.75)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

__all__ = ["Chart"]

# Colour-blind-safe (Okabe–Ito), readable on light and dark themes.
_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


@dataclass
class _Series:
    kind: str  # "line", "dots" or "marks"
    xs: list[float]
    ys: list[float]
    label: str
    colour: str


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick positions covering [low, high]."""
    if high <= low:
        return [low]
    raw = (high - low) / count
    step = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * step:
            step *= factor
            break
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def _label(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:.3g}"


@dataclass
class Chart:
    """A line chart: `line`, `dots` and `marks` add series; `to_svg` draws them."""

    title: str
    x_label: str = ""
    y_label: str = ""
    series: list[_Series] = field(default_factory=list)

    def _add(self, kind: str, xs: Sequence[float], ys: Sequence[float], label: str) -> None:
        if len(xs) != len(ys):
            raise ValueError(f"{label!r}: {len(xs)} x values but {len(ys)} y values")
        colour = _COLOURS[len(self.series) % len(_COLOURS)]
        self.series.append(
            _Series(kind, [float(x) for x in xs], [float(y) for y in ys], label, colour)
        )

    def line(self, xs: Sequence[float], ys: Sequence[float], label: str) -> None:
        """A curve through the points (xs[i], ys[i])."""
        self._add("line", xs, ys, label)

    def dots(self, xs: Sequence[float], ys: Sequence[float], label: str) -> None:
        """Points to single out, drawn as dots."""
        self._add("dots", xs, ys, label)

    def marks(self, xs: Sequence[float], label: str) -> None:
        """Vertical lines across the chart at each x (events such as detected drifts)."""
        self._add("marks", xs, [math.nan] * len(xs), label)

    @property
    def x_range(self) -> tuple[float, float]:
        """The smallest and largest x of every series."""
        xs = [x for s in self.series for x in s.xs]
        return (min(xs), max(xs)) if xs else (0.0, 1.0)

    @property
    def y_range(self) -> tuple[float, float]:
        """The y axis: from the smallest y (or 0 when all are positive) to the largest."""
        ys = [y for s in self.series for y in s.ys if not math.isnan(y)]
        if not ys:
            return (0.0, 1.0)
        return (min(0.0, min(ys)), max(ys))

    def to_svg(self, width: int = 720, height: int = 300) -> str:
        """The chart as an SVG document."""
        left, right, top, bottom = 64, 16, 34, 58
        plot_w, plot_h = width - left - right, height - top - bottom
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)

        def px(x: float) -> float:
            return left + (x - x0) / (x1 - x0) * plot_w

        def py(y: float) -> float:
            return top + plot_h - (y - y0) / (y1 - y0) * plot_h

        body = [
            f'<text x="{left}" y="20" class="title">{escape(self.title)}</text>',
            f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}"/>',
            f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/>',
        ]
        for tick in _ticks(x0, x1):
            body.append(
                f'<text x="{px(tick):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{_label(tick)}</text>'
            )
        for tick in _ticks(y0, y1, 4):
            body.append(
                f'<line class="grid" x1="{left}" y1="{py(tick):.1f}" x2="{left + plot_w}" y2="{py(tick):.1f}"/>'
            )
            body.append(
                f'<text x="{left - 6}" y="{py(tick) + 4:.1f}" text-anchor="end">{_label(tick)}</text>'
            )
        body.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h + 34}" text-anchor="middle">{escape(self.x_label)}</text>'
        )
        body.append(
            f'<text transform="translate(14 {top + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle">{escape(self.y_label)}</text>'
        )
        legend_x = left
        for s in self.series:
            if s.kind == "line":
                points = " ".join(
                    f"{px(x):.1f},{py(y):.1f}" for x, y in zip(s.xs, s.ys, strict=True)
                )
                body.append(
                    f'<polyline fill="none" stroke="{s.colour}" stroke-width="1.6" points="{points}"/>'
                )
            elif s.kind == "dots":
                body += [
                    f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{s.colour}"/>'
                    for x, y in zip(s.xs, s.ys, strict=True)
                ]
            else:
                body += [
                    f'<line x1="{px(x):.1f}" y1="{top}" x2="{px(x):.1f}" y2="{top + plot_h}" '
                    f'stroke="{s.colour}" stroke-width="1.4" stroke-dasharray="5 3"/>'
                    for x in s.xs
                ]
            legend_y = height - 10
            body.append(
                f'<rect x="{legend_x}" y="{legend_y - 9}" width="14" height="10" fill="{s.colour}"/>'
            )
            body.append(f'<text x="{legend_x + 19}" y="{legend_y}">{escape(s.label)}</text>')
            legend_x += 40 + 7 * len(s.label)
        style = (
            "<style>.ls-chart text{font:11px system-ui,sans-serif;fill:currentColor}"
            ".ls-chart .title{font-size:13px;font-weight:600}"
            ".ls-chart .axis{stroke:currentColor;opacity:.6}"
            ".ls-chart .grid{stroke:currentColor;opacity:.12}</style>"
        )
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="ls-chart" role="img" '
            f'aria-label="{escape(self.title)}" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}">{style}{"".join(body)}</svg>'
        )

    def _repr_svg_(self) -> str:  # Jupyter shows a chart as its SVG
        return self.to_svg()
