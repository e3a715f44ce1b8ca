"""Grading, timed: `learnstream grade` on the reference solutions, per part and per exercise.

    python -m benchmarks.grading                        # every part, 3 rounds
    python -m benchmarks.grading --parts part3,part4 --repeats 5

Each run is the command a learner types, `learnstream grade PART [EXERCISE]
--path WS --seed 1 --json`, timed as a whole process: its wall clock, and the
CPU time of it and its children (the sandboxes that run the learner's code),
which a loaded machine inflates far less than the wall clock. The rounds
interleave the commands, so that a change in the machine's load touches all of
them alike; the medians are printed with the load average seen during the
rounds. Every run must give full marks; the script stops when one does not (a
check that fails on a reference solution is a bug, or a machine too loaded for
the limits).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def solutions_workspace(folder: Path) -> Path:
    """A workspace in `folder` holding the reference solution of every exercise."""
    from learnstream.grading.workspace import init

    init(folder, solutions=True)
    return folder


def run(workspace: Path, part: str, exercise: str | None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the command and its children) of one grade."""
    command = [sys.executable, "-m", "learnstream", "grade", part]
    command += [exercise] if exercise else []
    command += ["--path", str(workspace), "--seed", "1", "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(done.stdout) if done.stdout.strip() else {}
    if done.returncode != 0 or result.get("score") != result.get("max_score"):
        raise SystemExit(
            f"{' '.join(command[3:])} did not give full marks:\n{done.stdout}{done.stderr}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    from learnstream.grading import get_part

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="part1,part2,part3,part4")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-exercises", action="store_true", help="whole parts only")
    args = parser.parse_args()
    parts = args.parts.split(",")
    commands: list[tuple[str, str | None]] = []
    for part in parts:
        commands.append((part, None))
        if not args.no_exercises:
            commands += [(part, ex.name) for ex in get_part(part).exercises()]
    times: dict[tuple[str, str | None], list[tuple[float, float]]] = {c: [] for c in commands}
    loads = []
    with tempfile.TemporaryDirectory() as tmp:
        workspace = solutions_workspace(Path(tmp) / "ws")
        for _ in range(args.repeats):
            for part, exercise in commands:
                loads.append(os.getloadavg()[0])
                times[part, exercise].append(run(workspace, part, exercise))
    print(
        f"learnstream grade on the reference solutions: median of {args.repeats} rounds, "
        f"load average {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores"
    )
    print(f"{'command':<36} {'wall s':>8} {'CPU s':>8}")
    for (part, exercise), runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        name = f"grade {part}" + (f" {exercise}" if exercise else "")
        print(f"{name:<36} {wall:>8.2f} {cpu:>8.2f}")


if __name__ == "__main__":
    main()
