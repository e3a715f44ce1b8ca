"""The checks of part2's exercise `tumbling`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from learnstream.grading.kit import (
    MINUTE,
)

from ..shared import (
    BOUNDARY_EDGES,
    WAIT_EDGES,
    _means_check,
    _seconds,
    _simulated_sensors,
    _stream,
    _temps,
    tumbling_means,
)

# --- exercise 1: tumbling ------------------------------------------------------------

_IN_ORDER = _stream("sensor", 2, _seconds(-90, 240, 60), _temps(), ordered=True)
_DISORDER = _stream("sensor", 2, _seconds(-30, 150, 10), _temps(), ordered=False)
_MANY = _stream("sensor", 9, _seconds(0, 150, 30), _temps(), ordered=False, max_size=40)
_SIM_SENSORS = _simulated_sensors(7, 90, 25)

CHECKS = {
    "boundaries": _means_check(_IN_ORDER, tumbling_means, MINUTE, MINUTE, edges=BOUNDARY_EDGES),
    "disorder": _means_check(_DISORDER, tumbling_means, MINUTE, MINUTE, edges=WAIT_EDGES),
    "many_keys": _means_check(_MANY, tumbling_means, MINUTE, MINUTE, 40),
    "example": _means_check(_SIM_SENSORS, tumbling_means, MINUTE, MINUTE),
}
