"""Scale-out: W1-W3 on learnstream, and on Bytewax with 1 and 2 workers and 2 processes.

`python -m benchmarks.scaleout [--scale 1.0] [--markdown FILE]` runs each
workload at its everyday size (10 MB of text, 500k events, 2M ints) as whole
processes, through the commands a user types:

- `learnstream`: `python -m learnstream.run FLOW` (one worker);
- `learnstream on Bytewax`: the same command and flow with `--engine bytewax`
  and `-w 1`, `-w 2` or `-p 2`;
- `Bytewax`: the same flow code built from Bytewax's own modules (as in
  `benchmarks.workloads`), run by `python -m bytewax.run -w N` or
  `python -m bytewax.testing -p 2`.

Every process writes its share of the result into a directory; the runner
merges the shares into the workload's checksum and stops with an error unless
every system agrees. Each system runs once: the figures are one pass on
whatever machine runs them, so read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import data
from benchmarks import workloads as w
from benchmarks.runner import compile_sources

ROOT = Path(__file__).resolve().parents[1]
EVERYDAY = {"W1": 10_000_000, "W2": 500_000, "W3": 2_000_000}
WHAT = {
    "W1": "W1 word count, {size}",
    "W2": "W2 windowed count, {size}",
    "W3": "W3 map/filter, {size}",
}


def _shares_sink(api: w.Api, out_dir: str, show: Callable[[list[Any]], list[str]]) -> Any:
    """A sink writing each worker's share of the result to its own file in `out_dir`."""

    class _Share(api.outputs.StatelessSinkPartition):  # type: ignore[name-defined,misc]
        def __init__(self, path: Path) -> None:
            self.f = path.open("w")

        def write_batch(self, items: list[Any]) -> None:
            self.f.writelines(line + "\n" for line in show(items))

        def close(self) -> None:
            self.f.close()

    class SharesSink(api.outputs.DynamicSink):  # type: ignore[name-defined,misc]
        def build(self, step_id: str, worker_index: int, worker_count: int) -> _Share:
            return _Share(Path(out_dir) / f"{os.getpid()}-{worker_index}.txt")

    return SharesSink()


def flow(workload: str, source: str, out_dir: str, engine: str = "learnstream") -> Any:
    """Workload `workload`'s flow (the steps of `benchmarks.workloads`), writing shares."""
    api = w.bytewax_api() if engine == "bytewax" else w.learnstream_api()
    op = api.op
    dataflow = api.Dataflow(workload.lower())
    if workload == "W1":
        lines = op.input("inp", dataflow, api.FileSource(source))
        tokens = op.flat_map("tokenize", op.map("lowercase", lines, w.lower), w.tokenize)
        counts = op.count_final("count", tokens, lambda word: word)
        show = _w1_lines
        op.output("out", counts, _shares_sink(api, out_dir, show))
    elif workload == "W2":
        win = api.win
        events = op.map("parse", op.input("inp", dataflow, api.FileSource(source)), w.parse_event)
        clock = win.EventClock(w.event_time, wait_for_system_duration=w.timedelta(seconds=5))
        windower = win.TumblingWindower(
            length=w.timedelta(milliseconds=w.W2_WINDOW_MS),
            align_to=w.W2_EPOCH + w.timedelta(milliseconds=data.W2_START_MS),
        )
        counts = win.count_window("count", events, clock, windower, w.event_key)
        op.output("out", counts.down, _shares_sink(api, out_dir, _w2_lines))
    else:
        items = data.ints(int(source))
        nums = op.input("inp", dataflow, w.list_source(api, items, w.W3_BATCH))
        kept = op.filter("third", op.map("double", nums, w.double), w.third)
        op.output("out", kept, _shares_sink(api, out_dir, _w3_lines))
    return dataflow


def _w1_lines(items: list[tuple[str, int]]) -> list[str]:
    return [f"{word}\t{count}" for word, count in items]


def _w2_lines(items: list[tuple[str, tuple[int, int]]]) -> list[str]:
    return [f"{key}\t{wid}\t{count}" for key, (wid, count) in items]


def _w3_lines(items: list[int]) -> list[str]:
    return [f"1\t{x}" for x in items]


def checksum(workload: str, out_dir: Path) -> str:
    """The workload's checksum of every share written into `out_dir`."""
    rows = [
        line.split("\t") for path in out_dir.iterdir() for line in path.read_text().splitlines()
    ]
    if workload == "W1":
        return w.w1_checksum((word, int(n)) for word, n in rows)
    if workload == "W2":
        return w.w2_checksum((key, int(wid), int(n)) for key, wid, n in rows)
    return w.w3_checksum(len(rows), sum(int(x) for _, x in rows))


#: Each system: how its command line ends, after the program and the flow.
SYSTEMS: dict[str, tuple[str, list[str]]] = {
    "learnstream (1 worker)": ("learnstream", []),
    "learnstream on Bytewax, -w 1": ("learnstream", ["--engine", "bytewax", "-w", "1"]),
    "learnstream on Bytewax, -w 2": ("learnstream", ["--engine", "bytewax", "-w", "2"]),
    "learnstream on Bytewax, -p 2": ("learnstream", ["--engine", "bytewax", "-p", "2"]),
    "Bytewax, -w 1": ("bytewax.run", ["-w", "1"]),
    "Bytewax, -w 2": ("bytewax.run", ["-w", "2"]),
    "Bytewax, -p 2": ("bytewax.testing", ["-p", "2"]),
}


def command(system: str, workload: str, source: str, out_dir: Path) -> list[str]:
    """The whole command line that runs `workload` on `system`."""
    program, flags = SYSTEMS[system]
    engine = "learnstream" if program == "learnstream" else "bytewax"
    spec = f"benchmarks.scaleout:flow({workload!r}, {source!r}, {str(out_dir)!r}, {engine!r})"
    module = "learnstream.run" if program == "learnstream" else program
    return [sys.executable, "-m", module, spec, *flags]


def measure(system: str, workload: str, source: str) -> tuple[float, str]:
    """Seconds the whole command took, and the checksum of what it wrote."""
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(tmp)
        argv = command(system, workload, source, out_dir)
        started = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{system} failed on {workload}:\n{done.stdout}\n{done.stderr}")
        return seconds, checksum(workload, out_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaleout")
    parser.add_argument("--scale", type=float, default=1.0, help="shrink every size")
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    args = parser.parse_args(argv)
    compile_sources()  # as installed: no run compiles learnstream's sources again
    sizes = {name: max(1, int(size * args.scale)) for name, size in EVERYDAY.items()}
    sources = {
        "W1": str(data.zipf_text(sizes["W1"])),
        "W2": str(data.events(sizes["W2"])),
        "W3": str(sizes["W3"]),
    }
    header = "| system | " + " | ".join(
        WHAT[name].format(size=_size(name, sizes[name])) for name in EVERYDAY
    )
    rows = [header + " |", "|---|" + "---:|" * len(EVERYDAY)]
    times: dict[str, dict[str, float]] = {}
    for workload in EVERYDAY:
        sums = {}
        for system in SYSTEMS:
            seconds, sums[system] = measure(system, workload, sources[workload])
            times.setdefault(system, {})[workload] = seconds
            print(f"{workload} {system}: {seconds:.2f} s ({sums[system]})", file=sys.stderr)
        if len(set(sums.values())) != 1:
            print(f"BENCHMARK FAILED: checksums disagree on {workload}: {sums}", file=sys.stderr)
            return 1
    base = times["learnstream (1 worker)"]
    for system, by_workload in times.items():
        cells = [
            f"{by_workload[name]:.2f} s ({by_workload[name] / base[name]:.1f}×)"
            for name in EVERYDAY
        ]
        rows.append(f"| {system} | " + " | ".join(cells) + " |")
    table = "\n".join(rows)
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    return 0


def _size(name: str, size: int) -> str:
    return data.human_size(size, {"W1": "bytes", "W2": "events", "W3": "ints"}[name])


if __name__ == "__main__":
    sys.exit(main())
