"""Print a stream to the terminal."""

from __future__ import annotations

import sys
from typing import Any

from learnstream.outputs import DynamicSink, StatelessSinkPartition

__all__ = ["StdOutSink"]


class _PrintPartition(StatelessSinkPartition[Any]):
    def write_batch(self, items: list[Any]) -> None:
        if items:
            sys.stdout.write("".join(f"{item}\n" for item in items))
            sys.stdout.flush()


class StdOutSink(DynamicSink[Any]):
    """Print each item on its own line (with `print`'s formatting: `str(item)`).

    >>> from learnstream.dataflow import Dataflow
    >>> import learnstream.operators as op
    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("stdout_eg")
    >>> op.output("out", op.input("inp", flow, TestingSource([("a", 1)])), StdOutSink())
    >>> run_main(flow)
    ('a', 1)
    """

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _PrintPartition:
        return _PrintPartition()
