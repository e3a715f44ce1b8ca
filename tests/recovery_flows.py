"""Flows the crash-and-resume tests run in child processes (`python -m learnstream.run`).

Each reads its input from files named by environment variables and writes one
`FileSink`. `LS_KILL_AT=n` makes the process SIGKILL itself as it maps the n-th
item it reads (counted from this process's start), so hypothesis can choose the
moment of each crash and shrink to it.
"""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime, timedelta
from typing import Any

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.connectors.files import FileSink, FileSource
from learnstream.dataflow import Dataflow

_seen = 0


def _maybe_die(item: Any) -> Any:
    """SIGKILL this process at the item `LS_KILL_AT` names (a real crash, no cleanup)."""
    global _seen
    _seen += 1
    if _seen == int(os.environ.get("LS_KILL_AT", "0")):
        os.kill(os.getpid(), signal.SIGKILL)
    return item


def _source(name: str) -> FileSource:
    return FileSource(os.environ[name], batch_size=int(os.environ.get("LS_BATCH", "3")))


def _sink() -> FileSink:
    return FileSink(os.environ["LS_OUT"])


def _running_count(total: int | None, _word: str) -> tuple[int, int]:
    total = (total or 0) + 1
    return total, total


def wordcount() -> Dataflow:
    """Running counts (stateful_map), final counts (count_final), letters per initial (fold_final)."""
    flow = Dataflow("wc")
    lines = op.map("die", op.input("inp", flow, _source("LS_IN")), _maybe_die)
    words = op.flat_map("split", lines, str.split)
    running = op.stateful_map("running", op.key_on("key", words, str.lower), _running_count)
    finals = op.count_final("final", words, str.lower)
    by_letter = op.key_on("letter", words, lambda w: w[0])
    letters = op.fold_final("letters", by_letter, lambda: 0, lambda n, w: n + len(w))
    both = op.merge(
        "both",
        op.map("r", running, lambda kv: ("", f"running {kv[0]} {kv[1]}")),
        op.map("f", finals, lambda kv: ("", f"final {kv[0]} {kv[1]}")),
        op.map("l", letters, lambda kv: ("", f"letters {kv[0]} {kv[1]}")),
    )
    op.output("out", both, _sink())
    return flow


START = datetime(2026, 1, 1, tzinfo=UTC)


def _parse(line: str) -> tuple[str, tuple[datetime, int]]:
    minute, key, value = line.split(",")
    return key, (START + timedelta(minutes=int(minute)), int(value))


def windows() -> Dataflow:
    """Tumbling 10-minute sums and counts per key on event time, late items on their own stream."""
    flow = Dataflow("win")
    items = op.map(
        "parse", op.map("die", op.input("inp", flow, _source("LS_IN")), _maybe_die), _parse
    )
    clock = win.EventClock(lambda v: v[0], wait_for_system_duration=timedelta(seconds=330))
    windower = win.TumblingWindower(length=timedelta(minutes=10), align_to=START)
    out = win.fold_window(
        "sum", items, clock, windower, lambda: 0, lambda s, v: s + v[1], lambda a, b: a + b
    )
    item_clock = win.EventClock(
        lambda kv: kv[1][0], wait_for_system_duration=timedelta(seconds=330)
    )
    counts = win.count_window("count", items, item_clock, windower, lambda kv: kv[0])
    shown = op.merge(
        "both",
        op.map("c", counts.down, lambda kv: ("", f"count {kv[0]} {kv[1][0]} {kv[1][1]}")),
        op.map("d", out.down, lambda kv: ("", f"window {kv[0]} {kv[1][0]} {kv[1][1]}")),
        op.map("l", out.late, lambda kv: ("", f"late {kv[0]} {kv[1][1][0]:%H:%M} {kv[1][1][1]}")),
    )
    op.output("out", shown, _sink())
    return flow


def _keyed(line: str) -> tuple[str, str]:
    key, value = line.split(",")
    return key, value


def join() -> Dataflow:
    """A running join of orders and payments by order id (each update emitted)."""
    flow = Dataflow("joined")
    orders = op.map(
        "ko", op.map("die", op.input("orders", flow, _source("LS_IN")), _maybe_die), _keyed
    )
    payments = op.map("kp", op.input("payments", flow, _source("LS_IN2")), _keyed)
    joined = op.join("join", orders, payments, emit_mode="running")
    op.output(
        "out", op.map("fmt", joined, lambda kv: ("", f"{kv[0]} {kv[1][0]} {kv[1][1]}")), _sink()
    )
    return flow
