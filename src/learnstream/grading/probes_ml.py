"""Part 4's probes: they drive the learner's online-learning code through a `Runner`.

Like `learnstream.grading.probes`, a probe runs in the grader's process, calls
the learner's code through the runner and returns plain data; the checks (in
`labs/part4/*/checks.py`) decide. What is special here is the models: the learner's
flow is handed **instrumented** River models (`Recorder`) that live here, in
the grader's process — the learner's code holds proxies, and every call it
makes comes here — and log every call: which example was predicted or learned,
by which model instance. So the checks see leakage (learning an example before
predicting it), a model that was not replaced after a drift, or a model that
was never used, from records the learner's code cannot touch.

The streams and models are built from small specs by functions also used by the
grader's own reference answers, so both sides see exactly the same data.

>>> examples = examples_of({"kind": "unique", "seed": 1, "limit": 3})
>>> [sorted(x) for x, _ in examples]
[['a', 'b'], ['a', 'b'], ['a', 'b']]
>>> model = make_model("memorizer")
>>> model.predict_one({"a": 1}) is None
True
"""

from __future__ import annotations

import random
from collections.abc import Callable
from itertools import islice
from typing import Any

from learnstream.grading.probes import BALLAST, held_memory
from learnstream.grading.runner import Callback, Remote, Runner, Sink, Source, Unwatched

#: What the learner's code may call of a model.
MODEL_METHODS = ("predict_one", "predict_proba_one", "learn_one", "clone")


def examples_of(spec: dict[str, Any]) -> list[tuple[dict[str, Any], Any]]:
    """The `(x, y)` examples a spec names (all offline, all seeded).

    - `{"kind": "dataset", "name": "Phishing", "limit": n}`: a bundled dataset;
    - `{"kind": "agrawal", "seed": s, "limit": n}`: River's Agrawal generator;
    - `{"kind": "drift", "seed": s, "limit": n, "position": p, "width": w}`:
      Agrawal rule 0 becoming rule 4 around event p, over about w events;
    - `{"kind": "unique", "seed": s, "limit": n}`: two random features, a random
      label, and no two examples alike (a model that memorises cannot guess).
    """
    from river.datasets import synth

    kind, limit = spec["kind"], spec["limit"]
    if kind == "dataset":
        from learnstream.connectors.datasets import DatasetSource

        return [(e["x"], e["y"]) for e in DatasetSource(spec["name"], limit=limit)]
    seed = spec["seed"]
    if kind == "agrawal":
        return list(islice(synth.Agrawal(classification_function=0, seed=seed), limit))
    if kind == "drift":
        stream = synth.ConceptDriftStream(
            stream=synth.Agrawal(classification_function=0, seed=seed),
            drift_stream=synth.Agrawal(classification_function=4, seed=seed + 1),
            position=spec["position"],
            width=spec["width"],
            seed=seed,
        )
        return list(islice(stream, limit))
    rng = random.Random(seed)
    return [
        ({"a": i + rng.random(), "b": rng.uniform(-1, 1)}, rng.random() < 0.3) for i in range(limit)
    ]


def _memorizer() -> Any:
    """A River classifier that remembers the label of every `x` it learned, else the majority.

    It predicts `None` before it has learned anything (River does not score that).
    A flow that learns an example before predicting it gets every answer right.
    """
    from river import base

    class Memorizer(base.Classifier):
        def __init__(self) -> None:
            self.seen: dict[tuple[Any, ...], Any] = {}
            self.counts: dict[Any, int] = {}

        def learn_one(self, x: dict[str, Any], y: Any) -> None:
            self.seen[tuple(sorted(x.items()))] = y
            self.counts[y] = self.counts.get(y, 0) + 1

        def predict_proba_one(self, x: dict[str, Any]) -> dict[Any, float]:
            key = tuple(sorted(x.items()))
            if key in self.seen:
                return {self.seen[key]: 1.0}
            if not self.counts:
                return {}
            return {max(self.counts, key=lambda y: (self.counts[y], str(y))): 1.0}

    return Memorizer()


def make_model(name: str) -> Any:
    """A fresh model by name: "logreg", "naive_bayes", "hoeffding" or "memorizer"."""
    if name == "memorizer":
        return _memorizer()
    from river import linear_model, naive_bayes, preprocessing, tree

    if name == "logreg":
        return preprocessing.StandardScaler() | linear_model.LogisticRegression()
    if name == "hoeffding":
        return tree.HoeffdingTreeClassifier()
    return preprocessing.StandardScaler() | naive_bayes.GaussianNB()


def _key(x: Any) -> Any:
    try:
        return tuple(sorted(x.items()))
    except (AttributeError, TypeError):
        return None


def _index_of(examples: list[tuple[dict[str, Any], Any]]) -> dict[Any, tuple[int, Any]]:
    """Each example's index and `x`, found by the identity of `x` or by its contents."""
    index: dict[Any, tuple[int, Any]] = {}
    for i, (x, _) in enumerate(examples):
        index[id(x)] = index[_key(x)] = (i, x)
    return index


class Recorder:
    """A model that does what it is asked and logs `[call, model id, example index, answer]`.

    The example index is found from `x` itself, else from its contents, so a
    learner who copies `x` is still recognised; an `x` the stream never had is
    logged as -1.
    """

    def __init__(
        self,
        inner: Any,
        model_id: int,
        log: list[list[Any]],
        index: dict,
        fresh: Callable[[], Remote] | None = None,
    ) -> None:
        self._inner, self._id, self._log, self._index = inner, model_id, log, index
        self._fresh = fresh

    def clone(self, *args: Any) -> Remote:
        """An untrained copy, instrumented too; in a drift run, a new model like make_model's."""
        if self._fresh is not None and not args:
            return self._fresh()
        copy = Recorder(self._inner.clone(*args), self._id, self._log, self._index)
        return Remote(copy, MODEL_METHODS)

    def _note(self, call: str, x: Any, answer: Any = None) -> None:
        found = self._index.get(id(x))  # the event's own x, as the source gave it
        if found is None or found[1] is not x:
            found = self._index.get(_key(x), (-1, None))
        self._log.append([call, self._id, found[0], answer])

    def predict_one(self, x: dict[str, Any], **kwargs: Any) -> Any:
        answer = self._inner.predict_one(x, **kwargs)
        self._note("predict", x, answer)
        return answer

    def predict_proba_one(self, x: dict[str, Any], **kwargs: Any) -> Any:
        self._note("predict_proba", x)
        return self._inner.predict_proba_one(x, **kwargs)

    def learn_one(self, x: dict[str, Any], y: Any, **kwargs: Any) -> None:
        self._note("learn", x)
        self._inner.learn_one(x, y, **kwargs)


def _events(examples: list[tuple[dict[str, Any], Any]]) -> list[dict[str, Any]]:
    from datetime import timedelta

    from learnstream.connectors.simulated import DEFAULT_START

    return [
        {"i": i, "ts": DEFAULT_START + timedelta(seconds=i), "x": x, "y": y}
        for i, (x, y) in enumerate(examples)
    ]


def _run(
    runner: Runner, what: str, fn: str, source: Source, model: Any, report: dict[str, Any]
) -> dict[str, Any]:
    sink = Sink()
    handle = runner.start(what, fn, [source, sink, model])
    report["type"] = handle.type
    if handle.flow:
        runner.run_flow(what, handle, frozen=False)
        report["outputs"] = sink.items
    return report


def prequential(
    runner: Runner, what: str, fn: str, spec: dict[str, Any], model: str
) -> dict[str, Any]:
    """`fn(source, sink, model)` on the spec's examples with one instrumented model."""
    examples = examples_of(spec)
    index = _index_of(examples)
    log: list[list[Any]] = []
    recorder = Remote(Recorder(make_model(model), 0, log, index), MODEL_METHODS)
    source = Source.of(_events(examples), spec.get("batch_size", 50))
    return _run(runner, what, fn, source, recorder, {"log": log})


def with_factory(
    runner: Runner, what: str, fn: str, spec: dict[str, Any], model: str
) -> dict[str, Any]:
    """`fn(source, sink, make_model)`: every model the flow makes is instrumented and numbered."""
    examples = examples_of(spec)
    index = _index_of(examples)
    log: list[list[Any]] = []
    made: list[Recorder] = []

    def factory() -> Remote:
        recorder = Recorder(make_model(model), len(made), log, index, factory)
        made.append(recorder)
        log.append(["make", recorder._id, -1, None])
        return Remote(recorder, MODEL_METHODS)

    source = Source.of(_events(examples), spec.get("batch_size", 500))
    report = _run(runner, what, fn, source, Callback(factory), {"log": log})
    report["labels"] = [y for _, y in examples]
    return report


#: After how many updates the memory of a `RunningStats` is measured (see `probes.held_memory`).
STATS_MARKS = [100, 1100, 2100, 3100]


def running_stats(runner: Runner, what: str, cls: str, runs: list[list[float]]) -> dict[str, Any]:
    """For each list of values: a fresh `cls()`, updated value by value.

    Reports `(n, mean, variance)` after each update, whether `update` returned
    the object itself, and, when `runs` is empty, the memory a fresh object
    holds after each of `STATS_MARKS` updates with readings 0.0, 1.0, 2.0, ...,
    each carrying ballast (it must not keep the readings).
    """
    results = []
    returns_self = True
    shown = ("n", "mean", "variance")
    for values in runs:
        stats = runner.start(what, cls)
        updates = runner.each(what, stats, "update", Unwatched({"items": values}), shown)
        rows = runner.pull(what, updates, len(values)).items
        returns_self &= all(row[0] is True for row in rows)
        results.append([tuple(row[1:]) for row in rows])
    report: dict[str, Any] = {"results": results, "returns_self": returns_self}
    if not runs:
        stats = runner.start(what, cls)
        readings = Unwatched({"count": 0.0, "ballast": BALLAST})
        updates = runner.each(what, stats, "update", readings)
        report.update(held_memory(runner, what, updates, STATS_MARKS))
    return report
