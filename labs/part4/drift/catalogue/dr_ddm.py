# Catalogue case dr_ddm: watches the errors with DDM instead of ADWIN
"""Exercise 4 — `drift`: notice when the world changes, and start again.

A model trained on yesterday's stream is wrong when the rules behind the data
change (*concept drift*): its error rate jumps and stays up, and a model that
has learned for a long time unlearns slowly. ADWIN watches a stream of numbers —
here the model's errors, 1 for a wrong prediction and 0 for a right one — and
says when their recent average differs from the older one more than chance
explains. When it does, throw the model away and train a fresh one.

Write `build_flow(source, sink, make_model) -> Dataflow`:

- `source` gives events `{"i": int, "ts": datetime, "x": dict, "y": label}` in
  order; `make_model()` returns a fresh, untrained River classifier;
- keep the current model and one `river.drift.ADWIN()` (default settings) as the
  state of one `op.stateful_map` (key every event on the same key);
- for every event: predict with the current model (`predict_one`), then
  `correct = y_pred == y`, then feed ADWIN the error (`adwin.update(0 if correct
  else 1)`); if `adwin.drift_detected`, replace the model with `make_model()`;
  then the (possibly new) model learns the event (`learn_one`);
- write `(event["i"], (correct, drifted))` to `sink` after every event, where
  `drifted` says whether ADWIN detected a drift on this event.

What the grader checks, on River's `ConceptDriftStream` of `Agrawal` streams
(function 0 becoming function 4 at position 3000, width 50) with seeds it
chooses, and a Gaussian naive Bayes model:

- a drift is detected within `DETECT_WITHIN` events after the change;
- at most `MAX_FALSE_ALARMS` drifts on 5000 events of a stream that never changes;
- accuracy over events 3500–4499 (after the change) is at least `RECOVERED`;
  a model that is never replaced stays near 0.58 there.

Try it:

    from river import naive_bayes, preprocessing
    from river.datasets import synth
    from learnstream.connectors.datasets import DatasetSource
    from learnstream.testing import TestingSink, run_main
    from ex4_drift import build_flow
    stream = synth.ConceptDriftStream(
        stream=synth.Agrawal(classification_function=0, seed=1),
        drift_stream=synth.Agrawal(classification_function=4, seed=2),
        position=3000, width=50, seed=1,
    )
    out = []
    make = lambda: preprocessing.StandardScaler() | naive_bayes.GaussianNB()
    run_main(build_flow(DatasetSource(stream, limit=5000), TestingSink(out), make))
    [i for i, (correct, drifted) in out if drifted]   # [3071]

Check your work: `learnstream grade part4 drift`. Stuck? `learnstream hint part4 drift`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from river import drift

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.inputs import Source
from learnstream.outputs import Sink

#: The change must be detected at most this many events after it happens.
DETECT_WITHIN = 500
#: At most this many drifts may be detected on a stream that never changes.
MAX_FALSE_ALARMS = 1
#: Accuracy the flow must get back to after the change.
RECOVERED = 0.70


def build_flow(
    source: Source[dict[str, Any]],
    sink: Sink[tuple[int, tuple[bool, bool]]],
    make_model: Callable[[], Any],
) -> Dataflow:
    """Predict, watch the errors with ADWIN, start a fresh model on drift, then learn."""

    def step(state: Any, event: dict[str, Any]) -> tuple[Any, tuple[int, tuple[bool, bool]]]:
        model, detector = state or (make_model(), drift.binary.DDM())
        x, y = event["x"], event["y"]
        correct = model.predict_one(x) == y
        detector.update(not correct)
        drifted = detector.drift_detected
        if drifted:
            model = make_model()  # the old concept is gone: start again
        model.learn_one(x, y)
        return (model, detector), (event["i"], (correct, drifted))

    flow = Dataflow("drift")
    events = op.input("events", flow, source)
    keyed = op.key_on("one_model", events, lambda event: "model")
    watched = op.stateful_map("predict_watch_learn", keyed, step)
    op.output("out", op.key_rm("unkey", watched), sink)
    return flow
