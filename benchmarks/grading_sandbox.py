"""What the untrusted-code grader costs: `learnstream grade part1` on the solutions, old vs new.

    python -m benchmarks.grading_sandbox --old 64c9719          # 7 pairs
    python -m benchmarks.grading_sandbox --old 64c9719 --runs 11

The same command — `learnstream grade part1 --path WS --seed 1 --json`, WS a
workspace of the reference solutions made from the lab folders —
runs as a whole process from this checkout and from a checkout of `--old` (a
git worktree made for the run, its C core compiled there), in pairs,
the order alternating within each pair. Each run's wall clock and CPU time (the
grader and its children) are kept; the report gives each side's medians and the
median of the paired ratios new / old. Both must score 62/62: a pair where one
side did not (a call timed out on a loaded machine) is said and run again.
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

ROOT = Path(__file__).resolve().parent.parent


def _old_checkout(ref: str, folder: Path) -> Path:
    """A worktree of `ref` in `folder`, its C core compiled in place."""
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), ref],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
        cwd=folder, check=True, capture_output=True,
    )  # fmt: skip
    return folder


def _environment(checkout: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(checkout / "src"))
    backend = subprocess.run(
        [sys.executable, "-c", "import learnstream; print(learnstream.BACKEND)"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if backend != "c":
        raise SystemExit(f"{checkout} runs on the {backend!r} backend: the comparison needs C")
    return env


def _grade(workspace: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (the process and its children), and the score."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "learnstream", "grade", "part1", "--path", str(workspace),
         "--seed", "1", "--json"],
        env=env, capture_output=True, text=True, cwd=workspace,
    )  # fmt: skip
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(run.stdout)["score"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", required=True, help="the git ref to compare with")
    parser.add_argument("--runs", type=int, default=7, help="pairs of runs (default 7)")
    args = parser.parse_args(argv)
    from learnstream.grading.workspace import init

    with tempfile.TemporaryDirectory(prefix="learnstream-bench-") as tmp:
        workspace = Path(tmp) / "solutions"
        init(workspace, solutions=True)
        old = _old_checkout(args.old, Path(tmp) / "old")
        try:
            sides = {"old": (workspace, _environment(old)), "new": (workspace, _environment(ROOT))}
            times: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
            run = attempts = 0
            while run < args.runs and attempts < 3 * args.runs:
                attempts += 1
                pair = {}
                for side in ("old", "new") if run % 2 == 0 else ("new", "old"):
                    wall, cpu, score = _grade(*sides[side])
                    print(f"run {run + 1} {side}: {wall:.2f} s wall, {cpu:.2f} s CPU, "
                          f"{score}/62", flush=True)  # fmt: skip
                    pair[side] = (wall, cpu, score)
                if any(score != 62 for _, _, score in pair.values()):
                    print("  a call timed out on the loaded machine: the pair is run again")
                    continue
                for side, (wall, cpu, _) in pair.items():
                    times[side].append((wall, cpu))
                run += 1
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)])
    for index, name in ((0, "wall"), (1, "CPU")):
        old_t = [t[index] for t in times["old"]]
        new_t = [t[index] for t in times["new"]]
        ratio = statistics.median(n / o for n, o in zip(new_t, old_t, strict=True))
        print(
            f"{name}: old median {statistics.median(old_t):.2f} s, new median "
            f"{statistics.median(new_t):.2f} s, paired ratio new/old {ratio:.2f}x"
        )


if __name__ == "__main__":
    main()
