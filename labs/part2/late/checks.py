"""The checks of part2's exercise `late`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    MINUTE,
    CheckFailed,
    Event,
    FailureKind,
    Session,
    Window,
    count_of_items,
    events_check,
    fixed_windows,
    group_items,
    is_window_item,
    judge_flow,
    same,
    split_late,
    window_rows,
    window_verdict,
)

from ..shared import (
    LATE_FLOW,
    SENSOR_WAIT,
    WAIT_EDGES,
    EventTest,
    _seconds,
    _simulated_sensors,
    _stream,
    _temps,
    _tumbling,
    late_counts,
    window_counts,
)

# --- exercise 4: late ------------------------------------------------------------------------


def _late_test(part: str) -> EventTest:
    """Judge the window counts ("windows"), the late counts ("late") or both."""

    def test(session: Session, events: list[Event]) -> None:
        judge_flow(session, LATE_FLOW, events, lambda outputs: judge(events, *outputs))

    def judge(events: list[Event], windows_out: list[Any], late_out: list[Any]) -> None:
        good, _ = split_late(events, SENSOR_WAIT)
        if part in ("windows", "both"):
            ok = lambda item: is_window_item(item, lambda v: type(v) is int)  # noqa: E731
            got = group_items(windows_out, ok, "(sensor, (window_id, count)) of ints", "sink")
            windows = fixed_windows(good, MINUTE, MINUTE)

            def window_of(wk: tuple[str, int]) -> Window:
                key, wid = wk
                return windows.get(wk) or Window(key, wid, wid * MINUTE, (wid + 1) * MINUTE)

            rows = window_rows(window_counts(events), got, window_of, same, short_repr)
            window_verdict(rows, events, _tumbling(), SENSOR_WAIT, "count", count_of_items)
        if part in ("late", "both"):
            counts: dict[Any, list[Any]] = {}
            for item in late_out:
                if not (type(item) is tuple and len(item) == 2 and type(item[0]) is str):
                    raise CheckFailed(
                        f"your flow wrote {short_repr(item)} to late_sink; every item must be "
                        "(sensor, number_of_late_readings)",
                        kind=FailureKind.WRONG_SHAPE,
                    )
                counts.setdefault(item[0], []).append(item[1])
            rows = window_rows(
                late_counts(events),
                counts,
                lambda key: Window(key, "late", 0, 0, name="late readings"),
                same,
                short_repr,
            )
            window_verdict(rows, events, _tumbling(), SENSOR_WAIT, "late count")

    return test


_LATE_DISORDER = _stream("sensor", 2, _seconds(-20, 130, 10), _temps(), ordered=False)
_LATE_MANY = _stream("sensor", 8, _seconds(0, 120, 10), _temps(), ordered=False, max_size=40)
_SIM_LATE = _simulated_sensors(11, 120, 40)

CHECKS = {
    "windows": events_check(_late_test("windows"), _LATE_DISORDER, edges=WAIT_EDGES),
    "late_counts": events_check(_late_test("late"), _LATE_DISORDER, edges=WAIT_EDGES),
    "many_keys": events_check(_late_test("both"), _LATE_MANY, max_examples=40),
    "example": events_check(_late_test("both"), _SIM_LATE),
}
