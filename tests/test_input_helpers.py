"""The source helpers Bytewax has (`SimplePollingSource`, `batch*`) behave as Bytewax's do.

Bytewax 0.21.1 is the oracle: the same calls go to both and must agree.
"""

from __future__ import annotations

import asyncio
import queue
from datetime import UTC, datetime, timedelta
from typing import Any

import bytewax.inputs as bw_inputs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import learnstream.operators as op
from learnstream import inputs
from learnstream.dataflow import Dataflow
from learnstream.testing import TestingSink, TimeTestingGetter, run_main

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
minutes = st.integers(min_value=0, max_value=600).map(lambda m: timedelta(minutes=m))


@settings(max_examples=60, deadline=None)
@given(
    start=minutes,
    align=st.one_of(st.none(), minutes),
    interval=st.integers(1, 90).map(lambda m: timedelta(minutes=m)),
    retry=st.integers(0, 30).map(lambda s: timedelta(seconds=s)),
)
def test_polling_partition_wakes_when_bytewax_does(
    start: timedelta, align: timedelta | None, interval: timedelta, retry: timedelta
) -> None:
    now = T0 + start
    align_to = None if align is None else T0 + align

    def scripted(retry_cls: Any) -> Any:
        answers = iter([1, None, "retry", 2])

        def getter() -> Any:
            answer = next(answers)
            if answer == "retry":
                raise retry_cls(retry)
            return answer

        return getter

    ours = inputs._SimplePollingPartition(
        now, interval, align_to, scripted(inputs.SimplePollingSource.Retry), lambda: None
    )
    theirs = bw_inputs._SimplePollingPartition(
        now, interval, align_to, scripted(bw_inputs.SimplePollingSource.Retry), lambda: None
    )
    assert ours.next_awake() == theirs.next_awake()
    for _ in range(4):
        assert ours.next_batch() == theirs.next_batch()
        assert ours.next_awake() == theirs.next_awake()


class Ticker(inputs.SimplePollingSource[int, int]):
    """Counts up, one number a poll, and resumes from where it stopped."""

    def __init__(self, stop: int, clock: TimeTestingGetter) -> None:
        super().__init__(interval=timedelta(minutes=5))
        self.n, self.stop, self.clock = 0, stop, clock

    def next_item(self) -> int:
        if self.n == self.stop:
            raise StopIteration
        self.n += 1
        self.clock.advance(timedelta(minutes=5))
        return self.n

    def snapshot(self) -> int:
        return self.n

    def resume(self, resume_state: int) -> None:
        self.n = resume_state


def test_polling_source_runs_in_a_flow_on_the_runs_clock() -> None:
    clock = TimeTestingGetter(T0)
    out: list[int] = []
    flow = Dataflow("poll")
    op.output("out", op.input("inp", flow, Ticker(4, clock)), TestingSink(out))
    run_main(flow, now_getter=clock.get)
    assert out == [1, 2, 3, 4]
    assert clock.now == T0 + timedelta(minutes=20)


def test_polling_source_resume_state_goes_to_resume() -> None:
    source = Ticker(9, TimeTestingGetter(T0))
    part = source.build_part("s", "singleton", 6)
    assert part.snapshot() == 6
    assert part.next_batch() == [7]


@given(st.lists(st.integers()), st.integers(1, 5))
def test_batch_matches_bytewax(items: list[int], size: int) -> None:
    assert list(inputs.batch(items, size)) == list(bw_inputs.batch(items, size))


# A script for a getter: ints are items, "gap" is "nothing yet", the end is EOF.
scripts = st.lists(st.one_of(st.integers(0, 9), st.just("gap")), max_size=20)


def _drain(batcher: Any, limit: int = 50) -> list[Any]:
    got = []
    for batch in batcher:
        got.append(batch)
        if len(got) == limit:
            break
    return got


@given(scripts, st.integers(1, 4))
def test_batch_getter_matches_bytewax(script: list[Any], size: int) -> None:
    def make_getter() -> Any:
        it = iter(script)
        return lambda: None if (x := next(it)) == "gap" else x

    ours = _drain(inputs.batch_getter(make_getter(), size))
    assert ours == _drain(bw_inputs.batch_getter(make_getter(), size))
    assert ours[-1] == [] or sum(map(len, ours)) == sum(x != "gap" for x in script)


@given(scripts, st.integers(1, 4))
def test_batch_getter_ex_matches_bytewax(script: list[Any], size: int) -> None:
    def make_getter() -> Any:
        it = iter(script)

        def get() -> int:
            x = next(it)
            if x == "gap":
                raise queue.Empty
            return x

        return get

    ours = _drain(inputs.batch_getter_ex(make_getter(), size))
    assert ours == _drain(bw_inputs.batch_getter_ex(make_getter(), size))


def test_batch_getter_ex_other_exception_passes_through() -> None:
    def get() -> int:
        raise KeyError("boom")

    with pytest.raises(KeyError):
        next(inputs.batch_getter_ex(get, 3))


async def _slow_numbers(n: int, pause: float) -> Any:
    for i in range(n):
        await asyncio.sleep(pause)
        yield i


@pytest.mark.parametrize(("pause", "timeout"), [(0.0, 1.0), (0.05, 0.12)])
def test_batch_async_matches_bytewax_and_keeps_the_awaited_item(
    pause: float, timeout: float
) -> None:
    td = timedelta(seconds=timeout)
    ours = list(inputs.batch_async(_slow_numbers(5, pause), td, 3))
    theirs = list(bw_inputs.batch_async(_slow_numbers(5, pause), td, 3))
    assert [x for b in ours for x in b] == list(range(5))
    if pause == 0.0:
        assert ours == theirs == [[0, 1, 2], [3, 4]]
    else:
        # The timeout splits batches; nothing in flight is lost.
        assert all(len(b) <= 3 for b in ours)
        assert [x for b in theirs for x in b] == list(range(5))
