"""Scale-out where it should pay: a CPU-bound keyed flow, one process against `-p 2`.

`python -m benchmarks.scaleout_cpu [--items 20000] [--pairs 3] [--levels 0,0.05,0.1,0.2]`
runs a keyed flow whose `stateful_map` does a fixed amount of Python work per item
(20,000 items over 64 keys; the work, in milliseconds of one core, is calibrated on
this machine before the runs) as whole processes, through the commands a user types:

- `learnstream`: `python -m learnstream.run FLOW` (one process);
- `-p 2`: the same command with `--engine bytewax -p 2` (two processes on Bytewax);
- `plain Python`: `python -m benchmarks.scaleout_floor` with 1 and with 2 processes,
  the same work and lines with no engine, the 64 keys split exactly over forked
  processes: its speed-up is the most two processes can gain on this machine at that
  moment (the ceiling for `-p 2`).

For each level of work the four commands run one right after the other (a round,
starting from another command each round), and the table gives the median of each
and the median of the rounds' ratios (`-p 2` to one learnstream process, plain
Python's two processes to its one): on a shared machine the load
drifts between rounds more than within one. Every run writes its share of the
output to files; the runner stops with an error unless all commands wrote the same
multiset of lines. The level where the ratio crosses 1 is the break-even: the work
per item from which two processes beat one on this machine. Each process also notes
its CPU time when it is done: the busiest process's CPU is what the run needs at
least on two idle cores, and the ratio of one process's CPU to it is the speed-up
those cores would give, a figure the load moves less than the wall clock.
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
from benchmarks.scaleout_floor import KEYS, burn

ROOT = Path(__file__).resolve().parents[1]
BATCH = 500
ONE = "learnstream (1 process)"
TWO = "on Bytewax, -p 2"
FLOOR = ["plain Python, 1 process", "plain Python, 2 processes"]
SYSTEMS = [ONE, TWO, *FLOOR]


def command(system: str, items: int, rounds: int, out_dir: str) -> list[str]:
    """The whole command `system` runs, writing its lines (and CPU notes) into `out_dir`."""
    if system in FLOOR:
        processes = str(FLOOR.index(system) + 1)
        floor = ["-m", "benchmarks.scaleout_floor", str(items), str(rounds), out_dir, processes]
        return [sys.executable, *floor]
    spec = f"benchmarks.scaleout_cpu:flow({items}, {rounds}, {out_dir!r})"
    engine = ["--engine", "bytewax", "-p", "2"] if system == TWO else []
    return [sys.executable, "-m", "learnstream.run", spec, *engine]


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
    """How many `burn` rounds one millisecond of this process's CPU time holds: the
    fastest of five tries, as a try the machine's other work slowed is no measure."""
    rounds = 100_000
    fastest = float("inf")
    for _ in range(5):
        started = time.process_time()
        burn(rounds, 1)
        fastest = min(fastest, time.process_time() - started)
    return rounds / (fastest * 1000)


def measure(system: str, items: int, rounds: int) -> tuple[float, str, float]:
    """Seconds the whole command took, a digest of the lines it wrote (any order), and
    the CPU seconds of its busiest process."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = command(system, items, rounds, tmp)
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
    parser.add_argument("--pairs", type=int, default=3, help="rounds of the commands per level")
    parser.add_argument(
        "--levels", default="0,0.02,0.05,0.1,0.2", help="ms of work per item, comma-separated"
    )
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    args = parser.parse_args(argv)
    compile_sources()  # as installed: no run compiles learnstream's sources again
    per_ms = rounds_per_ms()
    print(f"calibrated: {per_ms:.0f} rounds per ms of CPU", file=sys.stderr)
    rows = [
        f"| work per item | {ONE} | {TWO} | speed-up of -p 2 (median of rounds) "
        "| busiest process's CPU: 1 process, -p 2 (speed-up on idle cores) "
        "| plain Python: 1, 2 processes | ceiling: plain Python's speed-up |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for level in (float(x) for x in args.levels.split(",")):
        rounds = round(level * per_ms)
        times: dict[str, list[float]] = {name: [] for name in SYSTEMS}
        cpus: dict[str, list[float]] = {name: [] for name in SYSTEMS}
        for turn in range(args.pairs):
            order = SYSTEMS[turn % len(SYSTEMS) :] + SYSTEMS[: turn % len(SYSTEMS)]
            digests = {}
            for name in order:
                seconds, digests[name], cpu = measure(name, args.items, rounds)
                times[name].append(seconds)
                cpus[name].append(cpu)
            if len(set(digests.values())) != 1:
                print(f"BENCHMARK FAILED: outputs differ at {level} ms: {digests}", file=sys.stderr)
                return 1
            print(
                f"{level} ms: "
                + ", ".join(f"{n} {times[n][-1]:.2f} s" for n in SYSTEMS)
                + f" ({times[ONE][-1] / times[TWO][-1]:.2f}x, plain Python "
                + f"{times[FLOOR[0]][-1] / times[FLOOR[1]][-1]:.2f}x; busiest CPU "
                + ", ".join(f"{cpus[n][-1]:.2f} s" for n in SYSTEMS)
                + f"; load {os.getloadavg()[0]:.1f})",
                file=sys.stderr,
            )

        def median(values: list[float]) -> float:
            return statistics.median(values)

        def speedup(one: str, two: str, of: dict[str, list[float]]) -> float:
            return median([a / b for a, b in zip(of[one], of[two], strict=True)])

        rows.append(
            f"| {level:g} ms | {median(times[ONE]):.2f} s | {median(times[TWO]):.2f} s "
            f"| {speedup(ONE, TWO, times):.2f}× "
            f"| {median(cpus[ONE]):.2f} s, {median(cpus[TWO]):.2f} s "
            f"({speedup(ONE, TWO, cpus):.2f}×) "
            f"| {median(times[FLOOR[0]]):.2f} s, {median(times[FLOOR[1]]):.2f} s "
            f"| {speedup(FLOOR[0], FLOOR[1], times):.2f}× |"
        )
    table = "\n".join(rows)
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
