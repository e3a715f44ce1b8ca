"""River's datasets replayed as event-time streams, for Part 4 (real-time ML).

`DatasetSource` plays a dataset that ships inside River (Phishing, Shuttle,
Bananas, TrumpApproval...) or one of River's synthetic generators (Agrawal, SEA,
ConceptDriftStream, AnomalySine...) as a stream of events
``{"i": n, "ts": datetime, "x": {feature: value}, "y": label}``: example `n` is
stamped ``start + n * period``, and may be delivered out of order by up to
`max_disorder`, as on a network. Only what works offline is accepted: River's
datasets that download their data at run time are refused with the list of
those that do not.

Like the other simulated sources it is deterministic: a generator is seeded with
`seed`, and the disorder is drawn from the same seed.

>>> from learnstream.dataflow import Dataflow
>>> import learnstream.operators as op
>>> from learnstream.testing import TestingSink, run_main
>>> out = []
>>> flow = Dataflow("phishing_eg")
>>> events = op.input("inp", flow, DatasetSource("Phishing", limit=3))
>>> op.output("out", op.map("label", events, lambda e: (e["i"], e["ts"].second, e["y"])), TestingSink(out))
>>> run_main(flow)
>>> out
[(0, 0, True), (1, 1, True), (2, 2, True)]

River is an optional dependency (the `ml` extra); without it the source says
what to install.
"""

from __future__ import annotations

import importlib
import inspect
import random
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from learnstream.connectors.simulated import DEFAULT_START, SimulatedSource, _delay

__all__ = ["RIVER_MISSING", "DatasetSource", "offline_datasets", "require_river"]

#: The one line that tells a learner how to get Part 4's dependency.
RIVER_MISSING = 'Part 4 needs River, the online-learning library: pip install "learnstream[ml]"'


def require_river(module: str = "river") -> Any:
    """Import River (or one of its modules), or raise ImportError saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if exc.name is not None and exc.name.split(".")[0] != "river":
            raise  # River is there, something it needs is broken: show that
        raise ImportError(RIVER_MISSING) from exc


def offline_datasets() -> list[str]:
    """The names `DatasetSource` accepts: River's bundled datasets and its generators.

    >>> {"Phishing", "Shuttle", "Agrawal", "ConceptDriftStream"} <= set(offline_datasets())
    True
    >>> "Elec2" in offline_datasets()  # downloaded at run time: not offered
    False
    """
    datasets = require_river("river.datasets")
    base, synth = datasets.base, datasets.synth
    names = []
    for name in dir(datasets):
        found = getattr(datasets, name)
        if (
            inspect.isclass(found)
            and issubclass(found, base.FileDataset)
            and not issubclass(found, base.RemoteDataset)
        ):
            names.append(name)
    names += [name for name in dir(synth) if name[:1].isupper()]
    return sorted(names)


def _build(name: str, seed: int | None, params: dict[str, Any]) -> Any:
    datasets = require_river("river.datasets")
    found = getattr(datasets, name, None) or getattr(datasets.synth, name, None)
    if found is None or name not in offline_datasets():
        downloads = inspect.isclass(found) and issubclass(found, datasets.base.RemoteDataset)
        why = "downloads its data at run time" if downloads else "is not a River dataset"
        raise ValueError(
            f"{name!r} {why}; DatasetSource replays what works offline: "
            + ", ".join(offline_datasets())
        )
    accepts = inspect.signature(found).parameters
    if "seed" in accepts:
        params = {"seed": seed, **params}
    elif "seed_sample" in accepts:  # RandomRBF and friends seed the model and the samples
        params = {"seed_model": seed, "seed_sample": seed, **params}
    return found(**params)


class DatasetSource(SimulatedSource[dict[str, Any]]):
    """A River dataset or generator as a stream of timestamped events.

    `dataset` is a name from `offline_datasets()` (built with `params`, and with
    `seed` when it is a generator) or a River dataset object, such as a
    `ConceptDriftStream` built by hand. Finite datasets end the stream when they
    run out; generators run until `limit`.

    >>> [(e["i"], e["y"]) for e in DatasetSource("SEA", seed=3, limit=4, params={"variant": 1})]
    [(0, False), (1, True), (2, False), (3, True)]
    >>> DatasetSource("Elec2")
    Traceback (most recent call last):
      ...
    ValueError: 'Elec2' downloads its data at run time; DatasetSource replays what works offline: ...
    """

    def __init__(
        self,
        dataset: str | Iterable[tuple[dict[str, Any], Any]],
        *,
        start: datetime = DEFAULT_START,
        period: timedelta = timedelta(seconds=1),
        max_disorder: timedelta = timedelta(0),
        params: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware, e.g. datetime(2024, 1, 1, tzinfo=UTC)")
        if period <= timedelta(0):
            raise ValueError(f"period must be positive, not {period!r}")
        if isinstance(dataset, str):
            self.dataset = _build(dataset, self.seed, params or {})
        elif params:
            raise ValueError("params only apply to a dataset given by name")
        else:
            remote = require_river("river.datasets").base.RemoteDataset
            if isinstance(dataset, remote):
                raise ValueError(
                    f"{type(dataset).__name__} downloads its data at run time; "
                    "DatasetSource replays what works offline: " + ", ".join(offline_datasets())
                )
            self.dataset = dataset
        self.start = start
        self.period = period
        self.max_disorder = max_disorder

    def _in_order(self) -> Iterator[dict[str, Any]]:
        # River's generators re-seed themselves on every iteration: each replay is the same.
        for i, (x, y) in enumerate(self.dataset):
            yield {"i": i, "ts": self.start + i * self.period, "x": x, "y": y}

    def generate(self, rng: random.Random) -> Iterator[dict[str, Any]]:
        return _delay(self._in_order(), rng, self.max_disorder)
