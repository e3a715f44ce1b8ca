"""Learner mistakes with windows give messages naming the step, the item and the fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow
from learnstream.errors import StepError
from learnstream.testing import TestingSink, TestingSource, run_main

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def run_with_stamp(stamp_of: Any) -> None:
    flow = Dataflow("errs")
    s = op.input("inp", flow, TestingSource([("k", 1), ("k", 2)]))
    clock = win.EventClock(stamp_of, timedelta(seconds=1))
    out = win.count_window(
        "per_min", s, clock, win.TumblingWindower(timedelta(minutes=1), T0), key=lambda kv: kv[0]
    )
    op.output("out", out.down, TestingSink([]))
    run_main(flow)


def test_naive_datetime_names_the_step_and_the_fix() -> None:
    with pytest.raises(StepError) as err:
        run_with_stamp(lambda kv: datetime(2024, 1, 1, 0, 0, kv[1]))
    text = str(err.value)
    assert "'errs.per_min' (count_window)" in text
    assert "naive datetime" in text and "tzinfo=timezone.utc" in text
    assert "('k', ('k', 1))" in text


@pytest.mark.parametrize("stamp", [1_700_000_000, "2024-01-01T00:00:00Z", None])
def test_non_datetime_timestamp(stamp: Any) -> None:
    with pytest.raises(StepError) as err:
        run_with_stamp(lambda kv: stamp)
    assert f"a {type(stamp).__name__}), not a datetime" in str(err.value)
    assert "datetime.fromtimestamp" in str(err.value)


@pytest.mark.parametrize(
    "stamp",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-1))),
    ],
)
def test_timestamp_outside_datetime_range_in_utc(stamp: datetime) -> None:
    with pytest.raises(StepError) as err:
        run_with_stamp(lambda kv: stamp)
    text = str(err.value)
    assert "'errs.per_min' (count_window)" in text and "outside datetime's range" in text


def test_ts_getter_exception_shows_the_item() -> None:
    with pytest.raises(StepError) as err:
        run_with_stamp(lambda kv: kv["ts"])
    assert "raised TypeError" in str(err.value) and "('k', ('k', 1))" in str(err.value)


def test_aware_datetimes_in_other_zones_are_fine() -> None:
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    run_with_stamp(lambda kv: datetime(2024, 1, 1, 1, 0, kv[1], tzinfo=paris))


def test_unkeyed_items_are_explained() -> None:
    flow = Dataflow("unkeyed")
    s = op.input("inp", flow, TestingSource([T0]))
    clock = win.EventClock(lambda v: v, timedelta(0))
    out = win.collect_window("c", s, clock, win.SessionWindower(timedelta(minutes=5)))
    op.output("out", out.down, TestingSink([]))
    with pytest.raises(StepError, match="key_on"):
        run_main(flow)


@pytest.mark.parametrize(
    "make",
    [
        lambda: win.TumblingWindower(timedelta(0), T0),
        lambda: win.TumblingWindower(timedelta(minutes=1), datetime(2024, 1, 1)),
        lambda: win.SlidingWindower(timedelta(minutes=1), timedelta(minutes=2), T0),
        lambda: win.SessionWindower(timedelta(seconds=-1)),
    ],
)
def test_bad_windowers_are_refused_when_built(make: Any) -> None:
    with pytest.raises(ValueError):
        make()
