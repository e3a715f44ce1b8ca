"""Grading, timed: `learnstream grade` on the reference solutions, per part and per exercise.

    python -m benchmarks.grading                        # every part, 3 rounds
    python -m benchmarks.grading --parts part3,part4 --repeats 5
    python -m benchmarks.grading --parts part1 --no-exercises --old 64c9719

Each run is the command a learner types, `learnstream grade PART [EXERCISE]
--path WS --seed 1 --json`, timed as a whole process: its wall clock, and the
CPU time of it and its children (the sandboxes that run the learner's code),
which a loaded machine inflates far less than the wall clock. The rounds
interleave the commands, so that a change in the machine's load touches all of
them alike; the medians are printed with the load average seen during the
rounds. Every run must give full marks; the script stops when one does not (a
check that fails on a reference solution is a bug, or a machine too loaded for
the limits).

With `--old REF`, every command also runs from a git worktree of REF (its C
core compiled there), right before or after this checkout's run (the order
alternates by round), and the table adds the old medians and the median of the
paired ratios new / old.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def solutions_workspace(folder: Path) -> Path:
    """A workspace in `folder` holding the reference solution of every exercise."""
    from learnstream.grading.workspace import init

    init(folder, solutions=True)
    return folder


@contextlib.contextmanager
def old_checkout(ref: str, folder: Path) -> Iterator[dict[str, str]]:
    """The environment that runs learnstream from a worktree of `ref` (C core compiled)."""
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), ref],
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        subprocess.run(
            [sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
            cwd=folder, check=True, capture_output=True,
        )  # fmt: skip
        yield dict(os.environ, PYTHONPATH=str(folder / "src"))
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)])


def run(
    workspace: Path, part: str, exercise: str | None, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the command and its children) of one grade."""
    command = [sys.executable, "-m", "learnstream", "grade", part]
    command += [exercise] if exercise else []
    command += ["--path", str(workspace), "--seed", "1", "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(done.stdout) if done.stdout.strip() else {}
    if done.returncode != 0 or result.get("score") != result.get("max_score"):
        raise SystemExit(
            f"{' '.join(command[3:])} did not give full marks:\n{done.stdout}{done.stderr}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


Times = dict[tuple[str, str | None], list[tuple[float, float]]]


def report(repeats: int, loads: list[float], new: Times, old: Times | None) -> None:
    print(
        f"learnstream grade on the reference solutions: median of {repeats} rounds, "
        f"load average {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores"
    )
    header = f"{'command':<36} {'wall s':>8} {'CPU s':>8}"
    if old is not None:
        header += f" {'old wall':>9} {'old CPU':>8} {'new/old wall':>13} {'new/old CPU':>12}"
    print(header)
    for (part, exercise), runs in new.items():
        line = f"{'grade ' + part + (' ' + exercise if exercise else ''):<36}"
        line += f" {statistics.median(w for w, _ in runs):>8.2f}"
        line += f" {statistics.median(c for _, c in runs):>8.2f}"
        if old is not None:
            before = old[part, exercise]
            ratios = [(n[0] / o[0], n[1] / o[1]) for n, o in zip(runs, before, strict=True)]
            line += f" {statistics.median(w for w, _ in before):>9.2f}"
            line += f" {statistics.median(c for _, c in before):>8.2f}"
            line += f" {statistics.median(r for r, _ in ratios):>12.2f}×"
            line += f" {statistics.median(r for _, r in ratios):>11.2f}×"
        print(line)


def main() -> None:
    from learnstream.grading import get_part

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="part1,part2,part3,part4")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-exercises", action="store_true", help="whole parts only")
    parser.add_argument("--old", metavar="REF", help="also time a git ref, in pairs")
    args = parser.parse_args()
    commands: list[tuple[str, str | None]] = []
    for part in args.parts.split(","):
        commands.append((part, None))
        if not args.no_exercises:
            commands += [(part, ex.name) for ex in get_part(part).exercises()]
    new: Times = {c: [] for c in commands}
    old: Times | None = {c: [] for c in commands} if args.old else None
    loads = []
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        workspace = solutions_workspace(Path(tmp) / "ws")
        old_env = stack.enter_context(old_checkout(args.old, Path(tmp) / "old")) if old else None
        for round_ in range(args.repeats):
            for part, exercise in commands:
                loads.append(os.getloadavg()[0])
                sides = [(new, None)] if old is None else [(new, None), (old, old_env)]
                for times, env in sides[:: 1 if round_ % 2 == 0 else -1]:
                    times[part, exercise].append(run(workspace, part, exercise, env))
    report(args.repeats, loads, new, old)


if __name__ == "__main__":
    main()
