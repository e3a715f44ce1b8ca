"""Part 4's probes: they drive the learner's online-learning code through a `Runner`.

Like `learnstream.grading.probes`, a probe runs in the grader's process, calls
the learner's code through the runner and returns plain data; the checks (in
`labs/part4/*/checks.py`) decide. What is special here is the models: the learner's
flow is handed River models (`runner.Model`) made on its own side, where every call
is answered at once and written down (`learnstream.sandbox_models`). The log comes
back here, where `ModelLog` replays each call on the grader's own copy of the model
and refuses a log its copy does not reproduce. So the checks see leakage (learning
an example before predicting it), a model that was not replaced after a drift, or a
model that was never used, from calls that really happened.

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

import json
import random
from itertools import islice
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.probes import BALLAST, held_memory
from learnstream.grading.runner import (
    Callback,
    Model,
    RefusedLog,
    Runner,
    Sink,
    Source,
    Unwatched,
)
from learnstream.sandbox_models import make_model
from learnstream.wire import encode


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


def _key(x: Any) -> Any:
    try:
        return tuple(sorted(x.items()))
    except (AttributeError, TypeError):
        return None


class ModelLog:
    """The grader's side of the models a flow was handed: it replays their calls and logs them.

    The models themselves live where the learner's code runs (`learnstream.sandbox_models`);
    their calls come back here in pages (`receive`). Each call is replayed on this side's
    own copy of its model, and must give the answer the learner's side reported; then it
    is logged as `[call, model id, example index, answer]`. The example index is found
    from `x`'s contents (among equal examples, the first not yet so called); an `x` the
    stream never had is logged as -1.
    """

    def __init__(self, examples: list[tuple[dict[str, Any], Any]], name: str) -> None:
        self.calls: list[list[Any]] = []
        self._name = name
        self._where: dict[Any, list[int]] = {}
        for i, (x, _) in enumerate(examples):
            self._where.setdefault(_key(x), []).append(i)
        self._done: set[tuple[str, int]] = set()
        #: each model's replica here: key -> (model id, model)
        self._models: dict[Any, tuple[int, Any]] = {}

    def model(self, model_id: int, fresh: Callback | None = None) -> Model:
        """A new model (numbered `model_id` in the log) for the learner's side to make."""
        key = len(self._models)
        self._models[key] = (model_id, make_model(self._name))
        return Model(self._name, self, key, fresh)

    def _index(self, call: str, x: Any) -> int:
        found = self._where.get(_key(x), [-1])
        i = next((i for i in found if (call, i) not in self._done), found[-1])
        self._done.add((call, i))
        return i

    def receive(self, entries: list[Any]) -> None:
        """Replay and log the calls the learner's side made (`RefusedLog` if one does not fit)."""
        for entry in entries:
            try:
                self._replay(entry)
            except RefusedLog:
                raise
            except Exception as error:  # a malformed entry, or a call the model refuses here
                raise RefusedLog(f"a model call could not be replayed ({error})") from None

    def _replay(self, entry: list[Any]) -> None:
        call, key, *rest = entry
        model_id, model = self._models[key]
        if call == "clone":
            new_key, args = rest
            if new_key in self._models:
                raise RefusedLog(f"a model copy was named twice ({new_key!r})")
            self._models[new_key] = (model_id, model.clone(*args))
            return
        if call == "learn":
            x, y, kwargs = rest
            model.learn_one(x, y, **kwargs)
            self.calls.append(["learn", model_id, self._index("learn", x), None])
            return
        x, kwargs, answer = rest
        method = {"predict": model.predict_one, "predict_proba": model.predict_proba_one}[call]
        expected = method(x, **kwargs)
        if not _same(expected, answer):
            raise RefusedLog(
                f"the model's {call}_one answered {short_repr(answer)} where the grader's "
                f"copy of it, given the same calls, answers {short_repr(expected)}"
            )
        self.calls.append(
            [call, model_id, self._index("predict", x), answer if call == "predict" else None]
        )


def _same(a: Any, b: Any) -> bool:
    """Equal as plain data (NaN equals NaN here: a replay computes the same NaN)."""
    return json.dumps(encode(a)) == json.dumps(encode(b))


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
    """`fn(source, sink, model)` on the spec's examples with one logged model."""
    examples = examples_of(spec)
    log = ModelLog(examples, model)
    source = Source.of(_events(examples), spec.get("batch_size", 50))
    report = _run(runner, what, fn, source, log.model(0), {})
    report["log"] = log.calls
    return report


def with_factory(
    runner: Runner, what: str, fn: str, spec: dict[str, Any], model: str
) -> dict[str, Any]:
    """`fn(source, sink, make_model)`: every model the flow makes is logged and numbered."""
    examples = examples_of(spec)
    log = ModelLog(examples, model)
    made = [0]

    def factory() -> Model:
        model_id, made[0] = made[0], made[0] + 1
        log.calls.append(["make", model_id, -1, None])
        return log.model(model_id, fresh)

    fresh = Callback(factory)
    source = Source.of(_events(examples), spec.get("batch_size", 500))
    report = _run(runner, what, fn, source, fresh, {})
    report["log"] = log.calls
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
