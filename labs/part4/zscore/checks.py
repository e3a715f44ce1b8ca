"""The checks of part4's exercise `zscore`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    CheckFailed,
    Event,
    Session,
    example_check,
    fixed,
    on_example,
    property_check,
    run_flow,
    show_events,
    without_one,
)
from learnstream.grading.kit import strategies as st

from ..shared import (
    SENSORS,
    THRESHOLD,
    Z_TOLERANCE,
    _by_key,
    _close,
    _group,
    _num,
    _per_key_verdict,
    zscores,
)

# --- exercise 2: zscore ------------------------------------------------------------------


def _show_z(answer: Any) -> str:
    if type(answer) is tuple and len(answer) == 3:
        value, z, flag = answer
        return f"({_num(value)}, {'None' if z is None else _num(z)}, {flag!r})"
    return short_repr(answer)


def _z_same(want: tuple[float, float | None, bool], have: Any) -> bool:
    if not (type(have) is tuple and len(have) == 3 and type(have[2]) is bool):
        return False
    value, z, flag = want
    if have[0] != value:
        return False
    if z is None:
        return have[1] is None and have[2] is False
    if not _close(z, have[1], Z_TOLERANCE):
        return False
    # a z within rounding of the threshold may go either way
    return have[2] == flag or abs(abs(z) - THRESHOLD) <= 1e-9 * THRESHOLD


def _z_flow_test(session: Session, events: list[Event]) -> None:
    (items,) = run_flow(session, SENSORS, events)
    got = _group(items, lambda v: True, "(sensor, (temp, z, is_anomaly))")
    by_key = _by_key(events)
    expected = {key: zscores(values) for key, values in by_key.items()}
    try:
        _per_key_verdict(expected, got, _z_same, "(temp, z, is_anomaly)", _show_z)
    except CheckFailed as failure:
        failure.message += _why_z(by_key, got)
        raise


def _z_of(baseline: Sequence[float], value: float, ddof: int) -> float | None:
    n = len(baseline)
    if n - ddof <= 0:
        return None
    mean = math.fsum(baseline) / n
    var = math.fsum((v - mean) ** 2 for v in baseline) / (n - ddof)
    return (value - mean) / math.sqrt(var) if var > 0 else None


def _why_z(by_key: dict[str, list[float]], got: dict[str, list[Any]]) -> str:
    """A sentence naming the mistake, when the first wrong z is a known one."""
    for key in sorted(by_key):
        values, have = by_key[key], got.get(key, [])
        for index, (want, mine) in enumerate(zip(zscores(values), have, strict=False)):
            if _z_same(want, mine):
                continue
            z = mine[1] if type(mine) is tuple and len(mine) == 3 else None
            if type(z) is not float:
                return ""
            if _close(_z_of(values[: index + 1], values[index], 1) or math.nan, z, Z_TOLERANCE):
                return (
                    " — that is the z-score with this reading in its own baseline: judge each "
                    "reading against the earlier ones, then add it"
                )
            if _close(_z_of(values[:index], values[index], 0) or math.nan, z, Z_TOLERANCE):
                return (
                    " — that is the population standard deviation (divided by n); use the "
                    "sample one (divided by n - 1)"
                )
            return ""
    return ""


def _spiky() -> st.SearchStrategy[list[Event]]:
    """Sensors around their own level with occasional spikes; some at a huge offset."""
    levels = {0: 20.0, 1: -5.0, 2: 1e9}
    noise = st.one_of(st.integers(-8, 8), st.sampled_from([-200, 200, 60, -60]))

    def build(rows: list[tuple[int, int]]) -> list[Event]:
        return fixed("sensor", [(k, n, levels[k] + q / 4) for n, (k, q) in enumerate(rows)])

    return st.lists(st.tuples(st.integers(0, 2), noise), min_size=6, max_size=30).map(build)


#: Three sensors interleaved, one near 1e9, each with a spike after some history: the
#: classic mistakes fail on it whatever the search draws.
SPIKY = fixed(
    "sensor",
    [
        (k, n, v)
        for n, (k, v) in enumerate(
            [(0, 20.0), (1, -5.0), (2, 1e9), (0, 21.0), (1, -4.5), (2, 1e9 + 0.5)] * 3
            + [(0, 20.5), (1, -5.5), (2, 1e9 + 0.25), (0, 45.0), (1, -4.75), (2, 1e9 + 9.0)]
            + [(0, 20.0), (2, 1e9 + 0.25)]
        )
    ],
)


def _one(values: list[float], key: int = 0) -> list[Event]:
    return fixed("sensor", [(key, n, v) for n, v in enumerate(values)])


#: A spike after eight calm readings: judged on the past its z is 35.8; counted in its
#: own baseline, 2.7 — the spike hides itself.
SPIKE = _one([20.0, 20.5, 20.0, 20.5, 20.0, 20.5, 20.0, 20.5, 35.0])
#: The spike joins the baseline too (anomalies included), and widens it for what follows.
SPIKE_THEN_CALM = _one([20.0, 20.5, 20.0, 20.5, 20.0, 35.0, 20.5, 21.5])
#: z = 2.92 with the sample deviation (no anomaly), 3.27 with the population one.
SAMPLE_NOT_POPULATION = _one([19.0, 21.0, 19.0, 21.0, 19.0, 23.0])
#: The 6th reading is the first judged (5 earlier); a constant sensor is never judged.
WARMUP = _one([1.0, 2.0, 1.0, 2.0, 9.0, 9.0, 1.0])
CONSTANT = _one([5.0] * 7 + [6.0])
#: Two sensors interleaved: a shared baseline makes sensor-1's normal readings anomalies.
TWO_LEVELS = fixed(
    "sensor",
    [
        (k, n, v)
        for n, (k, v) in enumerate(
            [(0, 20.0), (1, 500.0), (0, 20.5), (1, 500.5)] * 4 + [(0, 20.0), (1, 500.0)]
        )
    ],
)


def _on_each(*streams: list[Event]) -> Callable[[Session], None]:
    """A check: the z-score flow on each hand-made stream in turn."""

    def run(session: Session) -> None:
        for events in streams:
            on_example(session, _z_flow_test, events, show_events)

    return run


CHECKS = {
    "past_only": _on_each(SPIKE, SPIKE_THEN_CALM),
    "warmup": _on_each(WARMUP, CONSTANT),
    "sample_deviation": example_check(SAMPLE_NOT_POPULATION, _z_flow_test, show_events),
    "per_key": example_check(TWO_LEVELS, _z_flow_test, show_events),
    "matches": property_check(
        _spiky(),
        _z_flow_test,
        edges=(SPIKY,),
        describe=show_events,
        smaller=without_one,
        max_examples=25,
    ),
}
