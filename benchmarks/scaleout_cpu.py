"""Scale-out where it should pay: a CPU-bound keyed flow, one process against `-p 2`.

`python -m benchmarks.scaleout_cpu [--items 20000] [--pairs 3] [--levels 0,0.05,0.1,0.2]`
runs a keyed flow whose `stateful_map` does a fixed amount of Python work per item
(20,000 items over 64 keys; the work, in milliseconds of one core, is calibrated on
this machine before the runs) as whole processes, through the commands a user types:

- `learnstream`: `python -m learnstream.run FLOW` (one process);
- `-p 2`: the same command with `--engine bytewax -p 2` (two processes on Bytewax).

For each level of work the two commands run in pairs, one right after the other, and
the table gives the median of each and the median of the pairs' ratios: on a shared
machine the load drifts between pairs more than within one. Every run writes its share
of the output to files; the runner stops with an error unless both commands wrote the
same multiset of lines. The level where the ratio crosses 1 is the break-even: the
work per item from which two processes beat one on this machine. Each process also
notes its CPU time when its sink closes: the busiest process's CPU is what the run
needs at least on idle cores, a figure the machine's load does not move.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import workloads as w
from benchmarks.runner import compile_sources

ROOT = Path(__file__).resolve().parents[1]
KEYS = 64
BATCH = 500

SYSTEMS = {
    "learnstream (1 process)": [],
    "on Bytewax, -p 2": ["--engine", "bytewax", "-p", "2"],
}


def burn(rounds: int, value: int) -> int:
    """`rounds` steps of a linear congruential generator: pure Python work."""
    h = value
    for _ in range(rounds):
        h = (h * 1103515245 + 12345) & 0x7FFFFFFF
    return h


def flow(items: int, rounds: int, out_dir: str) -> Any:
    """items `i` keyed `k{i % 64}`; a running total of `burn(i)` per key, one line per item."""
    api = w.learnstream_api()
    op = api.op

    def add(total: int | None, value: int) -> tuple[int, int]:
        total = (total or 0) + burn(rounds, value) % 1000
        return total, total

    dataflow = api.Dataflow("cpu")
    nums = op.input("inp", dataflow, w.list_source(api, list(range(items)), BATCH))
    keyed = op.map("key", nums, lambda i: (f"k{i % KEYS}", i))
    totals = op.stateful_map("work", keyed, add)
    op.output("out", totals, _shares(api, out_dir))
    return dataflow


def _shares(api: w.Api, out_dir: str) -> Any:
    class _Share(api.outputs.StatelessSinkPartition):  # type: ignore[name-defined,misc]
        def __init__(self, path: Path) -> None:
            self.f = path.open("w")

        def write_batch(self, items: list[tuple[str, int]]) -> None:
            self.f.writelines(f"{key}\t{total}\n" for key, total in items)

        def close(self) -> None:
            self.f.close()
            # This process's CPU time so far (its start-up included; a fork's counts
            # from the fork): the busiest process bounds the run on idle cores.
            cpu = Path(out_dir) / f"{os.getpid()}.cpu"
            cpu.write_text(f"{time.process_time()}\n")

    class Shares(api.outputs.DynamicSink):  # type: ignore[name-defined,misc]
        def build(self, step_id: str, worker_index: int, worker_count: int) -> _Share:
            return _Share(Path(out_dir) / f"{os.getpid()}-{worker_index}.txt")

    return Shares()


def rounds_per_ms() -> float:
    """How many `burn` rounds one millisecond of this process's CPU time holds."""
    rounds = 200_000
    started = time.process_time()
    burn(rounds, 1)
    return rounds / ((time.process_time() - started) * 1000)


def measure(system: str, items: int, rounds: int) -> tuple[float, str, float]:
    """Seconds the whole command took, a digest of the lines it wrote (any order), and
    the CPU seconds of its busiest process."""
    with tempfile.TemporaryDirectory() as tmp:
        spec = f"benchmarks.scaleout_cpu:flow({items}, {rounds}, {tmp!r})"
        argv = [sys.executable, "-m", "learnstream.run", spec, *SYSTEMS[system]]
        started = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{system} failed:\n{done.stdout}\n{done.stderr}")
        lines = sorted(line for path in Path(tmp).glob("*.txt") for line in path.open())
        busiest = max(float(path.read_text()) for path in Path(tmp).glob("*.cpu"))
        if len(lines) != items:
            raise SystemExit(f"{system} wrote {len(lines)} lines, not {items}")
        return seconds, hashlib.sha256("".join(lines).encode()).hexdigest()[:12], busiest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaleout_cpu")
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--pairs", type=int, default=3, help="paired runs per level")
    parser.add_argument(
        "--levels", default="0,0.02,0.05,0.1,0.2", help="ms of work per item, comma-separated"
    )
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    args = parser.parse_args(argv)
    compile_sources()  # as installed: no run compiles learnstream's sources again
    per_ms = rounds_per_ms()
    print(f"calibrated: {per_ms:.0f} rounds per ms of CPU", file=sys.stderr)
    names = list(SYSTEMS)
    rows = [
        f"| work per item | {names[0]} | {names[1]} | speed-up of -p 2 (median of pairs) "
        "| busiest process's CPU: 1 process, -p 2 |",
        "|---:|---:|---:|---:|---:|",
    ]
    for level in (float(x) for x in args.levels.split(",")):
        rounds = round(level * per_ms)
        times: dict[str, list[float]] = {name: [] for name in names}
        cpus: dict[str, list[float]] = {name: [] for name in names}
        ratios = []
        for pair in range(args.pairs):
            order = names if pair % 2 == 0 else names[::-1]
            digests = {}
            for name in order:
                seconds, digests[name], cpu = measure(name, args.items, rounds)
                times[name].append(seconds)
                cpus[name].append(cpu)
            if len(set(digests.values())) != 1:
                print(f"BENCHMARK FAILED: outputs differ at {level} ms: {digests}", file=sys.stderr)
                return 1
            ratios.append(times[names[0]][-1] / times[names[1]][-1])
            print(
                f"{level} ms: "
                + ", ".join(f"{n} {times[n][-1]:.2f} s" for n in names)
                + f" ({ratios[-1]:.2f}x; busiest CPU "
                + ", ".join(f"{cpus[n][-1]:.2f} s" for n in names)
                + f"; load {os.getloadavg()[0]:.1f})",
                file=sys.stderr,
            )
        one, two = (statistics.median(times[name]) for name in names)
        cpu_one, cpu_two = (statistics.median(cpus[name]) for name in names)
        rows.append(
            f"| {level:g} ms | {one:.2f} s | {two:.2f} s | {statistics.median(ratios):.2f}× "
            f"| {cpu_one:.2f} s, {cpu_two:.2f} s |"
        )
    table = "\n".join(rows)
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
