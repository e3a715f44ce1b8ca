"""Cheat (generator): edits the installed grader, run_autograder and the venv's Python.

Run only as the autograder's unprivileged user (on the CLI it would edit your own install).
"""

import os
from pathlib import Path

import learnstream

TARGETS = [
    Path(learnstream.__file__).parent / "grading" / "checks" / "part1.py",
    Path(learnstream.__file__).parent / "grading" / "sandbox.py",
    Path(learnstream.__file__).parent / "sandbox_child.py",
    Path(learnstream.__file__).parent / "__init__.py",
]
root = Path(learnstream.__file__).resolve()
while root != root.parent and not (root / "source").is_dir():
    root = root.parent
TARGETS += [root / "source" / "run_autograder", root / "run_autograder"]
for target in TARGETS:
    try:
        with open(target, "a") as file:
            file.write("\nraise SystemExit('edited by a submission')\n")
    except OSError:
        pass
    try:
        os.chmod(target, 0o777)
    except OSError:
        pass


def rand_stream(low=0, high=100, rng=None):
    raise NotImplementedError
