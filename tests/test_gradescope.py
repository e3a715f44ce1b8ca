"""`learnstream gradescope` end to end: build the zip, set it up, grade submissions as Gradescope would.

The zip made by the CLI is unzipped into `$AUTOGRADER_ROOT/source` (a temp folder
standing in for Gradescope's `/autograder`), its `setup.sh` installs the wheel
inside it into a fresh venv — with `PIP_NO_INDEX=1` and a local wheelhouse
the fixture fills with wheels of learnstream's dependencies, repacked from
this interpreter (`wheelhouse.py`), so nothing is downloaded and it works from
inside a venv as from the base interpreter — and its `run_autograder` grades
each submission into
`results/results.json`, checked against the fields Gradescope documents.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import wheelhouse
from grading_helpers import ROOT, generated, python_reachable_by_others

from learnstream.grading import get_part

PART1 = get_part("part1")
SEED = 11

# Gradescope's results.json: the fields it documents, and the values it accepts.
TOP_FIELDS = {
    "score", "execution_time", "output", "output_format", "test_output_format",
    "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard",
}  # fmt: skip
TEST_FIELDS = {
    "score", "max_score", "status", "name", "name_format", "number", "output",
    "output_format", "tags", "visibility", "extra_data",
}  # fmt: skip
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def check_gradescope_schema(results: dict[str, Any]) -> None:
    """Fail unless `results` is a results.json Gradescope accepts."""
    assert set(results) <= TOP_FIELDS, set(results) - TOP_FIELDS
    assert isinstance(results["score"], int | float)
    assert isinstance(results.get("execution_time", 0), int)
    assert isinstance(results.get("output", ""), str)
    assert results.get("visibility", "visible") in VISIBILITIES
    assert results.get("stdout_visibility", "visible") in VISIBILITIES
    for test in results["tests"]:
        assert set(test) <= TEST_FIELDS, set(test) - TEST_FIELDS
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], int | float) and isinstance(test["max_score"], int | float)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert isinstance(test["output"], str)
        assert test["visibility"] in VISIBILITIES
    if results["tests"]:
        assert results["score"] == sum(test["score"] for test in results["tests"])


@pytest.fixture(scope="module")
def autograder() -> Iterator[Path]:
    """$AUTOGRADER_ROOT after Gradescope's image build: the zip unzipped, setup.sh run.

    In a folder every user can reach: as root, setup.sh makes the learner's user, which
    runs the submissions' code from the venv in it.
    """
    where = Path(tempfile.mkdtemp(prefix="learnstream-gradescope-"))
    os.chmod(where, 0o755)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    built = subprocess.run(
        [sys.executable, "-m", "learnstream", "gradescope", "part1", "--out", "autograder.zip",
         "--seed", str(SEED)],
        cwd=where, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert f"seed {SEED}" in built.stdout
    root = where / "autograder"
    with zipfile.ZipFile(where / "autograder.zip") as archive:
        names = archive.namelist()
        assert {"setup.sh", "run_autograder"} <= set(names)
        assert any(name.endswith(".whl") for name in names)
        archive.extractall(root / "source")
    wheels = wheelhouse.fill(where / "wheelhouse")
    setup_env = dict(
        os.environ, AUTOGRADER_ROOT=str(root), PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(where / "wheelhouse"), PYTHON=sys.executable,
    )  # fmt: skip
    for name in ("PYTHONPATH", "LEARNSTREAM_VENV_ARGS", "PIP_CONSTRAINT", "PIP_REQUIREMENT"):
        setup_env.pop(name, None)
    with python_reachable_by_others():
        setup = subprocess.run(
            ["bash", str(root / "source" / "setup.sh")],
            env=setup_env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert setup.returncode == 0, setup.stderr
        where_from = subprocess.run(
            [str(root / "venv" / "bin" / "python"), "-c", "import learnstream; print(learnstream.__file__)"],
            env=setup_env, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert where_from.startswith(str(root / "venv")), (
            "the venv must run the zip's own learnstream"
        )
        installed = subprocess.run(
            [str(root / "venv" / "bin" / "python"), "-m", "pip", "list", "--format=json"],
            env=setup_env, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        names = {wheelhouse.normal(p["name"]) for p in json.loads(installed)}
        assert {wheel.name.split("-")[0] for wheel in wheels} <= names  # from the wheelhouse
        yield root
    shutil.rmtree(where, ignore_errors=True)


def _submit(root: Path, files: dict[str, str]) -> dict[str, Any]:
    """Put `files` (path -> text) in the submission folder, run run_autograder, read results."""
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    for name, text in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_text(text, encoding="utf-8")
    (root / "submission").mkdir(exist_ok=True)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root))
    env.pop("PYTHONPATH", None)
    run = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    check_gradescope_schema(results)
    return results


def _solutions(prefix: str = "") -> dict[str, str]:
    return {
        prefix + ex.file: (generated("solutions") / "part1" / ex.file).read_text()
        for ex in PART1.exercises()
    }


def test_the_solutions_submitted_as_files_alone_score_full_marks(autograder: Path) -> None:
    results = _submit(autograder, _solutions())
    assert results["score"] == sum(ex.max_score for ex in PART1.exercises())
    names = [test["name"] for test in results["tests"]]
    assert names == [f"{ex.name}: {check.title}" for ex in PART1.exercises() for check in ex.checks]
    assert all(test["status"] == "passed" and test["output"] == "" for test in results["tests"])
    assert f"seed {SEED}" in results["output"]


def test_a_broken_workspace_in_a_folder_gets_the_message_and_hint_learners_see(
    autograder: Path,
) -> None:
    files = _solutions("ada-course/part1/")
    files["ada-course/part1/ex2_map.py"] = (
        "def double(stream):\n    for v in stream:\n        yield int(v * 2)\n"
    )
    files["ada-course/.learnstream/progress.json"] = "{}"
    results = _submit(autograder, files)
    failed = [test for test in results["tests"] if test["status"] == "failed"]
    assert [test["name"] for test in failed] == [
        "map: yields x * 2 for every x, in order, keeping types"
    ]
    output = failed[0]["output"]
    assert "gave the wrong stream" in output and "\nhint: " in output
    assert f"seed: {SEED}" in output
    assert (
        results["score"] == sum(ex.max_score for ex in PART1.exercises()) - failed[0]["max_score"]
    )


def test_missing_files_score_zero_and_the_output_says_which(autograder: Path) -> None:
    files = {name: text for name, text in _solutions().items() if name != "ex5_wordcount.py"}
    results = _submit(autograder, files)
    assert "Not submitted: ex5_wordcount.py" in results["output"]
    wordcount = [test for test in results["tests"] if test["name"].startswith("wordcount:")]
    assert wordcount and all(test["score"] == 0 for test in wordcount)


@pytest.mark.parametrize(
    ("files", "said"),
    [
        ({"notes.txt": "my answers"}, "No exercise file of part1 was found"),
        (
            {"ex1_tumbling.py": "x = 1\n"},
            "The files submitted belong to part2",
        ),
        (
            {"a/ex2_map.py": "x = 1\n", "b/ex2_map.py": "x = 2\n"},
            "ex2_map.py was submitted 2 times (a/ex2_map.py, b/ex2_map.py)",
        ),
    ],
    ids=["nothing", "another-part", "twice"],
)
def test_submissions_that_cannot_be_graded_are_refused_with_what_to_submit(
    autograder: Path, files: dict[str, str], said: str
) -> None:
    results = _submit(autograder, files)
    assert results["score"] == 0 and results["tests"] == []
    assert said in results["output"]
    assert "ex1_generator.py" in results["output"] or "submit one copy" in results["output"]
