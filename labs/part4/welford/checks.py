"""The checks of part4's exercise `welford`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    CheckFailed,
    Event,
    FailureKind,
    Session,
    check_constant_state,
    example_check,
    fixed,
    property_check,
    run_flow,
    show_events,
    without_one,
)
from learnstream.grading.kit import strategies as st
from learnstream.grading.probes_ml import STATS_MARKS

from ..shared import (
    _ML,
    _N_NOT_INT,
    _RECENT,
    MEAN_TOLERANCE,
    SENSORS,
    VARIANCE_TOLERANCE,
    _by_key,
    _close,
    _group,
    _num,
    _per_key_verdict,
    _table,
    running_answers,
)

# --- exercise 1: welford ---------------------------------------------------------------


def _show_stats(answer: Any) -> str:
    if type(answer) is tuple and len(answer) == 3:
        return "(" + ", ".join(_num(v) for v in answer) + ")"
    return short_repr(answer)


def _stats_same(want: tuple[int, float, float], have: Any) -> bool:
    return (
        type(have) is tuple
        and len(have) == 3
        and have[0] == want[0]
        and type(have[0]) is int
        and _close(want[1], have[1], MEAN_TOLERANCE)
        and _close(want[2], have[2], VARIANCE_TOLERANCE)
    )


_SHARED = (
    " — that counts the readings of every sensor: keep one RunningStats per sensor (key the "
    "readings by sensor before op.stateful_map, no global state)"
)


def _m2_from_squared_deltas(values: Sequence[float]) -> float:
    """The variance when m2 grows by delta squared (the distance to the old mean, twice)."""
    n, mean, m2 = 0, 0.0, 0.0
    for x in values:
        n += 1
        delta = x - mean
        mean += delta / n
        m2 += delta * delta
    return m2 / (n - 1) if n > 1 else 0.0


def _why_variance(values: Sequence[float], have: Any) -> str:
    """A sentence naming the mistake behind a wrong `(n, mean, variance)` after `values`."""
    n, mean, var = running_answers(values)[-1]
    if not (type(have) is tuple and len(have) == 3):
        return ""
    if have[0] == n and type(have[0]) is not int:
        return _N_NOT_INT
    if n > _RECENT and values[n - _RECENT :]:
        _, recent_mean, _ = running_answers(values[n - _RECENT :])[-1]
        if _close(recent_mean, have[1], MEAN_TOLERANCE):
            return (
                f" — those are the statistics of the last {_RECENT} readings only; running "
                "statistics cover every reading so far (n, the mean and m2 hold them all)"
            )
    if n < 2 or type(have[2]) not in (int, float) or not _close(mean, have[1], 1e-6):
        return ""
    if _close(var * (n - 1) / n, have[2], VARIANCE_TOLERANCE):
        return (
            " — that is the population variance (divided by n); the sample variance divides by "
            "n - 1"
        )
    if _close(_m2_from_squared_deltas(values), have[2], VARIANCE_TOLERANCE):
        return (
            " — m2 grew by delta squared; it grows by delta * (x - mean), the distance to the old "
            "mean times the distance to the new one"
        )
    if max(abs(v) for v in values) >= 1e6:
        return (
            " — with values this large, a variance from sums of squares loses its digits; "
            "use Welford's update (keep the mean and m2)"
        )
    return ""


def _stats_test(session: Session, values: list[float]) -> None:
    report = session.probe(
        f"{_ML}running_stats",
        f"RunningStats() updated with {short_repr(values)}",
        cls="RunningStats",
        runs=[values],
    )
    (have,) = report["results"]
    for want, mine in zip(running_answers(values), have, strict=True):
        if not _stats_same(want, mine):
            raise CheckFailed(
                f"after {want[0]} update(s), (n, mean, variance) is {_show_stats(mine)}; "
                f"expected {_show_stats(want)}{_why_variance(values[: want[0]], mine)}",
                _table(
                    "for one RunningStats", running_answers(values), have, want[0] - 1, _show_stats
                ),
            )
    if not report["returns_self"]:
        raise CheckFailed(
            "update(x) must return the object itself (`return self`), so that calls chain: "
            "RunningStats().update(1.0).update(3.0)",
            kind=FailureKind.WRONG_SHAPE,
        )


def _small_values() -> st.SearchStrategy[list[float]]:
    return st.lists(st.integers(-400, 400).map(lambda q: q / 4), min_size=1, max_size=12)


def _large_values() -> st.SearchStrategy[list[float]]:
    offsets = st.sampled_from([1e6, 1e9, -1e9, 123456789.0, 987654321.0])
    return st.tuples(offsets, st.lists(st.integers(0, 400), min_size=2, max_size=30)).map(
        lambda pair: [pair[0] + q / 4 for q in pair[1]]
    )


def _memory(session: Session) -> None:
    call = "your RunningStats"
    report = session.probe(f"{_ML}running_stats", call, cls="RunningStats", runs=[])
    check_constant_state(call, report, STATS_MARKS, "n, the mean and m2", unit="updates")


def _stats_flow_test(session: Session, events: list[Event]) -> None:
    (items,) = run_flow(session, SENSORS, events)
    got = _group(items, lambda v: True, "(sensor, (n, mean, variance))")
    by_key = _by_key(events)
    expected = {key: running_answers(values) for key, values in by_key.items()}
    _per_key_verdict(
        expected,
        got,
        _stats_same,
        "(n, mean, variance)",
        _show_stats,
        why=lambda key, index, mine: (
            _why_shared(events, key, index, mine) or _why_variance(by_key[key][: index + 1], mine)
        ),
    )


def _why_shared(events: Sequence[Event], key: str, index: int, mine: Any) -> str:
    """`_SHARED` when the answer's n counts every sensor's readings up to this one."""
    position = [n for n, e in enumerate(events) if e.key == key][index]
    if type(mine) is tuple and len(mine) == 3 and mine[0] == position + 1 != index + 1:
        return _SHARED
    return ""


def _keyed(values: st.SearchStrategy[float], keys: int, max_size: int) -> st.SearchStrategy:
    row = st.tuples(st.integers(0, keys - 1), values)
    return st.lists(row, min_size=1, max_size=max_size).map(
        lambda rows: fixed("sensor", [(k, n, v) for n, (k, v) in enumerate(rows)])
    )


def _key_levels() -> st.SearchStrategy[list[Event]]:
    """Several sensors, each around its own level (0, 20, 1e6 or 1e9), interleaved."""
    levels = {0: 0.0, 1: 20.0, 2: 1e6, 3: 1e9}

    def build(rows: list[tuple[int, int]]) -> list[Event]:
        return fixed("sensor", [(k, n, levels[k] + q / 4) for n, (k, q) in enumerate(rows)])

    row = st.tuples(st.integers(0, 3), st.integers(-200, 200))
    return st.lists(row, min_size=1, max_size=24).map(build)


#: Two sensors far apart: one shared RunningStats mixes them.
TWO_SENSORS = fixed("sensor", [(0, 0, 20.0), (1, 1, 1000.0), (0, 2, 22.0), (1, 3, 1004.0)])


def _simulated(seed: int, limit: int) -> list[Event]:
    from learnstream.connectors.simulated import SensorSource
    from learnstream.grading.kit import from_datetime

    source = SensorSource(sensors=3, seed=seed, limit=limit)
    return [Event(n, r["sensor"], from_datetime(r["ts"]), r["temp"]) for n, r in enumerate(source)]


CHECKS = {
    "running_stats": property_check(
        _small_values(),
        _stats_test,
        edges=([2.0, 4.0], [5.0], [1.0, 1.0, 1.0], [0.25, -0.5, 1e3]),
        max_examples=30,
    ),
    "large_values": property_check(
        _large_values(),
        _stats_test,
        edges=([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16],),
        max_examples=30,
    ),
    "memory": _memory,
    "per_key": property_check(
        _key_levels(),
        _stats_flow_test,
        edges=(TWO_SENSORS,),
        describe=show_events,
        smaller=without_one,
        max_examples=20,
    ),
    "example": example_check(_simulated(4, 450), _stats_flow_test, show_events),
}
