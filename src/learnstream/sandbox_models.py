"""The River models Part 4's grader hands a learner's flow, made on the learner's side.

A flow that learns online calls its model once or twice per event. Were the model
kept in the grader's process, every call would cross the pipe: thousands of round
trips per run. So the model is made here, in the process that runs the learner's
code (`learnstream.sandbox_child`), by name, and it answers at once. Each call is
written down with its arguments and answer (`LoggedModel`), and the log goes back
to the grader a page at a time; the grader replays every call on its own copy of
the model and refuses a log its copy does not reproduce
(`learnstream.grading.probes_ml.ModelLog`). A learner's code that tampers with the
model or the log can so only send a log of calls that really give those answers —
which is what an honest flow sends.

Entries, each encoded as plain data (`learnstream.wire`) when the call is made:

- `["predict", key, x, kwargs, answer]` and `["predict_proba", key, x, kwargs, answer]`;
- `["learn", key, x, y, kwargs]`;
- `["clone", key, new_key, args]`: a copy made here (`new_key` names it from then on).

>>> log = []
>>> model = LoggedModel(make_model("memorizer"), 0, log.append)
>>> model.predict_one({"a": 1}) is None
True
>>> model.learn_one({"a": 1}, True)
>>> model.predict_one({"a": 1})
True
>>> from learnstream.wire import decode
>>> [decode(entry)[0] for entry in log]
['predict', 'learn', 'predict']
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from learnstream.wire import encode

#: What the learner's code may call of a model.
MODEL_METHODS = ("predict_one", "predict_proba_one", "learn_one", "clone")


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

        def learn_one(self, x: dict[Hashable, Any], y: Any, **kwargs: Any) -> None:
            self.seen[tuple(sorted(x.items()))] = y
            self.counts[y] = self.counts.get(y, 0) + 1

        def predict_proba_one(self, x: dict[Hashable, Any], **kwargs: Any) -> dict[Any, float]:
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


class LoggedModel:
    """A model that does what it is asked and writes each call down with `record(entry)`.

    Only `MODEL_METHODS` are offered. `fresh`, when given, is what `clone()` with no
    arguments returns (a new model from the grader's factory, numbered there).
    """

    def __init__(
        self,
        inner: Any,
        key: Any,
        record: Callable[[list[Any]], None],
        fresh: Callable[[], Any] | None = None,
    ) -> None:
        self._inner, self._key, self._record, self._fresh = inner, key, record, fresh
        self._clones = 0

    def __repr__(self) -> str:
        return repr(self._inner)

    def predict_one(self, x: dict[str, Any], **kwargs: Any) -> Any:
        answer = self._inner.predict_one(x, **kwargs)
        self._record(encode(["predict", self._key, x, kwargs, answer]))
        return answer

    def predict_proba_one(self, x: dict[str, Any], **kwargs: Any) -> Any:
        answer = self._inner.predict_proba_one(x, **kwargs)
        self._record(encode(["predict_proba", self._key, x, kwargs, answer]))
        return answer

    def learn_one(self, x: dict[str, Any], y: Any, **kwargs: Any) -> None:
        entry = encode(["learn", self._key, x, y, kwargs])
        self._inner.learn_one(x, y, **kwargs)
        self._record(entry)

    def clone(self, *args: Any) -> Any:
        """An untrained copy, logged too; in a drift run, a new model from the factory."""
        if self._fresh is not None and not args:
            return self._fresh()
        self._clones += 1
        key = f"{self._key}.{self._clones}"
        self._record(encode(["clone", self._key, key, list(args)]))
        return LoggedModel(self._inner.clone(*args), key, self._record)


def logged_model(
    name: str, key: Any, record: Callable[[list[Any]], None], fresh: Callable[[], Any] | None
) -> LoggedModel:
    """A fresh `make_model(name)`, logged under `key` (what a runner hands the learner's code)."""
    return LoggedModel(make_model(name), key, record, fresh)
