"""Epochs and timer order match Bytewax 0.21.1: the same flow runs on both.

`inspect_debug` shows each item's epoch; a `StatefulLogic` whose timer is always
due shows where `on_notify` falls between items.
"""

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bytewax.operators as bw_op
import bytewax.testing as bw_testing
import pytest
from bytewax.dataflow import Dataflow as BwDataflow

import learnstream.operators as ls_op
import learnstream.testing as ls_testing
from learnstream.dataflow import Dataflow as LsDataflow

LIBS = {"bytewax": (bw_op, BwDataflow, bw_testing), "learnstream": (ls_op, LsDataflow, ls_testing)}


def epochs(lib: str, batch_size: int, interval: timedelta | None, pause: float = 0) -> list[Any]:
    op, Dataflow, testing = LIBS[lib]
    items: list[Any] = list(range(3))
    if pause:
        items.append(testing.TestingSource.PAUSE(timedelta(seconds=pause)))
    items += [3, 4, 5]
    seen: list[tuple[int, int]] = []
    flow = Dataflow("epochs")
    s = op.input("inp", flow, testing.TestingSource(items, batch_size=batch_size))
    op.inspect_debug("dbg", s, lambda step, item, epoch, worker: seen.append((item, epoch)))
    kwargs = {} if interval is None else {"epoch_interval": interval}
    testing.run_main(flow, **kwargs)
    return seen


@pytest.mark.parametrize("batch_size", [1, 2, 3])
@pytest.mark.parametrize("interval", [None, timedelta(0)])
def test_epochs_number_items_as_bytewax_does(batch_size: int, interval: timedelta | None) -> None:
    ours = epochs("learnstream", batch_size, interval)
    assert ours == epochs("bytewax", batch_size, interval)
    if interval == timedelta(0):  # each batch is an epoch of its own
        assert [e for _, e in ours] == [1 + i // batch_size for i in range(6)]


def test_an_epoch_does_not_end_while_the_source_sleeps() -> None:
    # 1 s asleep with 0.25 s epochs: the item read on waking still belongs to
    # epoch 1; the epoch ends after it (Bytewax checks after reading).
    ours = epochs("learnstream", 1, timedelta(seconds=0.25), pause=1.0)
    assert ours == epochs("bytewax", 1, timedelta(seconds=0.25), pause=1.0)
    assert ours == [(0, 1), (1, 1), (2, 1), (3, 1), (4, 2), (5, 2)]


def test_epochs_on_a_test_clock_follow_the_clock() -> None:
    clock = ls_testing.TimeTestingGetter(datetime(2024, 1, 1, tzinfo=UTC))
    seen: list[tuple[int, int]] = []

    def tick(x: int) -> int:
        clock.advance(timedelta(seconds=4))  # each item "takes" 4 s
        return x

    flow = LsDataflow("clocked")
    s = ls_op.map("slow", ls_op.input("inp", flow, ls_testing.TestingSource(range(6))), tick)
    ls_op.inspect_debug("dbg", s, lambda step, item, epoch, worker: seen.append((item, epoch)))
    ls_testing.run_main(flow, epoch_interval=timedelta(seconds=10), now_getter=clock.get)
    # Ticks start at 0, 4, 8, 12, 16, 20 s; an epoch ends after the tick at >= 10 s past its start.
    assert seen == [(0, 1), (1, 1), (2, 1), (3, 1), (4, 2), (5, 2)]


def timer_order(lib: str, batch_size: int, lag: timedelta = timedelta(seconds=-1)) -> str:
    """The order of `on_item`/`on_notify`/`on_eof` calls for a timer set `lag` after each item."""
    op, Dataflow, testing = LIBS[lib]
    log: list[str] = []

    class AlwaysDue(op.StatefulLogic):  # type: ignore[name-defined,misc]
        def __init__(self) -> None:
            self.due: datetime | None = None

        def on_item(self, value: int) -> tuple[list[Any], bool]:
            log.append(f"i{value}")
            self.due = datetime.now(UTC) + lag
            return [], False

        def on_notify(self) -> tuple[list[Any], bool]:
            log.append("n")
            self.due = None
            return [], False

        def on_eof(self) -> tuple[list[Any], bool]:
            log.append("eof")
            return [], True

        def notify_at(self) -> datetime | None:
            return self.due

        def snapshot(self) -> None:
            return None

    flow = Dataflow("timers")
    s = op.input("inp", flow, testing.TestingSource([("k", i) for i in range(6)], batch_size))
    op.output("out", op.stateful("st", s, lambda resume: AlwaysDue()), testing.TestingSink([]))
    testing.run_main(flow, epoch_interval=timedelta(0))
    return " ".join(log)


@pytest.mark.parametrize("batch_size", [1, 2, 3])
def test_a_due_timer_fires_before_the_next_batch_as_in_bytewax(batch_size: int) -> None:
    ours = timer_order("learnstream", batch_size)
    assert ours == timer_order("bytewax", batch_size)
    assert ours.startswith("i0" + "".join(f" i{i}" for i in range(1, batch_size)) + " n")


def test_run_cli_epochs_follow_dash_s(tmp_path: Path) -> None:
    code = (
        "from datetime import timedelta\n"
        "import learnstream.operators as op\n"
        "from learnstream.dataflow import Dataflow\n"
        "from learnstream.testing import TestingSource\n"
        "flow = Dataflow('e')\n"
        "items = [1, TestingSource.PAUSE(timedelta(seconds=1.5)), 2, 3]\n"
        "s = op.input('inp', flow, TestingSource(items))\n"
        "op.inspect_debug('d', s, lambda st, x, ep, w: print(x, ep))\n"
    )
    work = tmp_path
    (work / "epochflow.py").write_text(code)

    def run(*flags: str) -> list[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "learnstream.run", "epochflow", *flags],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()

    # 1 s epochs: the item read on waking ends epoch 1, the next is in epoch 2.
    assert run("-s", "1") == ["1", "1", "2", "1", "3", "2"]
    assert run() == ["1", "1", "2", "1", "3", "1"]  # Bytewax's default: 10 s epochs


@pytest.mark.parametrize("batch_size", [1, 2])
def test_a_timer_falling_due_while_items_are_handled_fires_before_the_next_item(
    batch_size: int,
) -> None:
    # The timer is "now" as the item is handled: later than the time its batch
    # was read, earlier than the next batch. Bytewax fires it before the next item.
    ours = timer_order("learnstream", batch_size, lag=timedelta(0))
    assert ours == timer_order("bytewax", batch_size, lag=timedelta(0))
    per_batch = [
        " ".join(f"i{i}" for i in range(b, b + batch_size)) for b in range(0, 6, batch_size)
    ]
    assert ours == " n ".join(per_batch) + " n eof"
