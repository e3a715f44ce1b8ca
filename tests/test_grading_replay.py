"""A report's `replay: ... --seed N` line replays the same inputs, in any process.

The grader draws its inputs with its own strategies (`kit.strategies`), from
the seed alone: nothing installed or loaded can change them (hypothesis, which
drew them before, drew other inputs in other versions and mixed in constants
it mined from loaded modules). Here the same failing submission is graded with
the same seed in separate processes — one of them with a module full of
constants loaded first and another hash seed — and in this very process, with
all of pytest loaded: the JSON reports are identical. The seed also fixes the
hash seed of the child process that runs the learner's code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from grading_helpers import ROOT, with_submission, workspace_from

from learnstream.grading import grade, render_text
from learnstream.grading.sandbox import Sandbox

SEED = 7
PROBE_CALL = "learnstream.grading.probes:call"
# Its `many_keys` check searches 40 streams for a mistake few of them show (when hypothesis
# drew the streams, loading the module below made it find one: a different report).
CASE, EXERCISE = "late_wait_twice", "late"

NOISE = "\n".join(
    [
        "INTS = [" + ", ".join(str(n) for n in range(-120, 400, 3)) + "]",
        "FLOATS = [" + ", ".join(f"{n / 10}" for n in range(-200, 400, 7)) + "]",
        "WORDS = ['sensor-0', 'sensor-1', 'user-0', '/home', 'click', 'view']",
    ]
)


def _cli(folder: Path, *, noise: Path | None = None, hash_seed: str = "0") -> str:
    args = ["grade", "part2", EXERCISE, "--path", str(folder), "--seed", str(SEED), "--json"]
    code = (
        "import sys\nfrom learnstream.cli import main\nsys.argv = ['learnstream', *sys.argv[1:]]\n"
    )
    if noise is not None:
        code = "import noise  # constants a search could mine\n" + code
    code += "main()\n"
    path = [str(ROOT / "src"), *([str(noise)] if noise is not None else [])]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path), PYTHONHASHSEED=hash_seed)
    run = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=900
    )
    assert run.returncode == 1, run.stdout + run.stderr  # the submission fails
    return run.stdout


def test_the_same_seed_gives_the_same_report_in_any_process(tmp_path: Path) -> None:
    folder = with_submission(
        workspace_from("solutions", tmp_path / "ws", "part2"), CASE, EXERCISE, "part2"
    )
    noise = tmp_path / "noise"
    noise.mkdir()
    (noise / "noise.py").write_text(NOISE + "\n", encoding="utf-8")

    first = _cli(folder)
    again = _cli(folder, noise=noise, hash_seed="12345")
    assert first == again

    report = json.loads(first)
    (exercise,) = report["exercises"]
    shrunk = [c for c in exercise["checks"] if "smallest failing input" in c["message"]]
    replay = f"replay: learnstream grade part2 {EXERCISE} --path {folder} --seed {SEED}"
    assert shrunk and all(replay in check["message"] for check in shrunk)

    # In this process, with pytest, hypothesis and every test module loaded.
    here = grade("part2", EXERCISE, path=folder, seed=SEED)
    assert here.to_json() == report
    assert "smallest failing input" in render_text(here)


def test_the_seed_fixes_the_order_of_the_learners_sets_too(tmp_path: Path) -> None:
    # A learner's code may iterate a set of strs; its order follows the child's hash seed,
    # which the run's seed sets, so a replay replays it.
    learner = tmp_path / "ex.py"
    words = [f"word{n}" for n in range(40)]
    learner.write_text(f"def order():\n    return list(set({words!r}))\n", encoding="utf-8")

    def order(hash_seed: int) -> list[str]:
        with Sandbox(learner, hash_seed=hash_seed) as box:
            result: list[str] = box.probe(PROBE_CALL, "order()", fn="order")
            return result

    assert order(SEED) == order(SEED) != order(SEED + 1)
