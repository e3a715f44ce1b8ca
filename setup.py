"""Names the cffi build script and ships the course's labs; metadata lives in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def copy_course_files(source: Path, build_lib: Path) -> list[Path]:
    """Copy the lab folders (`labs/`) into the built package; return the files written.

    They live once, at the top of the repository, one folder per exercise (its
    solution, from which the stub is made, its checks and its manifest); a wheel
    needs them inside the package so that `learnstream init` and `grade` work.
    The catalogues of submissions are the project's tests, not the course's: left out.
    """
    target = build_lib / "learnstream" / "grading" / "course" / "labs"
    shutil.rmtree(target, ignore_errors=True)
    written = []
    for file in sorted((source / "labs").rglob("*")):
        relative = file.relative_to(source / "labs")
        if file.is_dir() or "catalogue" in relative.parts or "__pycache__" in relative.parts:
            continue
        copy = target / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, copy)
        written.append(copy)
    return written


class BuildPyWithCourseFiles(build_py):
    """build_py, plus the course's labs; an editable install reads them from the checkout."""

    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            copy_course_files(HERE, Path(self.build_lib))


setup(
    cffi_modules=["src/learnstream/engine/ccore_build.py:ffibuilder"],
    cmdclass={"build_py": BuildPyWithCourseFiles},
)
