"""What the untrusted-code grader costs: `learnstream grade part1` on the solutions, old vs new.

    python -m benchmarks.grading_sandbox --old 566bfdc          # 7 pairs
    python -m benchmarks.grading_sandbox --old 566bfdc --runs 11

The same command — `learnstream grade part1 --path solutions --seed 1 --json` —
runs as a whole process from this checkout and from a checkout of `--old` (a
git worktree made for the run, using this checkout's compiled C core), in pairs,
the order alternating within each pair. Each run's wall clock and CPU time (the
grader and its children) are kept; the report gives each side's medians and the
median of the paired ratios new / old. Both must score the same (62/62).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _old_checkout(ref: str, folder: Path) -> Path:
    """A worktree of `ref` in `folder`, with this checkout's compiled extension modules."""
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), ref],
        check=True, capture_output=True,
    )  # fmt: skip
    for built in (ROOT / "src").rglob("*.so"):
        target = folder / built.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, target)
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


def _grade(checkout: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (the process and its children), and the score."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "learnstream", "grade", "part1", "--path",
         str(checkout / "solutions"), "--seed", "1", "--json"],
        env=env, capture_output=True, text=True, cwd=checkout,
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
    with tempfile.TemporaryDirectory(prefix="learnstream-bench-") as tmp:
        old = _old_checkout(args.old, Path(tmp) / "old")
        try:
            sides = {"old": (old, _environment(old)), "new": (ROOT, _environment(ROOT))}
            times: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
            for run in range(args.runs):
                for side in ("old", "new") if run % 2 == 0 else ("new", "old"):
                    wall, cpu, score = _grade(*sides[side])
                    if score != 62:
                        raise SystemExit(f"{side} scored {score}/62 on the solutions")
                    times[side].append((wall, cpu))
                    print(f"run {run + 1} {side}: {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)
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
