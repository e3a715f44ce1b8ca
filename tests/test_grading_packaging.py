"""One copy of the course's exercises (`labs/`, one folder per exercise), shipped inside built packages.

A wheel cannot reach the repository's top-level folders, so `setup.py`'s build_py
copies the lab folders (not their catalogues, the project's tests) into
`learnstream/grading/course/labs/`; the registry reads that copy when it exists and
the checkout otherwise. Building a whole wheel needs the network for isolated build
requirements and compiles the C core, so these tests run the build hook itself,
then use the built package from another folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from learnstream.grading import PARTS, get_part
from learnstream.grading.markers import solution_of, stub_of
from learnstream.grading.registry import LABS
from learnstream.grading.workspace import solution_text, stub_text

ROOT = Path(__file__).resolve().parent.parent


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_a_checkout_reads_the_top_level_labs() -> None:
    assert LABS == ROOT / "labs"
    map_ = get_part("part1").exercise("map")
    source = (ROOT / "labs/part1/map/solution.py").read_text()
    assert stub_text(map_) == stub_of(source) and solution_text(map_) == solution_of(source)
    assert "raise NotImplementedError" in stub_text(map_)
    assert "NotImplementedError" not in solution_text(map_)


def test_there_is_no_second_copy_in_the_source_tree() -> None:
    package = ROOT / "src" / "learnstream" / "grading"
    assert not (package / "checks").exists() and not (package / "labs").exists()
    assert not (package / "course").exists(), "builds write the copy into build/, not src/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package as a wheel would hold it: setup.py's build_py run into a temp folder."""
    build_lib = tmp_path_factory.mktemp("build_lib")
    subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(build_lib)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return build_lib


def test_the_build_copies_every_lab_but_the_catalogues(built: Path) -> None:
    shipped = _files(built / "learnstream" / "grading" / "course" / "labs")
    source = _files(ROOT / "labs")
    assert shipped == {name: text for name, text in source.items() if "/catalogue/" not in name}
    assert any(name.endswith("solution.py") for name in shipped), "no lab was copied"
    assert any(name.endswith("lab.toml") for name in shipped)


def test_init_and_grade_work_from_the_built_package_alone(built: Path, tmp_path: Path) -> None:
    # Run from an unrelated folder, with only the built package importable: no checkout.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(built)
    where = subprocess.run(
        [sys.executable, "-c", "from learnstream.grading import registry; print(registry.LABS)"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert Path(where.stdout.strip()) == built / "learnstream/grading/course/labs"
    subprocess.run(
        [sys.executable, "-m", "learnstream", "init", "ws"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    stubs = {
        f"{part.name}/{exercise.file}": stub_text(exercise).encode()
        for part in PARTS
        for exercise in part.exercises()
    }
    assert {
        k: v for k, v in _files(tmp_path / "ws").items() if "/" in k and not k.startswith(".")
    } == stubs
    assert (tmp_path / "ws" / ".learnstream").is_dir()
    graded = subprocess.run(
        [sys.executable, "-m", "learnstream", "grade", "part1", "map", "--path", "ws", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert graded.returncode == 1, graded.stderr
    report = json.loads(graded.stdout)
    assert (
        report["score"] == 0 and report["max_score"] == get_part("part1").exercise("map").max_score
    )
