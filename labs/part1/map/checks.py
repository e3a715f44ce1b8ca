"""The checks of part1's exercise `map`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from ..shared import _NUMBER, _stream_example, _stream_lazy, _stream_matches

CHECKS = {
    "example": _stream_example("double", [1, 2, 3], [2, 4, 6]),
    "matches": _stream_matches("double", _NUMBER, lambda xs: [x * 2 for x in xs]),
    "lazy": _stream_lazy(
        "double", {"count": 0}, "itertools.count()", [0, 2, 4, 6, 8], [1, 2, 3, 4, 5]
    ),
}
