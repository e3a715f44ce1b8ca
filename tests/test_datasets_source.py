"""DatasetSource: River's offline datasets and generators as event-time streams."""

from __future__ import annotations

import sys
from datetime import timedelta
from itertools import islice

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import learnstream.operators as op
from learnstream.connectors.datasets import RIVER_MISSING, DatasetSource, offline_datasets
from learnstream.dataflow import Dataflow
from learnstream.testing import TestingSink, run_main

river_datasets = pytest.importorskip("river.datasets")


def _through_a_flow(source: DatasetSource) -> list[dict]:
    out: list[dict] = []
    flow = Dataflow("replay")
    op.output("out", op.input("inp", flow, source), TestingSink(out))
    run_main(flow)
    return out


def test_a_bundled_dataset_is_replayed_whole_and_in_river_order() -> None:
    events = _through_a_flow(DatasetSource("Phishing", batch_size=100))
    assert [(e["x"], e["y"]) for e in events] == list(river_datasets.Phishing())
    assert [e["i"] for e in events] == list(range(1250))
    assert events[10]["ts"] - events[0]["ts"] == timedelta(seconds=10)


def test_a_generator_is_seeded_and_matches_rivers_own_stream() -> None:
    ours = list(DatasetSource("Agrawal", seed=7, limit=50, params={"classification_function": 3}))
    theirs = list(islice(river_datasets.synth.Agrawal(classification_function=3, seed=7), 50))
    assert [(e["x"], e["y"]) for e in ours] == theirs
    assert ours != list(DatasetSource("Agrawal", seed=8, limit=50))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), disorder=st.integers(0, 30), limit=st.integers(0, 200))
def test_disorder_is_bounded_and_loses_nothing_even_when_a_dataset_ends(
    seed: int, disorder: int, limit: int
) -> None:
    bound = timedelta(seconds=disorder)
    source = DatasetSource(
        "AirlinePassengers", seed=seed, limit=limit, max_disorder=bound, batch_size=7
    )
    events = _through_a_flow(source)
    delivered = sorted(e["i"] for e in events)
    assert len(delivered) == len(set(delivered)) == min(limit, 144)  # limit counts deliveries
    if limit >= 144:  # the dataset ran out with events in flight: they all arrive
        assert delivered == list(range(144))
    newest = None
    for event in events:
        if newest is not None:
            assert event["ts"] >= newest - bound
        newest = event["ts"] if newest is None else max(newest, event["ts"])


def test_datasets_that_download_are_refused_by_name_and_by_object() -> None:
    assert "Elec2" not in offline_datasets()
    with pytest.raises(ValueError, match="downloads its data at run time"):
        DatasetSource("Elec2")
    with pytest.raises(ValueError, match="downloads its data at run time"):
        DatasetSource(river_datasets.Elec2())
    with pytest.raises(ValueError, match="not a River dataset"):
        DatasetSource("Phising")


def test_a_dataset_object_is_replayed_and_resumes_from_a_snapshot() -> None:
    drifting = river_datasets.synth.ConceptDriftStream(seed=1, position=100, width=10)
    source = DatasetSource(drifting, batch_size=4, limit=40)
    part = source.build_part("inp", "simulated", None)
    part.next_batch()
    state = part.snapshot()
    expected = part.next_batch()
    assert source.build_part("inp", "simulated", state).next_batch() == expected


def test_without_river_the_source_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "river" or m.startswith("river.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError) as caught:
        DatasetSource("Phishing")
    assert str(caught.value) == RIVER_MISSING
    assert 'pip install "learnstream[ml]"' in RIVER_MISSING
