"""Names the cffi build script and ships the course's exercises; metadata lives in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def copy_course_files(source: Path, build_lib: Path) -> list[Path]:
    """Copy `exercises/` and `solutions/` into the built package; return the files written.

    They live once, at the top of the repository (learners open them there); a
    wheel needs them inside the package so that `learnstream init` works.
    """
    target = build_lib / "learnstream" / "grading" / "course"
    written = []
    for name in ("exercises", "solutions"):
        shutil.rmtree(target / name, ignore_errors=True)
        for file in sorted((source / name).glob("part*/*.py")):
            copy = target / name / file.relative_to(source / name)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, copy)
            written.append(copy)
    return written


class BuildPyWithCourseFiles(build_py):
    """build_py, plus the course files; an editable install reads them from the checkout."""

    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            copy_course_files(HERE, Path(self.build_lib))


setup(
    cffi_modules=["src/learnstream/engine/ccore_build.py:ffibuilder"],
    cmdclass={"build_py": BuildPyWithCourseFiles},
)
