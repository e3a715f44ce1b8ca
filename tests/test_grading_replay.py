"""A report's `replay: ... --seed N` line replays the same inputs, in any process.

Hypothesis mixes into its draws constants it mines from whatever modules are
loaded (a notebook's helpers, a test suite, an editable install), so before the
grader switched that off, the same seed drew other streams in `learnstream
grade` than under pytest. Here the same failing submission is graded with the
same seed in separate processes — one of them with a module full of constants
loaded first and another hash seed — and in this very process, with all of
pytest loaded: the reports are identical.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from grading_helpers import ROOT, with_submission, workspace_from

from learnstream.grading import grade, render_text

SEED = 7
# The submission's `disorder` check fails on a hand-made edge case, its `many_keys`
# check on a stream the search draws and shrinks: that one is what the seed replays.
CASE, EXERCISE = "tumb_no_wait", "tumbling"

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
    searched = next(c for c in exercise["checks"] if c["name"] == "many_keys")
    assert not searched["passed"]
    assert (
        f"replay: learnstream grade part2 {EXERCISE} --path {folder} --seed {SEED}"
        in (searched["message"])
    )

    # In this process, with pytest, hypothesis and every test module loaded.
    here = grade("part2", EXERCISE, path=folder, seed=SEED)
    assert here.to_json() == report
    assert "smallest failing input" in render_text(here)
