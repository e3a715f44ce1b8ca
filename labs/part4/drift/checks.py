"""The checks of part4's exercise `drift`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    CheckFailed,
    FailureKind,
    Session,
)
from learnstream.grading.probes_ml import POSITION, WIDTH

from ..shared import (
    _ML,
    DETECT_WITHIN,
    DRIFT_EVENTS,
    DRIFT_SEEDS,
    MAX_FALSE_ALARMS,
    RECOVERED,
    RECOVERY_SPAN,
    _need_river,
    _sparkline,
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


CHECKS = {
    "detects": _detects,
    "quiet": _quiet,
    "recovers": _recovers,
    "protocol": _protocol,
}
