"""The checks of part4's exercise `drift`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    CheckFailed,
    FailureKind,
    Session,
)
from learnstream.grading.kit.adwin import adwin_drifts

from ..shared import (
    _ML,
    DETECT_WITHIN,
    DRIFT_EVENTS,
    DRIFT_MODEL,
    DRIFT_SEED,
    POSITION,
    RECOVERED,
    RECOVERY_SPAN,
    WIDTH,
    _need_river,
    _sparkline,
)

# --- exercise 4: drift --------------------------------------------------------------------


def _run_drift(session: Session) -> dict[str, Any]:
    """The learner's flow on the drifting stream, run once per grade and shared by the checks."""
    _need_river()
    cached: dict[str, Any] | None = session.__dict__.get("_drift_run")
    if cached is not None:
        return cached
    spec = {"kind": "drift", "seed": DRIFT_SEED, "limit": DRIFT_EVENTS}
    spec |= {"position": POSITION, "width": WIDTH}
    what = (
        f"build_flow(source, sink, make_model) on {DRIFT_EVENTS:,} events whose concept "
        f"changes at event {POSITION}"
    )
    report: dict[str, Any] = session.probe(
        f"{_ML}with_factory", what, fn="build_flow", spec=spec, model=DRIFT_MODEL
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
    session.__dict__["_drift_run"] = report
    return report


def _drifts(report: dict[str, Any]) -> list[int]:
    return [i for i, (_, drifted) in report["outputs"] if drifted]


def _model_errors(report: dict[str, Any]) -> list[int]:
    """1 where the learner's model predicted wrong, 0 where right: its first prediction of each
    event (from the call log), else what the flow wrote (the protocol check judges that)."""
    labels, rows = report["labels"], report["outputs"]
    first: dict[int, Any] = {}
    for call, _, i, answer in report["log"]:
        if call == "predict":
            first.setdefault(i, answer)
    return [
        int(first[i] != labels[i]) if i in first else int(not correct)
        for i, (_, (correct, _)) in enumerate(rows)
    ]


def _exact_drifts(session: Session, start: int, stop: int, where: str) -> None:
    """Fail unless the flow reports a drift at exactly the events of `start..stop-1` where
    `ADWIN()` fed the errors of the learner's own model reports one."""
    report = _run_drift(session)
    errors = _model_errors(report)
    want = [i for i in adwin_drifts(errors) if start <= i < stop]
    have = [i for i in _drifts(report) if start <= i < stop]
    if want == have:
        return
    first = min(set(want) ^ set(have))
    if first in have:
        said = f"your flow reported a drift at event {first}, where ADWIN() reports none"
    else:
        said = f"ADWIN() reports a drift at event {first}, where your flow reported none"
    reset = [i for i in adwin_drifts(errors, fresh_after_drift=True) if start <= i < stop]
    if reset == have:
        advice = (
            "your drifts are where a new ADWIN() after each drift would put them: keep the one "
            "detector for the whole stream (it forgets the old errors itself when it detects)"
        )
    else:
        advice = (
            "feed one ADWIN() with its default settings the error of every event (1 when the "
            "prediction was wrong, 0 when right, a prediction of None included) and report its "
            "drift_detected"
        )
    raise CheckFailed(
        f"{where}, ADWIN() fed your model's errors reports {_at(want)}, your flow {_at(have)}; "
        f"{said} — {advice}",
        _drift_details(report, want),
        kind=FailureKind.WRONG_VALUE,
    )


def _at(drifts: Sequence[int]) -> str:
    """`no drift`, `a drift at event 927`, `drifts at events [383, 831]`."""
    if not drifts:
        return "no drift"
    return f"a drift at event {drifts[0]}" if len(drifts) == 1 else f"drifts at events {drifts}"


def _moving(report: dict[str, Any], width: int = 100) -> list[float]:
    flags = [correct for _, (correct, _) in report["outputs"]]
    return [sum(flags[i : i + width]) / width for i in range(0, len(flags) - width + 1, width)]


def _drift_details(report: dict[str, Any], adwin: Sequence[int] = ()) -> str:
    def marks(at: Sequence[int], sign: str) -> str:
        return "".join(
            sign if any(i <= d < i + 100 for d in at) else " "
            for i in range(0, DRIFT_EVENTS - 100 + 1, 100)
        )

    lines = [
        "    accuracy per 100 events (0 ▁ … █ 1), ▲ where you reported a drift"
        + (", △ where ADWIN() on your model's errors does:" if adwin else ":"),
        f"      {_sparkline(_moving(report))}",
        f"      {marks(_drifts(report), '▲')}",
    ]
    if adwin:
        lines.append(f"      {marks(adwin, '△')}")
    return "\n".join(lines)


def _detects(session: Session) -> None:
    _exact_drifts(session, POSITION - WIDTH, DRIFT_EVENTS, f"from event {POSITION - WIDTH} on")
    report = _run_drift(session)
    found = [d for d in _drifts(report) if POSITION - WIDTH <= d < POSITION + DETECT_WITHIN]
    if (
        not found
    ):  # ADWIN on this model's errors would have seen it: the errors were not the model's
        raise CheckFailed(
            f"the concept changes at event {POSITION}; your flow detected no drift from event "
            f"{POSITION - WIDTH} to {POSITION + DETECT_WITHIN - 1} (drifts at: "
            f"{_drifts(report) or 'none'}): the errors fed to ADWIN must be your model's",
            _drift_details(report),
            kind=FailureKind.WRONG_VALUE,
        )


def _quiet(session: Session) -> None:
    _exact_drifts(
        session, 0, POSITION - WIDTH, f"before the change (events 0-{POSITION - WIDTH - 1})"
    )


def _recovers(session: Session) -> None:
    start, stop = RECOVERY_SPAN
    report = _run_drift(session)
    flags = [correct for _, (correct, _) in report["outputs"][start:stop]]
    accuracy = sum(flags) / len(flags)
    if accuracy < RECOVERED:
        raise CheckFailed(
            f"your accuracy over events {start}-{stop - 1}, after the change, is "
            f"{accuracy:.3f}; at least {RECOVERED} is needed: when ADWIN detects a drift, "
            "replace the model with make_model()",
            _drift_details(report),
            kind=FailureKind.WRONG_VALUE,
        )


def _protocol(session: Session) -> None:
    """Predict with the current model, score, replace it on drift, then learn — per event."""
    report = _run_drift(session)
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
                    kind=FailureKind.WRONG_TIMING,
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
                kind=FailureKind.WRONG_VALUE,
            )
        if drifted and learned[i] == model:
            later = next(
                (j for j in range(i + 1, len(rows)) if learned.get(j, model) != model), None
            )
            if later is not None and not rows[later][1][1]:
                raise CheckFailed(
                    f"a drift was detected at event {i}, but your flow replaced the model only "
                    f"at event {later}, after the old one had learned event {i}: replace it as "
                    "soon as drift_detected is True, before learn_one",
                    kind=FailureKind.WRONG_TIMING,
                )
            raise CheckFailed(
                f"a drift was detected at event {i} but the model that predicted it also "
                "learned it and was kept; replace it with make_model() before it learns the event",
                kind=FailureKind.WRONG_TIMING,
            )
        if not drifted and learned[i] != model:
            raise CheckFailed(
                f"event {i} was predicted by one model and learned by another, with no drift "
                "detected; make a new model only when ADWIN detects a drift",
                kind=FailureKind.WRONG_TIMING,
            )


CHECKS = {
    "detects": _detects,
    "quiet": _quiet,
    "recovers": _recovers,
    "protocol": _protocol,
}
