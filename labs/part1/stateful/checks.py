"""The checks of part1's exercise `stateful`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from learnstream.grading.kit import strategies as st

from ..shared import (
    _mean_constant_state,
    _mean_equal,
    _mean_example,
    _stream_lazy,
    _stream_matches,
    reference_running_mean,
)

CHECKS = {
    "example": _mean_example,
    "matches": _stream_matches(
        "running_mean",
        st.one_of(st.integers(-(10**9), 10**9), st.floats(-1e6, 1e6, allow_nan=False)),
        reference_running_mean,
        _mean_equal,
    ),
    "lazy": _stream_lazy(
        "running_mean",
        {"count": 1},
        "itertools.count(1)",
        [1.0, 1.5, 2.0, 2.5, 3.0],
        [1, 2, 3, 4, 5],
        _mean_equal([5]),
    ),
    "constant_state": _mean_constant_state,
}
