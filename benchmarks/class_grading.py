"""Class grading, timed: a generated class of part 1 workspaces graded with several `-j`.

    python -m benchmarks.class_grading                  # 40 learners, -j 1 then -j 2
    python -m benchmarks.class_grading --learners 10 --jobs 1,2,4

The class mixes the ways submissions go, in a fixed cycle of ten: four right
(the reference solutions), four whose `map` turns floats into ints (wrong), one
whose `map` never returns (its checks wait for the timeout), one not started
(the stubs). Each run is the command an instructor types, `learnstream grade
part1 --class-dir DIR -j N --seed 1 --json`, timed as a whole process (wall
clock, and the CPU time of it and its children). Every run must give every
learner the same score, and every right learner full marks; the script says
when they do not (a loaded machine can make a right answer time out).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from learnstream.grading import get_part
from learnstream.grading.workspace import init

ROOT = Path(__file__).resolve().parent.parent
_WRONG_MAP = "def double(stream):\n    for v in stream:\n        yield int(v * 2)\n"
_ENDLESS_MAP = "def double(stream):\n    while True:\n        pass\n"
_CYCLE = ["right", "wrong", "right", "wrong", "right", "wrong", "right", "wrong", "endless", "stub"]


def make_class(folder: Path, learners: int) -> dict[str, str]:
    """`learners` workspaces in `folder`, named learner-NN; returns each one's kind."""
    kinds = {}
    for number in range(learners):
        name, kind = f"learner-{number:02d}", _CYCLE[number % len(_CYCLE)]
        init(folder / name, solutions=kind != "stub", of=[get_part("part1")])
        target = folder / name / "part1"
        if kind in ("wrong", "endless"):
            (target / "ex2_map.py").write_text(_WRONG_MAP if kind == "wrong" else _ENDLESS_MAP)
        kinds[name] = kind
    return kinds


def grade(folder: Path, jobs: int) -> tuple[float, float, dict[str, int]]:
    """Wall seconds, CPU seconds (the command and its children) and each learner's score."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "learnstream", "grade", "part1", "--class-dir", str(folder),
         "-j", str(jobs), "--seed", "1", "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, {learner["learner"]: learner["score"] for learner in json.loads(run.stdout)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--jobs", default="1,2", help="comma-separated -j values to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="learnstream-class-") as where:
        folder = Path(where) / "class"
        kinds = make_class(folder, args.learners)
        counts = {kind: list(kinds.values()).count(kind) for kind in dict.fromkeys(_CYCLE)}
        print(f"{args.learners} learners: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        scores_seen = []
        for jobs in (int(j) for j in args.jobs.split(",")):
            wall, cpu, scores = grade(folder, jobs)
            scores_seen.append(scores)
            full = max(scores.values())
            right = [n for n, kind in kinds.items() if kind == "right"]
            short = [n for n in right if scores[n] != full]
            note = f"; right but not full marks: {', '.join(short)}" if short else ""
            print(
                f"-j {jobs}: {wall:6.1f} s wall, {cpu:6.1f} s CPU, "
                f"{wall / args.learners:4.2f} s per learner{note}"
            )
        same = all(scores == scores_seen[0] for scores in scores_seen)
        print("every run gave every learner the same score" if same else "RUNS DISAGREE")


if __name__ == "__main__":
    main()
