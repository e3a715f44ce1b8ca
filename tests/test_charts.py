"""Charts: the SVG the course's figures are drawn with is well formed and shows every series."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnstream.charts import Chart, _ticks

SVG = "{http://www.w3.org/2000/svg}"

_values = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(_values, _values), min_size=1, max_size=40),
    st.lists(_values, max_size=5),
)
def test_every_series_is_drawn_inside_the_plot(points: list, marks: list) -> None:
    chart = Chart("t <&> title", x_label="x", y_label="y")
    chart.line([x for x, _ in points], [y for _, y in points], label="curve")
    chart.dots([x for x, _ in points], [y for _, y in points], label="dots")
    chart.marks(marks, label="marks")
    root = ET.fromstring(chart.to_svg(width=700, height=300))  # well-formed, title escaped
    assert root.find(f"{SVG}text").text == "t <&> title"
    (line,) = root.findall(f"{SVG}polyline")
    drawn = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
    assert len(drawn) == len(points)
    assert all(
        64 - 1e-6 <= x <= 700 - 16 + 1e-6 and 34 - 1e-6 <= y <= 300 - 58 + 1e-6 for x, y in drawn
    )
    assert len(root.findall(f"{SVG}circle")) == len(points)
    dashed = [el for el in root.findall(f"{SVG}line") if el.get("stroke-dasharray")]
    assert len(dashed) == len(marks)


@settings(max_examples=100, deadline=None)
@given(st.floats(-1e6, 1e6), st.floats(1e-3, 1e6))
def test_ticks_are_few_round_and_inside_the_range(low: float, span: float) -> None:
    ticks = _ticks(low, low + span)
    assert 1 <= len(ticks) <= 11
    assert all(low - 1e-9 * span <= t <= low + span * (1 + 1e-9) for t in ticks)


def test_a_line_needs_as_many_ys_as_xs() -> None:
    with pytest.raises(ValueError, match="'curve': 2 x values but 1 y values"):
        Chart("t").line([1, 2], [1], label="curve")


def test_a_chart_shows_in_jupyter_as_its_svg() -> None:
    chart = Chart("t")
    chart.line([0, 1], [0, 1], label="a")
    assert chart._repr_svg_() == chart.to_svg()
