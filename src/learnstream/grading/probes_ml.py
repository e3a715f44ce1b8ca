"""Part 4's probes: they run the learner's online-learning code inside the child process.

Like `learnstream.grading.probes`, a probe gets the learner's module and plain
data, calls the learner's code and returns plain data; the checks (in
`labs/part4/*/checks.py`) decide. What is special here is the models: the learner's
flow is handed **instrumented** River models (`Recorder`) that log every call —
which example was predicted or learned, by which model instance — so that the
checks can see leakage (learning an example before predicting it), a model that
was not replaced after a drift, or a model that was never used.

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

import itertools
import random
from collections.abc import Callable, Iterator
from itertools import islice
from types import ModuleType
from typing import Any

from learnstream.grading.probes import find, held_memory, type_name

#: ConceptDriftStream of Agrawal: rule 0 until POSITION, rule 4 after (WIDTH: how gradual).
POSITION, WIDTH = 3000, 50


def examples_of(spec: dict[str, Any]) -> list[tuple[dict[str, Any], Any]]:
    """The `(x, y)` examples a spec names (all offline, all seeded).

    - `{"kind": "dataset", "name": "Phishing", "limit": n}`: a bundled dataset;
    - `{"kind": "agrawal", "seed": s, "limit": n}`: River's Agrawal generator;
    - `{"kind": "drift", "seed": s, "limit": n}`: Agrawal rule 0 becoming rule 4;
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
            position=POSITION,
            width=WIDTH,
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
    """A fresh model by name: "logreg", "naive_bayes" or "memorizer"."""
    if name == "memorizer":
        return _memorizer()
    from river import linear_model, naive_bayes, preprocessing

    if name == "logreg":
        return preprocessing.StandardScaler() | linear_model.LogisticRegression()
    return preprocessing.StandardScaler() | naive_bayes.GaussianNB()


def _key(x: Any) -> Any:
    try:
        return tuple(sorted(x.items()))
    except (AttributeError, TypeError):
        return None


class Recorder:
    """A model that does what it is asked and logs `[call, model id, example index, answer]`.

    The example index is found from `x`'s contents, so a learner who copies `x`
    is still recognised; an `x` the stream never had is logged as -1.
    """

    def __init__(
        self,
        inner: Any,
        model_id: int,
        log: list[list[Any]],
        index: dict,
        fresh: Callable[[], Recorder] | None = None,
    ) -> None:
        self._inner, self._id, self._log, self._index = inner, model_id, log, index
        self._fresh = fresh

    def clone(self, *args: Any, **kwargs: Any) -> Any:
        """An untrained copy; in a drift run, a new instrumented model like make_model's."""
        if self._fresh is not None and not args and not kwargs:
            return self._fresh()
        return self._inner.clone(*args, **kwargs)

    def _note(self, call: str, x: Any, answer: Any = None) -> None:
        self._log.append([call, self._id, self._index.get(_key(x), -1), answer])

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

    def __getattr__(self, name: str) -> Any:  # anything else (clone, ...) is the model's
        return getattr(self._inner, name)


def _events(examples: list[tuple[dict[str, Any], Any]]) -> list[dict[str, Any]]:
    from datetime import timedelta

    from learnstream.connectors.simulated import DEFAULT_START

    return [
        {"i": i, "ts": DEFAULT_START + timedelta(seconds=i), "x": x, "y": y}
        for i, (x, y) in enumerate(examples)
    ]


def _run(flow: Any, out: list[Any], report: dict[str, Any]) -> dict[str, Any]:
    from learnstream.dataflow import Dataflow
    from learnstream.testing import run_main

    report["type"] = type_name(flow)
    if isinstance(flow, Dataflow):
        run_main(flow)
        report["outputs"] = out
    return report


def prequential(
    module: ModuleType | Any, fn: str, spec: dict[str, Any], model: str
) -> dict[str, Any]:
    """`fn(source, sink, model)` on the spec's examples with one instrumented model."""
    from learnstream.testing import TestingSink, TestingSource

    examples = examples_of(spec)
    index = {_key(x): i for i, (x, _) in enumerate(examples)}
    log: list[list[Any]] = []
    out: list[Any] = []
    recorder = Recorder(make_model(model), 0, log, index)
    source = TestingSource(_events(examples), batch_size=spec.get("batch_size", 50))
    flow = find(module, fn)(source, TestingSink(out), recorder)
    return _run(flow, out, {"log": log})


def with_factory(
    module: ModuleType | Any, fn: str, spec: dict[str, Any], model: str
) -> dict[str, Any]:
    """`fn(source, sink, make_model)`: every model the flow makes is instrumented and numbered."""
    from learnstream.testing import TestingSink, TestingSource

    examples = examples_of(spec)
    index = {_key(x): i for i, (x, _) in enumerate(examples)}
    log: list[list[Any]] = []
    out: list[Any] = []
    made: list[Recorder] = []

    def factory() -> Recorder:
        recorder = Recorder(make_model(model), len(made), log, index, factory)
        made.append(recorder)
        log.append(["make", recorder._id, -1, None])
        return recorder

    source = TestingSource(_events(examples), batch_size=spec.get("batch_size", 500))
    flow = find(module, fn)(source, TestingSink(out), factory)
    report = _run(flow, out, {"log": log})
    report["labels"] = [y for _, y in examples]
    return report


#: After how many updates the memory of a `RunningStats` is measured (see `probes.held_memory`).
STATS_MARKS = [100, 1100, 2100, 3100]


def running_stats(module: ModuleType | Any, cls: str, runs: list[list[float]]) -> dict[str, Any]:
    """For each list of values: a fresh `cls()`, updated value by value.

    Reports `(n, mean, variance)` after each update, whether `update` returned
    the object itself, and the memory a fresh object holds after each of
    `STATS_MARKS` updates (it must not keep the readings).
    """
    make: Callable[[], Any] = find(module, cls)
    results = []
    returns_self = True
    for values in runs:
        stats = make()
        seen = []
        for value in values:
            returns_self &= stats.update(value) is stats
            seen.append((stats.n, stats.mean, stats.variance))
        results.append(seen)
    held, _ = held_memory(_updates(make()), STATS_MARKS)
    return {"results": results, "returns_self": returns_self, "held": held}


def _updates(stats: Any) -> Iterator[None]:
    """Update `stats` once per item pulled (readings that are new float objects each time)."""
    for count in itertools.count():
        stats.update(float(count % 7))
        yield None
