"""The checks of part2's exercise `sliding`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from ..shared import (
    BOUNDARY_EDGES,
    SLIDE_LENGTH,
    SLIDE_OFFSET,
    WAIT_EDGES,
    _means_check,
    _seconds,
    _simulated_sensors,
    _stream,
    _temps,
    sliding_means,
)

# --- exercise 2: sliding -------------------------------------------------------------

_SLIDE_ORDER = _stream("sensor", 2, _seconds(-120, 300, 60), _temps(), ordered=True)
_SLIDE_DISORDER = _stream("sensor", 2, _seconds(-30, 240, 10), _temps(), ordered=False)
_SLIDE_MANY = _stream("sensor", 8, _seconds(0, 200, 60), _temps(), ordered=False, max_size=40)
_SIM_SLIDE = _simulated_sensors(8, 60, 25)

CHECKS = {
    "boundaries": _means_check(
        _SLIDE_ORDER, sliding_means, SLIDE_LENGTH, SLIDE_OFFSET, edges=BOUNDARY_EDGES
    ),
    "disorder": _means_check(
        _SLIDE_DISORDER, sliding_means, SLIDE_LENGTH, SLIDE_OFFSET, edges=WAIT_EDGES
    ),
    "many_keys": _means_check(_SLIDE_MANY, sliding_means, SLIDE_LENGTH, SLIDE_OFFSET, 40),
    "example": _means_check(_SIM_SLIDE, sliding_means, SLIDE_LENGTH, SLIDE_OFFSET),
}
