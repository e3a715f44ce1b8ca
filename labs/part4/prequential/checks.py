"""The checks of part4's exercise `prequential`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    CheckFailed,
    FailureKind,
    Session,
    a_type_name,
)

from ..shared import _ML, _close, _need_river, _num, _sparkline

# --- exercise 3: prequential -------------------------------------------------------------


def reference_curve(spec: dict[str, Any], model: str) -> list[tuple[int, float]]:
    """River's own `progressive_val_score`, step by step, on the spec's examples."""
    from river import evaluate, metrics

    from learnstream.grading.probes_ml import examples_of, make_model

    steps = evaluate.iter_progressive_val_score(
        examples_of(spec), make_model(model), metrics.Accuracy(), step=1
    )
    return [(step["Step"] - 1, step["Accuracy"].get()) for step in steps]


def _predictions(spec: dict[str, Any], model: str) -> list[tuple[Any, Any]]:
    """`(y_pred, y)` per example: the grader's own model, tested then trained."""
    from learnstream.grading.probes_ml import examples_of, make_model

    learner, pairs = make_model(model), []
    for x, y in examples_of(spec):
        pairs.append((learner.predict_one(x), y))
        learner.learn_one(x, y)
    return pairs


def _accuracies(
    pairs: Sequence[tuple[Any, Any]], scored: Callable[[Any], bool], window: int | None = None
) -> list[float]:
    """The accuracy after each example over the scored predictions (the last `window` only)."""
    right: list[bool] = []
    out = []
    for y_pred, y in pairs:
        if scored(y_pred):
            right.append(y_pred == y)
        recent = right if window is None else right[-window:]
        out.append(sum(recent) / len(recent) if recent else 0.0)
    return out


def _why_curve(spec: dict[str, Any], model: str, have: list[Any], index: int) -> str:
    """A sentence naming the mistake behind a wrong curve, when the learner's whole curve is
    what a known mistake computes (the first wrong accuracy is after example `index`)."""
    pairs = _predictions(spec, model)
    mine = [a for _, a in have]

    def matches(curve: Sequence[float]) -> bool:
        return len(curve) == len(mine) and all(
            _close(c, a, 1e-9) for c, a in zip(curve, mine, strict=True)
        )

    scored = [y_pred is not None for y_pred, _ in pairs]
    if matches(_accuracies(pairs, lambda y_pred: True)):
        return (
            " — that counts the predictions of None, which River does not score: update the "
            "metric only when y_pred is not None"
        )
    if matches(_accuracies(pairs, bool)):
        return " — `if y_pred:` also skips predictions of False (and 0): test `y_pred is not None`"
    if matches([100 * a for a in _accuracies(pairs, lambda y_pred: y_pred is not None)]):
        return " — that is a percentage; write accuracy.get(), a number between 0 and 1"
    seen = sum(scored[: index + 1])
    for width in range(1, seen):
        if matches(_accuracies(pairs, lambda y_pred: y_pred is not None, width)):
            if width == 1:
                return (
                    " — that is the accuracy of each example alone: keep one metric for the "
                    "whole stream (one key, one Accuracy in the state)"
                )
            return (
                f" — that is the accuracy of the last {width} examples only; prequential "
                "accuracy counts every example scored so far"
            )
    return ""


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
        if type(item[1]) not in (int, float):
            raise CheckFailed(
                f"the sink received {a_type_name(item[1])} as the accuracy after example "
                f"{item[0]}: the accuracy must be a number; write accuracy.get()",
                kind=FailureKind.WRONG_TYPE,
            )
    if len(have) != len(want):
        raise CheckFailed(
            f"on {what} your flow wrote {len(have)} items for {len(want)} examples: write "
            "one (i, accuracy) after every example",
            _curve_details(want, have),
            kind=FailureKind.WRONG_SHAPE,
        )
    for index, ((i, accuracy), mine) in enumerate(zip(want, have, strict=True)):
        if mine[0] != i:
            raise CheckFailed(
                f"on {what}, item {index} of your sink is for example {mine[0]}, expected "
                f"example {i}: write one (i, accuracy) per example, in the order they come "
                "(one key for the whole stream keeps that order)",
                _curve_details(want, have),
                kind=FailureKind.WRONG_SHAPE,
            )
        if mine != (i, accuracy):
            raise CheckFailed(
                f"on {what}, after example {i} your accuracy is {_num(mine[1])}; River's "
                f"progressive_val_score gives {_num(accuracy)}"
                f"{_why_curve(spec, model, have, index)}",
                _curve_details(want, have),
                kind=FailureKind.WRONG_VALUE,
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
                kind=FailureKind.WRONG_TIMING,
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


CHECKS = {
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
    "long_stream": _matches(
        {"kind": "unique", "seed": 11, "limit": 1200},
        "logreg",
        "1,200 examples (the accuracy of every one so far, not of a recent window)",
    ),
}
