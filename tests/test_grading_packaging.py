"""One copy of the stubs and solutions (`exercises/`, `solutions/`), shipped inside built packages.

A wheel cannot reach the repository's top-level folders, so `setup.py`'s build_py
copies them into `learnstream/grading/course/`; `course_files` reads that copy
when it exists and the checkout otherwise. Building a whole wheel needs the
network for isolated build requirements and compiles the C core, so these tests
run the build hook itself, then use the built package from another folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from learnstream.grading import course_files, get_part
from learnstream.grading.workspace import solution_text, stub_text

ROOT = Path(__file__).resolve().parent.parent


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.glob("part*/*.py"))
    }


def test_a_checkout_reads_the_top_level_folders() -> None:
    assert course_files("stubs") == ROOT / "exercises"
    assert course_files("solutions", "part1") == ROOT / "solutions" / "part1"
    map_ = get_part("part1").exercise("map")
    assert stub_text(get_part("part1"), map_) == (ROOT / "exercises/part1/ex2_map.py").read_text()
    assert (
        solution_text(get_part("part1"), map_) == (ROOT / "solutions/part1/ex2_map.py").read_text()
    )


def test_there_is_no_second_copy_in_the_source_tree() -> None:
    package = ROOT / "src" / "learnstream" / "grading"
    assert not (package / "stubs").exists() and not (package / "solutions").exists()
    assert not (package / "course").exists(), "builds write the copy into build/, not src/"


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="stubs' or 'solutions"):
        course_files("answers")


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


def test_the_build_copies_every_stub_and_solution(built: Path) -> None:
    course = built / "learnstream" / "grading" / "course"
    for name in ("exercises", "solutions"):
        assert _files(course / name) == _files(ROOT / name), name
    assert _files(course / "exercises"), "no stubs were copied"


def test_the_build_ships_the_exercise_manifests(built: Path) -> None:
    shipped = built / "learnstream" / "grading" / "checks"
    source = ROOT / "src" / "learnstream" / "grading" / "checks"
    names = sorted(path.name for path in source.glob("part*.toml"))
    assert names and sorted(path.name for path in shipped.glob("part*.toml")) == names


def test_init_works_from_the_built_package_alone(built: Path, tmp_path: Path) -> None:
    # Run from an unrelated folder, with only the built package importable: no checkout.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(built)
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import learnstream.grading as g; print(g.course_files('stubs'))",
        ],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert Path(where.stdout.strip()) == built / "learnstream/grading/course/exercises"
    subprocess.run(
        [sys.executable, "-m", "learnstream", "init", "ws"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    # init writes the stubs of every part that has exercises (a part still coming may
    # already have its stubs in the checkout before its checks land)
    graded = {
        name: text
        for name, text in _files(ROOT / "exercises").items()
        if not get_part(name.split("/")[0]).coming
    }
    assert _files(tmp_path / "ws") == graded
    assert (tmp_path / "ws" / ".learnstream").is_dir()
