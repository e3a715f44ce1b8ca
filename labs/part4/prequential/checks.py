"""The checks of part4's exercise `prequential`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    CheckFailed,
    FailureKind,
    Session,
)

from ..shared import _ML, _need_river, _num, _sparkline

# --- exercise 3: prequential -------------------------------------------------------------


def reference_curve(spec: dict[str, Any], model: str) -> list[tuple[int, float]]:
    """River's own `progressive_val_score`, step by step, on the spec's examples."""
    from river import evaluate, metrics

    from learnstream.grading.probes_ml import examples_of, make_model

    steps = evaluate.iter_progressive_val_score(
        examples_of(spec), make_model(model), metrics.Accuracy(), step=1
    )
    return [(step["Step"] - 1, step["Accuracy"].get()) for step in steps]


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
    "generator": _matches(
        {"kind": "agrawal", "seed": 42, "limit": 300}, "logreg", "300 Agrawal examples"
    ),
}
