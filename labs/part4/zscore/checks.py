"""The checks of part4's exercise `zscore`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
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
    _ANOMALIES_LEFT_OUT,
    _OWN_BASELINE,
    _RECENT,
    _SHARED_BASELINE,
    MIN_HISTORY,
    SENSORS,
    THRESHOLD,
    Z_TOLERANCE,
    _by_key,
    _close,
    _group,
    _num,
    _per_key_verdict,
    running_answers,
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
    if have[2] == flag:
        return True
    # exactly on the threshold is no anomaly; a z within rounding of it may go either way
    return abs(z) != THRESHOLD and abs(abs(z) - THRESHOLD) <= 1e-9 * THRESHOLD


def _z_flow_test(session: Session, events: list[Event]) -> None:
    (items,) = run_flow(session, SENSORS, events)
    got = _group(items, lambda v: True, "(sensor, (temp, z, is_anomaly))")
    by_key = _by_key(events)
    expected = {key: zscores(values) for key, values in by_key.items()}

    def why(key: str, index: int, mine: Any) -> str:
        position = [n for n, e in enumerate(events) if e.key == key][index]
        everyone = [e.value for e in events[: position + 1]]
        shared = zscores(everyone)[-1][1] if len(by_key) > 1 else None
        if shared is not None and type(mine) is tuple and len(mine) == 3:
            if _close(shared, mine[1], Z_TOLERANCE):
                return _SHARED_BASELINE
        return _why_z(by_key[key], index, mine)

    _per_key_verdict(expected, got, _z_same, "(temp, z, is_anomaly)", _show_z, why=why)


def _z_of(baseline: Sequence[float], value: float, ddof: int) -> float | None:
    n = len(baseline)
    if n - ddof <= 0:
        return None
    mean = math.fsum(baseline) / n
    var = math.fsum((v - mean) ** 2 for v in baseline) / (n - ddof)
    return (value - mean) / math.sqrt(var) if var > 0 else None


def _z_left_out(values: Sequence[float], index: int) -> float | None:
    """The z-score of reading `index` when the readings flagged before it stayed out of the
    baseline (a rule the exercise does not ask for)."""
    kept: list[float] = []
    for value in values[:index]:
        z = _z_of(kept, value, 1) if len(kept) >= MIN_HISTORY else None
        if z is None or abs(z) <= THRESHOLD:
            kept.append(value)
    return _z_of(kept, values[index], 1) if len(kept) >= MIN_HISTORY else None


def _why_z(values: Sequence[float], index: int, mine: Any) -> str:
    """A sentence naming the mistake behind a wrong answer for reading `index`, when it is a
    known one."""
    if not (type(mine) is tuple and len(mine) == 3):
        return ""
    value, z, _ = zscores(values)[index]
    earlier = values[:index]
    if z is not None and mine[1] is not None and _close(z, mine[1], Z_TOLERANCE):
        if abs(z) == THRESHOLD:
            return (
                f" — this reading is exactly {_num(THRESHOLD)} standard deviations away, which is "
                "not an anomaly: the flag is abs(z) > THRESHOLD, not >="
            )
        return " — the flag is abs(z) > THRESHOLD"
    std = math.sqrt(running_answers(earlier)[-1][2]) if len(earlier) > 1 else 0.0
    if z is not None and 0 < std < 1e-6:
        return (
            f" — the earlier readings are nearly constant (standard deviation {std:.3g}), not "
            "constant: z is None only when the standard deviation is exactly 0, and z divides "
            "by the standard deviation itself (no epsilon)"
        )
    if z is not None and mine[1] is None and index == MIN_HISTORY:
        return (
            f" — this reading has {MIN_HISTORY} earlier ones, MIN_HISTORY: it is the first "
            "judged (z is None only while fewer came before it)"
        )
    if type(mine[1]) is not float:
        return ""
    if _close(_z_of(values[: index + 1], value, 1) or math.nan, mine[1], Z_TOLERANCE):
        return _OWN_BASELINE
    if _close(_z_left_out(values, index) or math.nan, mine[1], Z_TOLERANCE):
        return _ANOMALIES_LEFT_OUT
    if _close(_z_of(earlier, value, 0) or math.nan, mine[1], Z_TOLERANCE):
        return (
            " — that is the population standard deviation (divided by n); use the "
            "sample one (divided by n - 1)"
        )
    if index > _RECENT and _close(
        _z_of(earlier[-_RECENT:], value, 1) or math.nan, mine[1], Z_TOLERANCE
    ):
        return (
            f" — that baseline is the last {_RECENT} readings only; the baseline is every earlier "
            "reading of the sensor (running statistics)"
        )
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
#: Exactly three sample deviations away (mean 19, deviation 2, reading 25): no anomaly.
EXACTLY_THREE = _one([18.0, 18.0, 18.0, 18.0, 19.0, 23.0, 25.0])


#: A baseline that varies by 1e-12: its deviation is tiny, not 0, so the next reading is judged.
NEAR_CONSTANT = _one([0.0, 0.0, 0.0, 0.0, 1e-12, 1.0, 0.0])


#: Two sensors, 130 readings each, that change level after their 30th: a baseline of the
#: last 100 readings differs from the running one from reading 101 on.
LONG_SHIFT = fixed(
    "sensor",
    [
        (k, n, (20.0 if k == 0 else -5.0) + (3.0 if n >= 60 else 0.0) + (n * 7 % 11) / 4)
        for n, k in enumerate([0, 1] * 130)
    ],
)


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
    "warmup": _on_each(WARMUP, CONSTANT, NEAR_CONSTANT),
    "sample_deviation": _on_each(SAMPLE_NOT_POPULATION, EXACTLY_THREE),
    "per_key": example_check(TWO_LEVELS, _z_flow_test, show_events),
    "matches": property_check(
        _spiky(),
        _z_flow_test,
        edges=(SPIKY, LONG_SHIFT),
        describe=show_events,
        smaller=without_one,
        max_examples=25,
    ),
}
