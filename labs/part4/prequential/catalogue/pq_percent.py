# Catalogue case pq_percent: writes the accuracy as a percentage
"""Exercise 3 — `prequential`: evaluate a model that learns as the stream goes by.

On a stream there is no test set put aside: every labelled example is first a
test (the model predicts its label without having seen it), then a lesson (the
model learns from it). This *prequential* ("test-then-train") evaluation uses
every example once for each, and never lets the model peek: learning first and
predicting after would score the model on examples it has just memorised.

Write `build_flow(source, sink, model) -> Dataflow`:

- `source` gives events `{"i": int, "ts": datetime, "x": dict, "y": label}` in
  order (`learnstream.connectors.datasets.DatasetSource` makes them from River's
  datasets); `model` is a River classifier, already built;
- keep the model and a `river.metrics.Accuracy()` as the state of one
  `op.stateful_map` (key every event on the same key, e.g. "model");
- for every event, in this order: `y_pred = model.predict_one(x)`; update the
  metric with `(y, y_pred)` — unless `y_pred` is `None` (a model that has not
  seen any label yet may have nothing to say: it is not scored, as River does);
  then `model.learn_one(x, y)`. Call each exactly once per event;
- write `(event["i"], accuracy)` to `sink` after every event, where `accuracy`
  is the metric's `.get()` so far.

Your accuracies must be exactly those of River's own
`evaluate.progressive_val_score(dataset, model, metrics.Accuracy())` at every step
(the grader uses `evaluate.iter_progressive_val_score(..., step=1)` on a fresh
copy of the same model).

Try it:

    from river import linear_model, preprocessing
    from learnstream.connectors.datasets import DatasetSource
    from learnstream.testing import TestingSink, run_main
    from ex3_prequential import build_flow
    model = preprocessing.StandardScaler() | linear_model.LogisticRegression()
    out = []
    run_main(build_flow(DatasetSource("Phishing"), TestingSink(out), model))
    out[-1]   # (1249, 0.8928)

Check your work: `learnstream grade part4 prequential`. Stuck? `learnstream hint part4 prequential`.
"""

from __future__ import annotations

from typing import Any

from river import metrics

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.inputs import Source
from learnstream.outputs import Sink


def build_flow(
    source: Source[dict[str, Any]], sink: Sink[tuple[int, float]], model: Any
) -> Dataflow:
    """Test then train on every event; write the running accuracy after each."""

    def test_then_train(state: Any, event: dict[str, Any]) -> tuple[Any, tuple[int, float]]:
        learner, accuracy = state or (model, metrics.Accuracy())
        x, y = event["x"], event["y"]
        y_pred = learner.predict_one(x)  # test on the example before the model has seen it
        if y_pred is not None:
            accuracy.update(y, y_pred)
        learner.learn_one(x, y)  # then train on it
        return (learner, accuracy), (event["i"], 100 * accuracy.get())

    flow = Dataflow("prequential")
    events = op.input("events", flow, source)
    keyed = op.key_on("one_model", events, lambda event: "model")
    scored = op.stateful_map("test_then_train", keyed, test_then_train)
    op.output("out", op.key_rm("unkey", scored), sink)
    return flow
