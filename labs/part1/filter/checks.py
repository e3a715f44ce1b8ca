"""The checks of part1's exercise `filter`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from learnstream.grading.kit import strategies as st

from ..shared import _below_fifty, _stream_example, _stream_lazy, _stream_matches

CHECKS = {
    "example": _stream_example("less_than_fifty", [7, 50, 49.5, 80, -3, 51, 49], [7, 49.5, -3, 49]),
    "matches": _stream_matches(
        "less_than_fifty",
        st.one_of(
            st.sampled_from([49, 50, 51]),
            st.integers(-100, 200),
            st.floats(-100, 200, allow_nan=False),
        ),
        _below_fifty,
    ),
    "lazy": _stream_lazy(
        "less_than_fifty",
        {"cycle": [10, 60, 49, 50]},
        "itertools.cycle([10, 60, 49, 50])",
        [10, 49, 10, 49, 10],
        [1, 3, 5, 7, 9],
    ),
}
