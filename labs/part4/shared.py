"""Part 4: what the checks of `welford`, `zscore`, `prequential` and `drift` share.

Titles, points and hints are in each exercise's `lab.toml`, the checks in its
`checks.py`, built with `learnstream.grading.kit`; here is what they share. The checks are
written against the mistakes real online-learning code makes, not only wrong
numbers:

- **leakage**: the learner's flows are handed logged models
  (`learnstream.sandbox_models.LoggedModel`, replayed on the grader's side by
  `learnstream.grading.probes_ml.ModelLog`), so learning an example before
  predicting it is seen in the call order; and the streams are
  built so that the leak changes the verdict (a model that memorises scores
  100 % when it sees the answer first; a spike counted in its own baseline can
  never score above 3);
- **numerical instability**: readings as large as 1e9 that differ by 0.25,
  where the sum-of-squares variance loses every digit;
- **population vs sample variance**, and **state shared across keys**;
- **seeds**: the property searches draw from the run's seed, and every stream
  with randomness in it (generators, drifts) is seeded by the grader, so a
  verdict never depends on a seed the learner does not control.

The constants of each contract are repeated here on purpose: the grader never
reads them from the learner's file.

>>> running_answers([2.0, 4.0])
[(1, 2.0, 0.0), (2, 3.0, 2.0)]
>>> [(v, z) for v, z, _ in zscores([1.0, 2.0, 1.0, 2.0, 1.0, 9.0])][-1]
(9.0, 13.875638123464208)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    CheckFailed,
    Event,
    FailureKind,
    FlowContract,
    to_datetime,
)

#: The contracts' constants (see the stubs' docstrings).
THRESHOLD, MIN_HISTORY = 3.0, 5
DETECT_WITHIN, RECOVERED = 500, 0.70
MEAN_TOLERANCE, VARIANCE_TOLERANCE, Z_TOLERANCE = 1e-9, 1e-6, 1e-6
#: The drift checks' stream, chosen by the grader, the same for everyone: Agrawal's rule 0
#: becoming rule 4 around POSITION (over about WIDTH events), learned by a Hoeffding tree
#: (cheap per event, and slow to unlearn an old concept unless it is replaced). On this
#: stream an ADWIN with another delta (0.01 or 0.001) reports the change at another event.
DRIFT_SEED, DRIFT_EVENTS, POSITION, WIDTH = 105, 1500, 750, 200
DRIFT_MODEL = "hoeffding"
RECOVERY_SPAN = (1000, 1500)

_ML = "learnstream.grading.probes_ml:"


def _need_river() -> None:
    """Exercises 3 and 4 hand the learner River models: say how to install River if it is not."""
    from learnstream.connectors.datasets import require_river

    try:
        require_river()
    except ImportError as missing:
        raise CheckFailed(str(missing), kind=FailureKind.MISSING) from None


def _close(want: float, have: Any, tolerance: float) -> bool:
    """`have` is a number within `tolerance` of `want` (relative, or absolute below 1)."""
    if type(have) not in (int, float) or math.isnan(have):
        return False
    return abs(have - want) <= tolerance * max(1.0, abs(want))


def _num(value: Any) -> str:
    """A number as a reader compares it: 10 significant digits, a float always with a point."""
    if type(value) is not float:
        return short_repr(value)
    text = f"{value:.10g}"
    return text if any(c in text for c in ".ein") else text + ".0"


# --- the grader's own answers ---------------------------------------------------------


def _exact_stats(values: Sequence[float]) -> list[tuple[int, Fraction, Fraction]]:
    """`(n, mean, sample variance)` after each value, as exact fractions (running sums)."""
    total, squares = Fraction(0), Fraction(0)
    out = []
    for n, value in enumerate(map(Fraction, values), start=1):
        total += value
        squares += value * value
        mean = total / n
        out.append((n, mean, (squares - total * mean) / (n - 1) if n > 1 else Fraction(0)))
    return out


def running_answers(values: Sequence[float]) -> list[tuple[int, float, float]]:
    """`(n, mean, sample variance)` after each value, computed exactly (fractions)."""
    return [(n, float(mean), float(var)) for n, mean, var in _exact_stats(values)]


def zscores(values: Sequence[float]) -> list[tuple[float, float | None, bool]]:
    """`(value, z, is_anomaly)` for one key's readings, each judged on the earlier ones only.

    The flag is decided exactly: a reading exactly THRESHOLD deviations away is
    not an anomaly (the contract says `abs(z) > THRESHOLD`).
    """
    out: list[tuple[float, float | None, bool]] = [(v, None, False) for v in values[:MIN_HISTORY]]
    history = _exact_stats(values)[MIN_HISTORY - 1 :]  # of the readings before each judged one
    for (_, mean, var), value in zip(history, values[MIN_HISTORY:], strict=False):
        if var == 0:
            out.append((value, None, False))
            continue
        z = (value - float(mean)) / math.sqrt(float(var))
        out.append((value, z, (Fraction(value) - mean) ** 2 > THRESHOLD**2 * var))
    return out


#: A window some learners keep instead of every reading: the last 100.
_RECENT = 100


_N_NOT_INT = " — n is not an int: count the updates in an int (n = 0, then n += 1)"


_SHARED_BASELINE = (
    " — that baseline mixes the readings of every sensor: keep one RunningStats per sensor "
    "(key the readings by sensor before op.stateful_map, no global state)"
)


_OWN_BASELINE = (
    " — that is the z-score with this reading in its own baseline: judge each reading against "
    "the earlier ones, then add it"
)


_ANOMALIES_LEFT_OUT = (
    " — that baseline leaves out the readings flagged as anomalies: every earlier reading of "
    "the sensor joins it, anomalies included"
)


#: The kind of failure a sentence naming the mistake implies (else a wrong value): a
#: baseline holding the wrong readings at the time of a judgement is one of timing.
_KIND_OF = {
    _OWN_BASELINE: FailureKind.WRONG_TIMING,
    _ANOMALIES_LEFT_OUT: FailureKind.WRONG_TIMING,
    _N_NOT_INT: FailureKind.WRONG_TYPE,
}


def _by_key(events: Sequence[Event]) -> dict[str, list[float]]:
    keys: dict[str, list[float]] = {}
    for event in events:
        keys.setdefault(event.key, []).append(event.value)
    return keys


# --- per-key streams: the learner's items grouped, and the first difference --------------


def _group(items: list[Any], ok: Callable[[Any], bool], shape: str) -> dict[str, list[Any]]:
    got: dict[str, list[Any]] = {}
    for item in items:
        if not (type(item) is tuple and len(item) == 2 and type(item[0]) is str and ok(item[1])):
            raise CheckFailed(
                f"the sink received {short_repr(item)}; every item must be {shape}",
                kind=FailureKind.WRONG_SHAPE,
            )
        got.setdefault(item[0], []).append(item[1])
    return got


def _per_key_verdict(
    expected: dict[str, list[Any]],
    got: dict[str, list[Any]],
    same: Callable[[Any, Any], bool],
    what: str,
    show: Callable[[Any], str],
    why: Callable[[str, int, Any], str] = lambda key, index, mine: "",
) -> None:
    """Fail on the first reading whose answer differs, with a per-key table of both; `why`
    names the mistake behind a wrong answer (key, its reading's index, the answer). A
    reading judged with itself in its baseline is a mistake of order (WRONG_TIMING), a
    count kept in a float one of type (WRONG_TYPE)."""
    for key in sorted(set(got) - set(expected)):
        raise CheckFailed(
            f"the sink received {what} for key {key!r}, which the input never had",
            kind=FailureKind.WRONG_VALUE,
        )
    for key in sorted(expected):
        want, have = expected[key], got.get(key, [])
        for index, answer in enumerate(want):
            if index >= len(have):
                raise CheckFailed(
                    f"key {key!r} had {len(want)} readings but your flow wrote {len(have)} "
                    f"answers for it: one answer per reading",
                    _table(f"for key {key!r}", want, have, index, show),
                    kind=FailureKind.WRONG_SHAPE,
                )
            if not same(answer, have[index]):
                reason = why(key, index, have[index])
                raise CheckFailed(
                    f"wrong {what} for key {key!r} after its reading #{index + 1}: expected "
                    f"{show(answer)}, yours {show(have[index])}{reason}",
                    _table(f"for key {key!r}", want, have, index, show),
                    kind=_KIND_OF.get(reason, FailureKind.WRONG_VALUE),
                )
        if len(have) > len(want):
            raise CheckFailed(
                f"key {key!r} had {len(want)} readings but your flow wrote {len(have)} answers "
                "for it: one answer per reading",
                kind=FailureKind.WRONG_SHAPE,
            )


def _table(whose: str, want: list[Any], have: list[Any], wrong: int, show: Callable) -> str:
    lines = [f"    expected vs yours {whose}, reading by reading (first wrong one →):"]
    for index in range(max(0, wrong - 3), min(len(want), wrong + 3)):
        mine = show(have[index]) if index < len(have) else "(nothing)"
        mark = "→" if index == wrong else " "
        lines.append(f"      {mark} #{index + 1:<3} {show(want[index]):<42} {mine}")
    return "\n".join(lines)


def _sparkline(values: Sequence[float], width: int = 48) -> str:
    """A curve in one line of block characters (values between 0 and 1)."""
    if not values:
        return ""
    bars = "▁▂▃▄▅▆▇█"
    step = max(1, math.ceil(len(values) / width))
    points = [values[i] for i in range(0, len(values), step)]
    return "".join(bars[min(7, max(0, int(v * 8)))] if v == v else " " for v in points)


def _reading(event: Event) -> dict[str, Any]:
    return {"sensor": event.key, "temp": event.value, "ts": to_datetime(event.t)}


SENSORS = FlowContract(("reading",), _reading, 0)
