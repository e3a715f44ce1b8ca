"""Part 4: the checks of `welford`, `zscore`, `prequential` and `drift`.

Titles, points and hints are in `part4.toml`; here are the reference answers,
the streams and `CHECKS`, built with `learnstream.grading.kit`. The checks are
written against the mistakes real online-learning code makes, not only wrong
numbers:

- **leakage**: the learner's flows are handed instrumented models
  (`learnstream.grading.probes_ml.Recorder`) that log every call, so learning an
  example before predicting it is seen in the call order; and the streams are
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

>>> list(CHECKS)
['welford', 'zscore', 'prequential', 'drift']
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

from hypothesis import strategies as st

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    CheckFailed,
    Event,
    FailureKind,
    FlowContract,
    Session,
    check_constant_state,
    example_check,
    fixed,
    on_example,
    property_check,
    run_flow,
    show_events,
    to_datetime,
    without_one,
)
from learnstream.grading.probes_ml import POSITION, STATS_MARKS, WIDTH

#: The contracts' constants (see the stubs' docstrings).
THRESHOLD, MIN_HISTORY = 3.0, 5
DETECT_WITHIN, MAX_FALSE_ALARMS, RECOVERED = 500, 1, 0.70
MEAN_TOLERANCE, VARIANCE_TOLERANCE, Z_TOLERANCE = 1e-9, 1e-6, 1e-6
#: The drift checks' streams: chosen by the grader, the same for everyone.
DRIFT_SEEDS = (100, 101, 102)
DRIFT_EVENTS = 5000
RECOVERY_SPAN = (3500, 4500)

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


def running_answers(values: Sequence[float]) -> list[tuple[int, float, float]]:
    """`(n, mean, sample variance)` after each value, computed exactly (fractions)."""
    exact = [Fraction(v) for v in values]
    answers = []
    for n in range(1, len(exact) + 1):
        mean = sum(exact[:n], Fraction(0)) / n
        var = sum(((v - mean) ** 2 for v in exact[:n]), Fraction(0)) / (n - 1) if n > 1 else 0
        answers.append((n, float(mean), float(var)))
    return answers


def zscores(values: Sequence[float]) -> list[tuple[float, float | None, bool]]:
    """`(value, z, is_anomaly)` for one key's readings, each judged on the earlier ones only."""
    out: list[tuple[float, float | None, bool]] = []
    for n, value in enumerate(values):
        z = None
        if n >= MIN_HISTORY:
            _, mean, var = running_answers(values[:n])[-1]
            if var > 0:  # float(Fraction) of a positive variance is positive
                z = (value - mean) / math.sqrt(var)
        out.append((value, z, z is not None and abs(z) > THRESHOLD))
    return out


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
) -> None:
    """Fail on the first reading whose answer differs, with a per-key table of both."""
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
                raise CheckFailed(
                    f"wrong {what} for key {key!r} after its reading #{index + 1}: expected "
                    f"{show(answer)}, yours {show(have[index])}",
                    _table(f"for key {key!r}", want, have, index, show),
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


def _why_variance(want: tuple[int, float, float], have: Any, largest: float) -> str:
    """A sentence on the likely mistake behind a wrong variance."""
    n, _, var = want
    if type(have) is tuple and len(have) == 3 and n > 1 and type(have[2]) in (int, float):
        if _close(var * (n - 1) / n, have[2], VARIANCE_TOLERANCE):
            return (
                " — that is the population variance (divided by n); the sample variance "
                "divides by n - 1"
            )
        if largest >= 1e6 and _close(want[1], have[1], 1e-6):
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
                f"expected {_show_stats(want)}"
                f"{_why_variance(want, mine, max(abs(v) for v in values))}",
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


def _reading(event: Event) -> dict[str, Any]:
    return {"sensor": event.key, "temp": event.value, "ts": to_datetime(event.t)}


SENSORS = FlowContract(("reading",), _reading, 0)


def _stats_flow_test(session: Session, events: list[Event]) -> None:
    (items,) = run_flow(session, SENSORS, events)
    got = _group(items, lambda v: True, "(sensor, (n, mean, variance))")
    expected = {key: running_answers(values) for key, values in _by_key(events).items()}
    _per_key_verdict(expected, got, _stats_same, "(n, mean, variance)", _show_stats)


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


# --- exercise 3: prequential -------------------------------------------------------------


def reference_curve(spec: dict[str, Any], model: str) -> list[tuple[int, float]]:
    """River's own `progressive_val_score`, step by step, on the spec's examples."""
    from river import evaluate, metrics

    from learnstream.grading.probes_ml import examples_of, make_model

    steps = evaluate.iter_progressive_val_score(
        examples_of(spec), make_model(model), metrics.Accuracy(), step=1
    )
    return [(step["Step"] - 1, step["Accuracy"].get()) for step in steps]


def _sparkline(values: Sequence[float], width: int = 48) -> str:
    """A curve in one line of block characters (values between 0 and 1)."""
    if not values:
        return ""
    bars = "▁▂▃▄▅▆▇█"
    step = max(1, math.ceil(len(values) / width))
    points = [values[i] for i in range(0, len(values), step)]
    return "".join(bars[min(7, max(0, int(v * 8)))] if v == v else " " for v in points)


def _curve_details(want: list[tuple[int, float]], have: list[Any]) -> str:
    mine = [a for _, a in have if type(a) in (int, float)]
    return (
        "    accuracy over the stream (0 ▁ … █ 1):\n"
        f"      River's  {_sparkline([a for _, a in want])}\n"
        f"      yours    {_sparkline(mine)}"
    )


def _run_prequential(session: Session, spec: dict[str, Any], model: str) -> dict[str, Any]:
    _need_river()
    what = f"build_flow(source, sink, model) on {spec['limit']} examples ({model})"
    report: dict[str, Any] = session.probe(
        f"{_ML}prequential", what, fn="build_flow", spec=spec, model=model
    )
    if "outputs" not in report:
        raise CheckFailed(
            f"build_flow returned a {report['type']}, not a Dataflow; end it with `return flow`",
            kind=FailureKind.WRONG_SHAPE,
        )
    return report


def _judge_curve(spec: dict[str, Any], model: str, have: list[Any], what: str) -> None:
    want = reference_curve(spec, model)
    for item in have:
        if not (type(item) is tuple and len(item) == 2 and type(item[0]) is int):
            raise CheckFailed(
                f"the sink received {short_repr(item)}; every item must be "
                "(event['i'], accuracy_so_far)",
                kind=FailureKind.WRONG_SHAPE,
            )
    if len(have) != len(want):
        raise CheckFailed(
            f"on {what} your flow wrote {len(have)} items for {len(want)} examples: write "
            "one (i, accuracy) after every example",
            _curve_details(want, have),
            kind=FailureKind.WRONG_SHAPE,
        )
    for (i, accuracy), mine in zip(want, have, strict=True):
        if mine != (i, accuracy):
            raise CheckFailed(
                f"on {what}, after example {i} your accuracy is {_num(mine[1])}; River's "
                f"progressive_val_score gives {_num(accuracy)}",
                _curve_details(want, have),
            )


def _matches(spec: dict[str, Any], model: str, what: str) -> Callable[[Session], None]:
    def run(session: Session) -> None:
        report = _run_prequential(session, spec, model)
        _judge_curve(spec, model, report["outputs"], what)

    return run


def _leak_check(session: Session) -> None:
    """Every example predicted once, then learned once, by the one model given."""
    spec = {"kind": "unique", "seed": session.seed % 10_000, "limit": 60}
    report = _run_prequential(session, spec, "memorizer")
    log = report["log"]
    # predict_proba_one is a prediction too (the likeliest label is the guess)
    calls = [(call.removesuffix("_proba"), i) for call, _, i, _ in log if call != "make"]
    if not calls:
        raise CheckFailed(
            "your flow never called predict_one or learn_one on the model it was given; use "
            "that model (build_flow's third argument), not a copy or a new one",
            kind=FailureKind.WRONG_SHAPE,
        )
    done: dict[int, list[str]] = {}
    for call, i in calls:
        done.setdefault(i, []).append(call)
    for i in range(spec["limit"]):
        seq = done.get(i, [])
        if seq == ["predict", "learn"]:
            continue
        if "learn" in seq and ("predict" not in seq or seq.index("learn") < seq.index("predict")):
            raise CheckFailed(
                f"the model learned example {i} before predicting it: it was tested on an "
                "answer it had just been shown (leakage). Predict first, then learn",
                _leak_details(spec, report["outputs"]),
            )
        raise CheckFailed(
            f"example {i}: the model was called {seq or 'never'}; call predict_one once, then "
            "learn_one once, for every example",
            kind=FailureKind.WRONG_SHAPE,
        )
    _judge_curve(spec, "memorizer", report["outputs"], "60 examples no two alike")


def _leak_details(spec: dict[str, Any], have: list[Any]) -> str:
    want = reference_curve(spec, "memorizer")
    final = have[-1][1] if have and type(have[-1]) is tuple and len(have[-1]) == 2 else None
    return (
        f"    a model that memorises, on examples no two alike: River's accuracy "
        f"{_num(want[-1][1])}, yours {_num(final)}\n" + _curve_details(want, have)
    )


# --- exercise 4: drift --------------------------------------------------------------------


def _run_drift(session: Session, kind: str, seed: int) -> dict[str, Any]:
    _need_river()
    cache: dict[tuple[str, int], dict[str, Any]] = session.__dict__.setdefault("_drift_runs", {})
    if (kind, seed) in cache:
        return cache[kind, seed]
    spec = {"kind": kind, "seed": seed, "limit": DRIFT_EVENTS}
    name = "drifting" if kind == "drift" else "stationary"
    what = f"build_flow(source, sink, make_model) on the {name} stream (seed {seed})"
    report: dict[str, Any] = session.probe(
        f"{_ML}with_factory", what, fn="build_flow", spec=spec, model="naive_bayes"
    )
    if "outputs" not in report:
        raise CheckFailed(
            f"build_flow returned a {report['type']}, not a Dataflow; end it with `return flow`",
            kind=FailureKind.WRONG_SHAPE,
        )
    rows = report["outputs"]
    for index, item in enumerate(rows):
        if not (
            type(item) is tuple
            and len(item) == 2
            and item[0] == index
            and type(item[1]) is tuple
            and len(item[1]) == 2
            and all(type(flag) is bool for flag in item[1])
        ):
            raise CheckFailed(
                f"item {index} of the sink is {short_repr(item)}; write (event['i'], "
                "(correct, drifted)) with two bools, one per event, in order",
                kind=FailureKind.WRONG_SHAPE,
            )
    if len(rows) != DRIFT_EVENTS:
        raise CheckFailed(
            f"your flow wrote {len(rows)} items for {DRIFT_EVENTS} events; one per event",
            kind=FailureKind.WRONG_SHAPE,
        )
    cache[kind, seed] = report
    return report


def _drifts(report: dict[str, Any]) -> list[int]:
    return [i for i, (_, drifted) in report["outputs"] if drifted]


def _moving(report: dict[str, Any], width: int = 250) -> list[float]:
    flags = [correct for _, (correct, _) in report["outputs"]]
    return [sum(flags[i : i + width]) / width for i in range(0, len(flags) - width + 1, width)]


def _drift_details(report: dict[str, Any]) -> str:
    marks = "".join(
        "▲" if any(i <= d < i + 250 for d in _drifts(report)) else " "
        for i in range(0, DRIFT_EVENTS - 250 + 1, 250)
    )
    return (
        "    accuracy per 250 events (0 ▁ … █ 1), ▲ where you detected a drift:\n"
        f"      {_sparkline(_moving(report))}\n      {marks}"
    )


def _detects(session: Session) -> None:
    for seed in DRIFT_SEEDS:
        report = _run_drift(session, "drift", seed)
        found = [d for d in _drifts(report) if POSITION - WIDTH <= d < POSITION + DETECT_WITHIN]
        if not found:
            raise CheckFailed(
                f"the drifting stream (seed {seed}) changes at event {POSITION}; your flow "
                f"detected no drift from event {POSITION - WIDTH} to {POSITION + DETECT_WITHIN - 1}"
                f" (drifts detected at: {_drifts(report) or 'none'})",
                _drift_details(report),
            )


def _quiet(session: Session) -> None:
    for seed in DRIFT_SEEDS:
        report = _run_drift(session, "agrawal", seed)
        alarms = _drifts(report)
        if len(alarms) > MAX_FALSE_ALARMS:
            raise CheckFailed(
                f"on a stream that never changes (seed {seed}) your flow detected "
                f"{len(alarms)} drifts (at {alarms[:8]}); at most {MAX_FALSE_ALARMS} is allowed. "
                "Feed ADWIN the errors (0 or 1) with its default settings",
                _drift_details(report),
            )


def _recovers(session: Session) -> None:
    start, stop = RECOVERY_SPAN
    for seed in DRIFT_SEEDS:
        report = _run_drift(session, "drift", seed)
        flags = [correct for _, (correct, _) in report["outputs"][start:stop]]
        accuracy = sum(flags) / len(flags)
        if accuracy < RECOVERED:
            raise CheckFailed(
                f"on the drifting stream (seed {seed}) your accuracy over events {start}-"
                f"{stop - 1} is {accuracy:.3f}; at least {RECOVERED} is needed: when ADWIN "
                "detects a drift, replace the model with make_model()",
                _drift_details(report),
            )


def _protocol(session: Session) -> None:
    """Predict with the current model, score, replace it on drift, then learn — per event."""
    report = _run_drift(session, "drift", DRIFT_SEEDS[0])
    labels, rows = report["labels"], report["outputs"]
    predicted: dict[int, tuple[int, Any]] = {}
    learned: dict[int, int] = {}
    for call, model, i, answer in report["log"]:
        if call == "predict" and i not in predicted:
            predicted[i] = (model, answer)
        elif call == "learn":
            if i not in predicted:
                raise CheckFailed(
                    f"the model learned event {i} before predicting it (leakage): predict, "
                    "score, then learn",
                )
            learned.setdefault(i, model)
    for i, (_, (correct, drifted)) in enumerate(rows):
        if i not in predicted or i not in learned:
            raise CheckFailed(
                f"event {i} was {'never predicted' if i not in predicted else 'never learned'}:"
                " every event is predicted, then learned",
                kind=FailureKind.WRONG_SHAPE,
            )
        model, answer = predicted[i]
        if correct != (answer == labels[i]):
            raise CheckFailed(
                f"event {i}: the model predicted {short_repr(answer)}, the label is "
                f"{short_repr(labels[i])}, but your flow wrote correct={correct}",
            )
        if drifted and learned[i] == model:
            raise CheckFailed(
                f"a drift was detected at event {i} but the same model went on learning; "
                "replace it with make_model() before it learns the event",
            )
        if not drifted and learned[i] != model:
            raise CheckFailed(
                f"event {i} was predicted by one model and learned by another, with no drift "
                "detected; make a new model only when ADWIN detects a drift",
            )


def _on_each(*streams: list[Event]) -> Callable[[Session], None]:
    """A check: the z-score flow on each hand-made stream in turn."""

    def run(session: Session) -> None:
        for events in streams:
            on_example(session, _z_flow_test, events, show_events)

    return run


# --- the checks, by exercise and name (their titles and points are in part4.toml) ---------

CHECKS: dict[str, dict[str, Callable[[Session], None]]] = {
    "welford": {
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
        "example": example_check(_simulated(4, 30), _stats_flow_test, show_events),
    },
    "zscore": {
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
    },
    "prequential": {
        "test_then_train": _leak_check,
        "matches_river": _matches(
            {"kind": "dataset", "name": "Phishing", "limit": 400},
            "logreg",
            "the first 400 examples of Phishing",
        ),
        "unscored_none": _matches(
            {"kind": "unique", "seed": 7, "limit": 40},
            "naive_bayes",
            "40 examples with naive Bayes (its first prediction is None)",
        ),
        "generator": _matches(
            {"kind": "agrawal", "seed": 42, "limit": 300}, "logreg", "300 Agrawal examples"
        ),
    },
    "drift": {
        "detects": _detects,
        "quiet": _quiet,
        "recovers": _recovers,
        "protocol": _protocol,
    },
}
