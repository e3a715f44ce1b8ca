"""Flows run on learnstream and on Bytewax by the scale-out tests, and how to run them.

Every flow writes `repr(item)` lines through `ReprSink` into a directory, one
file per sink, process and worker, so that what a cluster of processes wrote
can be gathered and compared, as multisets, with what learnstream wrote.
Child processes import this module (with `tests/` on their path) to build the
very same flow; `python tests/scaleout_flows.py NAME OUT_DIR ADDRESSES PROC_ID`
runs one process of a cluster.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from grading_helpers import generated

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.connectors.files import DirSource
from learnstream.connectors.simulated import ClickstreamSource, SensorSource
from learnstream.dataflow import Dataflow
from learnstream.engine import clock
from learnstream.outputs import DynamicSink, StatelessSinkPartition
from learnstream.testing import TestingSource, cluster_main, run_main

ROOT = Path(__file__).resolve().parent.parent
#: The system time the flows see: frozen, as the grader freezes it, so that
#: lateness depends on event time alone and runs are repeatable.
FROZEN_NOW = datetime(2024, 1, 1, tzinfo=UTC)


class _ReprPartition(StatelessSinkPartition[Any]):
    def __init__(self, path: Path) -> None:
        self.path = path

    def write_batch(self, items: list[Any]) -> None:
        with self.path.open("a") as f:
            f.writelines(f"{item!r}\n" for item in items)


class ReprSink(DynamicSink[Any]):
    """Appends `repr(item)` lines to `OUT_DIR/NAME-PID-WORKER.txt`."""

    def __init__(self, out_dir: Path, name: str) -> None:
        self.out_dir = out_dir
        self.name = name

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _ReprPartition:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        return _ReprPartition(self.out_dir / f"{self.name}-{os.getpid()}-{worker_index}.txt")


def gathered(out_dir: Path) -> dict[str, Counter[str]]:
    """Per sink name, the multiset of lines every process and worker wrote."""
    found: dict[str, Counter[str]] = {}
    for path in sorted(out_dir.glob("*.txt")):
        name = path.name.split("-")[0]
        found.setdefault(name, Counter()).update(path.read_text().splitlines())
    return found


def solution(part: int, name: str) -> ModuleType:
    """A reference solution, imported from its file as the grader does."""
    path = generated("solutions") / f"part{part}" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"solution_p{part}_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LINES = [
    "To be, or not to be, that is the question:",
    "Whether 'tis nobler in the mind to suffer",
    "The slings and arrows of outrageous fortune,",
    "Or to take arms against a sea of troubles",
] * 25


def wordcount(out: Path) -> Dataflow:
    """Part 1's word count (exercise 5's reference solution)."""
    return solution(1, "ex5_wordcount").build_flow(
        TestingSource(LINES, batch_size=7), ReprSink(out, "out")
    )


def part1_generators(out: Path) -> Dataflow:
    """Exercises 1-4 of Part 1 (plain generators) as the steps of one flow."""
    ex1 = solution(1, "ex1_generator")
    ex2, ex3, ex4 = solution(1, "ex2_map"), solution(1, "ex3_filter"), solution(1, "ex4_stateful")
    numbers = itertools.islice(ex1.rand_stream(0, 60, rng=random.Random(7)), 600)
    flow = Dataflow("generators")
    s = op.input("numbers", flow, TestingSource(numbers, batch_size=16))
    s = op.flat_map_batch("double", s, lambda xs: list(ex2.double(xs)))
    s = op.flat_map_batch("below_fifty", s, lambda xs: list(ex3.less_than_fifty(xs)))
    keyed = op.key_on("by_last_digit", s, lambda x: str(x % 10))
    values = op.fold_final("values", keyed, list, lambda acc, x: [*acc, x])
    op.output(
        "out",
        op.map_value("means", values, lambda xs: list(ex4.running_mean(xs))),
        ReprSink(out, "out"),
    )
    return flow


def _sensors(seed: int) -> SensorSource:
    return SensorSource(sensors=4, seed=seed, limit=300, max_disorder=timedelta(seconds=40))


def tumbling(out: Path) -> Dataflow:
    """Part 2, exercise 1, on simulated sensors whose disorder makes late readings."""
    return solution(2, "ex1_tumbling").build_flow(_sensors(1), ReprSink(out, "out"))


def sliding(out: Path) -> Dataflow:
    """Part 2, exercise 2."""
    return solution(2, "ex2_sliding").build_flow(_sensors(2), ReprSink(out, "out"))


def sessions(out: Path) -> Dataflow:
    """Part 2, exercise 3, on a simulated clickstream."""
    clicks = ClickstreamSource(users=4, seed=3, limit=300, max_disorder=timedelta(seconds=45))
    return solution(2, "ex3_sessions").build_flow(clicks, ReprSink(out, "out"))


def late(out: Path) -> Dataflow:
    """Part 2, exercise 4: window counts, and late readings counted per sensor."""
    return solution(2, "ex4_late").build_flow(
        _sensors(4), ReprSink(out, "out"), ReprSink(out, "late")
    )


T0 = datetime(2024, 1, 1, tzinfo=UTC)
# A reading exactly on the watermark is on time; one a microsecond before it is
# late; a late reading for a window that already closed stays late (learnstream
# keeps each key's watermark, so no window is emitted twice on either engine).
EDGES = [
    ("a", 0),
    ("b", 5),
    ("a", 70),
    ("a", 60),
    ("a", 59.999999),
    ("b", 65),
    ("b", 5),
    ("a", 130),
    ("c", 10),
    ("a", 120),
    ("b", 200),
    ("b", 190),
    ("b", 0),
    ("c", 11),
]


def late_edges(out: Path) -> Dataflow:
    """A windowed flow fed readings on and just past the watermark, and much too late."""
    readings = [{"sensor": k, "ts": T0 + timedelta(seconds=s)} for k, s in EDGES]
    flow = Dataflow("late_edges")
    s = op.input("readings", flow, TestingSource(readings, batch_size=3))
    clock_ = win.EventClock(lambda r: r["ts"], wait_for_system_duration=timedelta(seconds=10))
    windows = win.TumblingWindower(length=timedelta(minutes=1), align_to=T0)
    counts = win.count_window("count", s, clock_, windows, key=lambda r: r["sensor"])
    op.output("out", counts.down, ReprSink(out, "out"))
    op.output("late", counts.late, ReprSink(out, "late"))
    op.output("meta", counts.meta, ReprSink(out, "meta"))
    return flow


ORDERS = [(f"o{i}", {"item": f"i{i % 7}", "qty": i % 3 + 1}) for i in range(60)]
PAYMENTS = [(f"o{i}", {"amount": i * 1.5}) for i in range(59, -1, -1) if i % 5]
REFUNDS = [(f"o{i}", -i) for i in range(0, 60, 4)] + [(f"o{i}", -2 * i) for i in range(0, 60, 8)]


def joins(out: Path) -> Dataflow:
    """Joins whose result does not depend on which side's item arrives first.

    Each key has at most one order and one payment, so `complete` emits one row
    per key whatever the interleaving; `final` with `product` keeps every value in
    arrival order per side (each side is one partition), so its rows are the same
    too. A `running` join emits a row per arrival: its rows depend on how the two
    sides interleave, which differs between workers (on Bytewax as well).
    """
    flow = Dataflow("joins")
    orders = op.input("orders", flow, TestingSource(ORDERS, batch_size=4))
    payments = op.input("payments", flow, TestingSource(PAYMENTS, batch_size=3))
    refunds = op.input("refunds", flow, TestingSource(REFUNDS, batch_size=5))
    paid = op.join("paid", orders, payments)
    op.output("paid_out", paid, ReprSink(out, "paid"))
    first = op.join("first", orders, refunds, insert_mode="first")
    op.output("first_out", first, ReprSink(out, "first"))
    every = op.join("every", orders, payments, refunds, insert_mode="product", emit_mode="final")
    op.output("every_out", every, ReprSink(out, "every"))
    return flow


def partitioned_files(out: Path) -> Dataflow:
    """Five files read by a `DirSource`: each is a partition, read by one worker only."""
    inputs = out.parent / "inputs"
    inputs.mkdir(exist_ok=True)
    for i in range(5):
        path = inputs / f"part{i}.txt"
        if not path.exists():  # the processes of a cluster build the flow at the same time
            tmp = path.with_suffix(f".{os.getpid()}")
            tmp.write_text("".join(f"{i}-{n}\n" for n in range(40)))
            tmp.replace(path)
    flow = Dataflow("files")
    lines = op.input("inp", flow, DirSource(inputs))
    op.output(
        "out", op.key_on("by_file", lines, lambda line: line.split("-")[0]), ReprSink(out, "out")
    )
    return flow


FLOWS: dict[str, Callable[[Path], Dataflow]] = {
    f.__name__: f
    for f in [
        wordcount,
        part1_generators,
        tumbling,
        sliding,
        sessions,
        late,
        late_edges,
        joins,
        partitioned_files,
    ]
}


def on_learnstream(name: str, out: Path) -> dict[str, Counter[str]]:
    """Run flow `name` on learnstream (one worker) and gather what it wrote."""
    run_main(FLOWS[name](out), now_getter=lambda: FROZEN_NOW)
    return gathered(out)


def on_bytewax_threads(name: str, out: Path, workers: int) -> dict[str, Counter[str]]:
    """Run flow `name` on Bytewax, `workers` threads in this process, via `cluster_main`."""
    with clock.using(lambda: FROZEN_NOW):
        cluster_main(FLOWS[name](out), [], 0, worker_count_per_proc=workers)
    return gathered(out)


def on_bytewax_processes(name: str, out: Path, processes: int) -> dict[str, Counter[str]]:
    """Run flow `name` on Bytewax as `processes` local processes, each calling `cluster_main`."""
    from learnstream.scaleout.launch import loopback_addresses

    addresses = ";".join(loopback_addresses(processes))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), *sys.path])}
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, name, str(out), addresses, str(i)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stdout + stderr
    return gathered(out)


def _process_main(name: str, out: str, addresses: str, proc_id: str) -> None:
    with clock.using(lambda: FROZEN_NOW):
        cluster_main(FLOWS[name](Path(out)), addresses.split(";"), int(proc_id))


if __name__ == "__main__":
    _process_main(*sys.argv[1:])
