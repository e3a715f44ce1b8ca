"""Cheating submissions get no credit and harm nothing: on the CLI, in class grading, and
through a real run of the generated setup.sh + run_autograder (the learner's user included).

Each file of tests/cheats/ replaces one exercise of the reference
solutions and tries to get credit it does not earn (issue 20): rewinding the
grader's counters, switching off its memory tracer, replacing its probes,
answering on its pipe, running the answer key, writing results.json, killing
the grader, leaving a process behind, poisoning progress.json, editing the
installed grader, lifting its limits, closing its channel and sleeping. The
checks each cheat is after must fail, and the other exercises keep full marks.

Two cheats are not run on the CLI: `cheat_edit_grader` would edit this very
checkout (the learner's code runs as the user who runs the grader — what the
Gradescope user is for), and `cheat_exec_solution` gets its credit there: on a
learner's own machine the answer key is theirs to read (`learnstream solution`);
under Gradescope it finds nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from grading_helpers import ROOT, generated, python_reachable_by_others, workspace_from

from learnstream.grading import get_part

PART1 = get_part("part1")
CHEATS = Path(__file__).resolve().parent / "cheats"
ALL = "all"
#: case: (the exercise it replaces, the checks that must fail — ALL: every check)
CASES: dict[str, tuple[str, list[str] | str]] = {
    "cheat_rewind_counter": ("map", ["lazy"]),
    "cheat_tracemalloc_stop": ("stateful", ["constant_state"]),
    "cheat_replace_drain": ("generator", ["endless", "uniform"]),
    "cheat_patch_next": ("generator", ["endless", "uniform"]),
    "cheat_reference_probe": ("wordcount", ALL),
    "cheat_answer_pipe": ("map", ALL),
    "cheat_exec_solution": ("filter", ALL),
    "cheat_write_results": ("stateful", ALL),
    "cheat_setsid_rewriter": ("stateful", ALL),
    "cheat_poison_progress": ("filter", ALL),
    "cheat_edit_grader": ("generator", ALL),
    "cheat_raise_limits": ("map", ALL),
    "cheat_close_pipe_sleep": ("filter", ALL),
    "cheat_kill_worker": ("map", ALL),
}
#: On the CLI the grader is the learner's own process: these kill it (no report, no credit).
KILLS_THE_CLI = {"cheat_write_results", "cheat_kill_worker"}
NOT_ON_THE_CLI = {"cheat_edit_grader", "cheat_exec_solution"}
HEARTBEAT = Path("/tmp/learnstream-cheat-heartbeat")
LEARNER = "learnstream-learner"


def _failing(case: str) -> list[str]:
    exercise, failing = CASES[case]
    checks = [check.name for check in PART1.exercise(exercise).checks]
    return checks if failing == ALL else list(failing)


def _fingerprint(folder: Path) -> str:
    """A hash of every file under `folder` (names, contents and modes)."""
    digest = hashlib.sha256()
    for path in sorted(
        p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
        digest.update(str(path.stat().st_mode).encode())
    return digest.hexdigest()


def _heartbeat_stopped() -> bool:
    """The cheat's left-behind process, if it ran, no longer writes its heartbeat."""
    if not HEARTBEAT.exists():
        return True
    before = HEARTBEAT.stat().st_mtime
    time.sleep(1.0)
    return HEARTBEAT.stat().st_mtime == before


def test_every_cheat_file_is_in_the_catalogue() -> None:
    assert {path.stem for path in CHEATS.glob("*.py")} == set(CASES)


# --- the CLI ------------------------------------------------------------------------


def _grade_cli(folder: Path, exercise: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "learnstream", "grade", "part1", exercise, "--path", str(folder),
         "--seed", "7", "--json", "--timeout", "3"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.mark.parametrize("case", sorted(set(CASES) - NOT_ON_THE_CLI))
def test_a_cheat_gets_no_credit_on_the_cli(tmp_path: Path, case: str) -> None:
    exercise, _ = CASES[case]
    HEARTBEAT.unlink(missing_ok=True)
    folder = workspace_from("solutions", tmp_path / "ws")
    (folder / ".learnstream").mkdir(exist_ok=True)
    shutil.copy(CHEATS / f"{case}.py", folder / "part1" / PART1.exercise(exercise).file)
    grader = Path(__file__).resolve().parent.parent / "src" / "learnstream" / "grading"
    before = _fingerprint(grader)
    started = time.monotonic()
    run = _grade_cli(folder, exercise)
    assert time.monotonic() - started < 120, "a cheat held the grader"
    assert _fingerprint(grader) == before
    if case in KILLS_THE_CLI:
        assert run.returncode == -9 and run.stdout == "", (run.returncode, run.stdout)
        return
    assert run.returncode == 1, run.stderr
    (graded,) = json.loads(run.stdout)["exercises"]
    failed = [check["name"] for check in graded["checks"] if not check["passed"]]
    assert failed == _failing(case), graded
    if case == "cheat_setsid_rewriter":
        from learnstream.grading.processes import own_cgroup

        if own_cgroup() is None:
            pytest.skip("no writable cgroup v2 here: a learner's setsid process can outlive "
                        "the CLI grader (run as root, or under Gradescope's user)")  # fmt: skip
        assert _heartbeat_stopped(), "a process the learner's code left behind still runs"


def test_a_learner_who_kills_their_worker_gets_zero_and_the_others_are_graded(
    tmp_path: Path,
) -> None:
    for learner in ("ada", "mallory", "zoe"):
        workspace_from("solutions", tmp_path / learner)
    shutil.copy(CHEATS / "cheat_kill_worker.py", tmp_path / "mallory" / "part1" / "ex2_map.py")
    run = subprocess.run(
        [sys.executable, "-m", "learnstream", "grade", "part1", "--class-dir", str(tmp_path),
         "-j", "2", "--seed", "3", "--json", "--timeout", "3"],
        capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    assert "1 learner(s) could not be graded" in run.stderr and "mallory" in run.stderr
    scores = {learner["learner"]: learner for learner in json.loads(run.stdout)}
    full = sum(ex.max_score for ex in PART1.exercises())
    assert scores["ada"]["score"] == scores["zoe"]["score"] == full
    assert scores["mallory"]["score"] == 0
    assert "killed" in json.dumps(scores["mallory"])


# --- Gradescope: setup.sh and run_autograder, the learner's code as its own user ---------


@pytest.fixture(scope="module")
def autograder() -> Iterator[Path]:
    """$AUTOGRADER_ROOT after a real setup.sh, run as root (it creates the learner's user)."""
    if os.geteuid() != 0:
        pytest.skip("setup.sh creates the learner's user: this needs root (CI runs as root)")
    where = Path(tempfile.mkdtemp(prefix="learnstream-gradescope-"))
    os.chmod(where, 0o755)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    built = subprocess.run(
        [sys.executable, "-m", "learnstream", "gradescope", "part1", "--out", "autograder.zip"],
        cwd=where, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert "a fresh seed each" in built.stdout
    root = where / "autograder"
    with zipfile.ZipFile(where / "autograder.zip") as archive:
        archive.extractall(root / "source")
    setup_env = dict(
        os.environ, AUTOGRADER_ROOT=str(root), LEARNSTREAM_VENV_ARGS="--system-site-packages",
        PIP_NO_INDEX="1", PYTHON=sys.executable,
    )  # fmt: skip
    setup_env.pop("PYTHONPATH", None)
    with python_reachable_by_others():
        setup = subprocess.run(
            ["bash", str(root / "source" / "setup.sh")],
            env=setup_env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        assert setup.returncode == 0, setup.stderr
        yield root
    shutil.rmtree(where, ignore_errors=True)


def _submit(root: Path, files: dict[str, Path]) -> dict[str, Any]:
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    (root / "submission").mkdir()
    for name, source in files.items():
        shutil.copy(source, root / "submission" / name)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root))
    env.pop("PYTHONPATH", None)
    run = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def _learner_processes() -> str:
    """The learner's user's living processes: a zombie has exited, waiting for whoever
    adopted it (here the machine's init) to reap it, and can do nothing more."""
    listed = subprocess.run(
        ["ps", "-u", LEARNER, "-o", "pid=,stat=,args="], capture_output=True, text=True
    ).stdout
    living = [line for line in listed.splitlines() if not line.split()[1].startswith("Z")]
    return "".join(line + "\n" for line in living)


SUBMISSIONS_OF_CHEATS = [
    ["cheat_edit_grader", "cheat_answer_pipe", "cheat_exec_solution", "cheat_write_results",
     "cheat_reference_probe"],
    ["cheat_replace_drain", "cheat_raise_limits", "cheat_poison_progress", "cheat_setsid_rewriter"],
    ["cheat_patch_next", "cheat_rewind_counter", "cheat_close_pipe_sleep", "cheat_tracemalloc_stop"],
    ["cheat_kill_worker"],
]  # fmt: skip


@pytest.mark.parametrize("cheats", SUBMISSIONS_OF_CHEATS, ids=lambda c: "+".join(c))
def test_cheats_get_no_credit_from_the_autograder_and_harm_nothing(
    autograder: Path, cheats: list[str]
) -> None:
    HEARTBEAT.unlink(missing_ok=True)
    files = {ex.file: generated("solutions") / "part1" / ex.file for ex in PART1.exercises()}
    for case in cheats:
        files[PART1.exercise(CASES[case][0]).file] = CHEATS / f"{case}.py"
    installed = _fingerprint(autograder / "venv" / "lib")
    source = _fingerprint(autograder / "source")
    results = _submit(autograder, files)
    assert "Graded part1 with seed" in results["output"], results["output"]
    by_test = {test["name"]: test for test in results["tests"]}
    for ex in PART1.exercises():
        cheat = next((case for case in cheats if CASES[case][0] == ex.name), None)
        failing = _failing(cheat) if cheat else []
        for check in ex.checks:
            test = by_test[f"{ex.name}: {check.title}"]
            if check.name in failing:
                assert test["score"] == 0, (cheat, test)
            else:
                assert test["score"] == test["max_score"], (cheat, test)
    assert _fingerprint(autograder / "venv" / "lib") == installed, "the installed grader changed"
    assert _fingerprint(autograder / "source") == source, "the autograder's source changed"
    assert _learner_processes() == "", "a process of the learner's user outlived the grading"
    assert _heartbeat_stopped()
    again = json.loads((autograder / "results" / "results.json").read_text(encoding="utf-8"))
    assert again == results, "results.json changed after the grader wrote it"


def test_each_submission_gets_a_fresh_seed(autograder: Path) -> None:
    files = {"ex2_map.py": generated("solutions") / "part1" / "ex2_map.py"}
    seeds = {_submit(autograder, files)["output"].split("seed ")[1].split(":")[0] for _ in range(2)}
    assert len(seeds) == 2
