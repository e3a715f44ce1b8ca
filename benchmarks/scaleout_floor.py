"""The CPU-bound work of `benchmarks.scaleout_cpu` in plain Python, split over forked processes.

`python -m benchmarks.scaleout_floor ITEMS ROUNDS OUT_DIR PROCESSES` forks
PROCESSES processes; process `p` does the work of the keys `k{n}` with
`n % PROCESSES == p` (an exact split of the 64 keys) and writes the same lines the
flow writes. No engine, no exchange: what this many processes of Python can do on
this machine at that moment, the ceiling for `-p 2`. It imports nothing else of
the benchmarks, so its start-up is Python's own.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path

KEYS = 64


def burn(rounds: int, value: int) -> int:
    """`rounds` steps of a linear congruential generator: pure Python work."""
    h = value
    for _ in range(rounds):
        h = (h * 1103515245 + 12345) & 0x7FFFFFFF
    return h


def share(items: int, rounds: int, out_dir: Path, index: int, processes: int) -> None:
    """Process `index`'s keys: a running total per key, one line per item, as the flow."""
    totals = [0] * KEYS
    with (out_dir / f"{os.getpid()}-{index}.txt").open("w") as out:
        for i in range(items):
            key = i % KEYS
            if key % processes == index:
                totals[key] += burn(rounds, i) % 1000
                out.write(f"k{key}\t{totals[key]}\n")
    (out_dir / f"{os.getpid()}.cpu").write_text(f"{time.process_time()}\n")


def main(argv: list[str]) -> int:
    items, rounds, out_dir, processes = int(argv[0]), int(argv[1]), Path(argv[2]), int(argv[3])
    children = []
    for index in range(processes):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                share(items, rounds, out_dir, index, processes)
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        children.append(pid)
    failed = [pid for pid in children if os.waitpid(pid, 0)[1] != 0]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
