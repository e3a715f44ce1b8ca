"""An instructor's own exercise, in a folder of their own: the whole course's tools take it.

The folder is built here, outside learnstream's source, as the instructor guide
writes it: one part (`workshop/part.toml`) with one exercise (`workshop/triple/`:
`lab.toml`, `solution.py` with the stub's lines beside the solution's, `checks.py`
on the grading kit). `--labs DIR` (or $LEARNSTREAM_LABS) makes its parts join the
course's for `init`, `list`, `hint`, `solution`, `grade` (a class too) and
`gradescope`, whose zip carries the folder and grades with it alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from grading_helpers import python_reachable_by_others

ROOT = Path(__file__).resolve().parent.parent

PART_TOML = """\
[part]
order = 10
title = "Our workshop"
page = "workshop.md"
"""

LAB_TOML = """\
file = "ex1_triple.py"
title = "Triple every value of a stream"
hints = ["Loop over the stream and yield each value times 3.", "`for x in stream: yield 3 * x`"]

[[checks]]
name = "example"
title = "triples [1, 2, 3]"
points = 2
hint = "triple(iter([1, 2, 3])) must give 3, 6, 9."

[[checks]]
name = "endless"
title = "works on an endless stream"
points = 3
"""

SOLUTION = '''\
"""Exercise 1 — `triple`: every value of a stream, times three.

Write `triple(stream)`, a generator: for each value of `stream`, yield it times 3.

Check your work: `learnstream grade workshop triple --labs LABS`.
"""

from collections.abc import Iterable, Iterator


def triple(stream: Iterable[int]) -> Iterator[int]:
    """Each value of `stream`, times three."""
    # BEGIN SOLUTION
    for value in stream:
        yield 3 * value
    # STUB
    # # TODO: yield each value of `stream` times 3.
    # raise NotImplementedError("triple is not written yet")
    # END SOLUTION
'''

CHECKS = '''\
"""The checks of `triple`: the learner's generator runs in the grader's child process."""

from learnstream.grading.kit import Session, check_laziness, compare_streams, iterator_items


def _example(session: Session) -> None:
    call = "triple(iter([1, 2, 3]))"
    report = session.take("triple", 8, call, stream={"items": [1, 2, 3]})
    compare_streams(call, [3, 6, 9], iterator_items(report, call))


def _endless(session: Session) -> None:
    call = "triple(itertools.count())"
    report = session.take("triple", 4, call, stream={"count": 0})
    compare_streams(call, [0, 3, 6, 9], iterator_items(report, call))
    check_laziness(call, report, [1, 2, 3, 4])


CHECKS = {"example": _example, "endless": _endless}
'''


def _labs(folder: Path) -> Path:
    exercise = folder / "workshop" / "triple"
    exercise.mkdir(parents=True)
    (folder / "workshop" / "part.toml").write_text(PART_TOML)
    (exercise / "lab.toml").write_text(LAB_TOML)
    (exercise / "solution.py").write_text(SOLUTION)
    (exercise / "checks.py").write_text(CHECKS)
    (exercise / "catalogue").mkdir()
    (exercise / "catalogue" / "off_by_one.py").write_text("def triple(s):\n    yield from s\n")
    return folder


def _cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "LEARNSTREAM_LABS"}
    return subprocess.run(
        [sys.executable, "-m", "learnstream", *args],
        cwd=cwd,
        env={**environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "160", **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def labs(tmp_path: Path) -> Path:
    return _labs(tmp_path / "my-labs")


def test_init_list_hint_solution_and_grade_take_the_instructors_exercise(
    labs: Path, tmp_path: Path
) -> None:
    made = _cli("init", "ws", "--labs", str(labs), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    stub = (tmp_path / "ws" / "workshop" / "ex1_triple.py").read_text()
    assert "raise NotImplementedError" in stub and "BEGIN SOLUTION" not in stub
    assert (tmp_path / "ws" / "part1" / "ex2_map.py").is_file()  # the course's parts too

    listed = _cli("list", "--path", "ws", env={"LEARNSTREAM_LABS": str(labs)}, cwd=tmp_path)
    assert "workshop" in listed.stdout and "Our workshop" in listed.stdout, listed.stdout

    stubs = _cli("grade", "workshop", "--labs", str(labs), "--path", "ws", "--json", cwd=tmp_path)
    assert stubs.returncode == 1, stubs.stderr
    assert (json.loads(stubs.stdout)["score"], json.loads(stubs.stdout)["max_score"]) == (0, 5)

    hint = _cli("hint", "workshop", "triple", "--labs", str(labs), "--path", "ws", cwd=tmp_path)
    assert "Loop over the stream" in hint.stdout, hint.stdout + hint.stderr

    shown = _cli("solution", "workshop", "triple", "--force", "--labs", str(labs), cwd=tmp_path)
    assert "yield 3 * value" in shown.stdout and "TODO" not in shown.stdout
    (tmp_path / "ws" / "workshop" / "ex1_triple.py").write_text(shown.stdout)
    done = _cli("grade", "workshop", "--labs", str(labs), "--path", "ws", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["score"] == 5

    unknown = _cli("grade", "workshop", "--path", "ws", cwd=tmp_path)
    assert unknown.returncode != 0 and "no part named 'workshop'" in unknown.stderr


def test_a_class_is_graded_on_the_instructors_exercise(labs: Path, tmp_path: Path) -> None:
    for learner in ("ada", "bob"):
        assert _cli("init", f"class/{learner}", "--labs", str(labs), cwd=tmp_path).returncode == 0
    solution = _cli("solution", "workshop", "triple", "--force", "--labs", str(labs), cwd=tmp_path)
    (tmp_path / "class" / "ada" / "workshop" / "ex1_triple.py").write_text(solution.stdout)
    run = _cli(
        "grade", "workshop", "--class-dir", "class", "--labs", str(labs), "--json", "-j", "2",
        "--report", "class.html", cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    scores = {learner["learner"]: learner["score"] for learner in json.loads(run.stdout)}
    assert scores == {"ada": 5, "bob": 0}
    assert "triple" in (tmp_path / "class.html").read_text()


def test_a_labs_part_named_as_a_course_part_is_refused(tmp_path: Path) -> None:
    labs = _labs(tmp_path / "my-labs")
    (labs / "workshop").rename(labs / "part1")
    run = _cli("list", "--labs", str(labs), cwd=tmp_path)
    assert run.returncode == 2 and "already in the course" in run.stderr


@pytest.mark.timeout(1200)
def test_gradescope_packs_the_instructors_exercise_and_grades_with_it(
    labs: Path, tmp_path: Path
) -> None:
    built = _cli(
        "gradescope",
        "workshop",
        "--labs",
        str(labs),
        "--out",
        "ag.zip",
        "--seed",
        "3",
        cwd=tmp_path,
    )
    assert built.returncode == 0, built.stderr
    with zipfile.ZipFile(tmp_path / "ag.zip") as archive:
        names = archive.namelist()
        # where every user can reach it: as root, grading runs the learner's code as the
        # learner's user when setup.sh (or an earlier test) made it
        root = Path(tempfile.mkdtemp(prefix="learnstream-labs-autograder-"))
        os.chmod(root, 0o755)
        archive.extractall(root / "source")
    assert "labs/workshop/triple/checks.py" in names and "labs/workshop/part.toml" in names
    assert not [name for name in names if "catalogue" in name]
    solution = _cli("solution", "workshop", "triple", "--force", "--labs", str(labs), cwd=tmp_path)
    shutil.rmtree(labs)  # the autograder has only what the zip holds
    (root / "submission").mkdir()
    (root / "submission" / "ex1_triple.py").write_text(solution.stdout)
    environ = {k: v for k, v in os.environ.items() if k != "LEARNSTREAM_LABS"}
    with python_reachable_by_others():
        graded = subprocess.run(
            [sys.executable, "-m", "learnstream.grading.gradescope"],
            cwd=tmp_path,
            env={**environ, "PYTHONPATH": str(ROOT / "src"), "AUTOGRADER_ROOT": str(root)},
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert graded.returncode == 0, graded.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 5 and len(results["tests"]) == 2
