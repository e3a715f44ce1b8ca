"""A Gradescope autograder for one part, built in one command, and what runs inside it.

`learnstream gradescope part1 --out autograder.zip` builds the zip that
Gradescope's "Zip file upload" autograder expects (see `build_autograder`):

- `setup.sh`, which Gradescope runs once when it builds the image: it makes a
  virtual environment in `$AUTOGRADER_ROOT/venv` and installs this very version
  of learnstream into it, from the wheel inside the zip (or, when the image's
  Python cannot take that wheel, from the source archive beside it), with its
  dependencies;
- `run_autograder`, which Gradescope runs for each submission: it calls
  `python -m learnstream.grading.gradescope`, that is `run_autograder()` below,
  which finds the exercise files in `$AUTOGRADER_ROOT/submission`, copies them
  into a fresh workspace, grades them with a fresh seed (or the one fixed when
  the zip was built) and writes `$AUTOGRADER_ROOT/results/results.json`.

The learner's code is untrusted: setup.sh (run as root) creates the user
`learnstream-learner` and makes the grading package, `source/`, `submission/`
and `results/` root's only (`lock`); the learner's code runs as that user, in
child processes with hard limits, and results.json is written by the grader
once every process of that user is dead.

`AUTOGRADER_ROOT` defaults to Gradescope's `/autograder`; setting it lets the
whole thing run anywhere (the project's tests do).

A submission may be the exercise files alone, a whole workspace (`part1/...`,
with or without `.learnstream/`), or either inside a folder of its own (as a
zipped folder arrives). Files found twice, files of another part, or no
exercise file at all give a results.json whose output says what to submit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learnstream.grading.grader import fresh_seed
from learnstream.grading.registry import CATALOGUE, LABS, Part, add_labs, get_part, parts
from learnstream.grading.sandbox import Limits, Sandbox, SandboxUser, kill_user

#: Folders a submission may hold that are never the learner's exercises.
_IGNORED = {"__MACOSX", "__pycache__", ".learnstream", ".ipynb_checkpoints", ".git", "venv"}
_CONFIG = "learnstream-autograder.json"


class SubmissionError(ValueError):
    """A submission cannot be graded as it is (or the zip cannot be built); the message says why."""


@dataclass(frozen=True)
class Found:
    """The exercise files found in a submission: exercise name -> file."""

    files: dict[str, Path]
    missing: list[str]


def _candidates(folder: Path) -> list[Path]:
    return [
        path
        for path in sorted(folder.rglob("*.py"))
        if not any(
            part in _IGNORED or part.startswith(".") for part in path.relative_to(folder).parts
        )
    ]


def find_exercises(part: Part, submission: Path) -> Found:
    """The submitted file of each exercise of `part`, wherever in `submission` it is.

    A file in a folder named after the part wins over one elsewhere; two
    equally good copies of one exercise are refused, naming both.
    """
    files = _candidates(submission)
    found: dict[str, Path] = {}
    for exercise in part.exercises():
        copies = [path for path in files if path.name == exercise.file]
        inside = [path for path in copies if path.parent.name == part.name]
        best = inside or copies
        if len(best) > 1:
            shown = ", ".join(str(path.relative_to(submission)) for path in best)
            raise SubmissionError(
                f"{exercise.file} was submitted {len(best)} times ({shown}); submit one copy "
                f"of each file of {part.name}, e.g. the files of your {part.name}/ folder"
            )
        if best:
            found[exercise.file] = best[0]
    if not found:
        names = ", ".join(exercise.file for exercise in part.exercises())
        others = [
            other.name
            for other in parts()
            if other.name != part.name
            and any(path.name == ex.file for ex in other.exercises() for path in files)
        ]
        hint = f" The files submitted belong to {', '.join(others)}." if others else ""
        listed = ", ".join(str(p.relative_to(submission)) for p in files[:8]) or "no Python file"
        raise SubmissionError(
            f"No exercise file of {part.name} was found in your submission (it holds: "
            f"{listed}).{hint} Submit the files {names} — the files alone, or your "
            f"{part.name}/ folder — as they are in your workspace."
        )
    missing = [ex.file for ex in part.exercises() if ex.file not in found]
    return Found(found, missing)


def _results(result: Any, found: Found, visibility: str) -> dict[str, Any]:
    """Gradescope's results.json of a graded submission: one test per check."""
    data = result.to_gradescope(visibility)
    lines = [f"Graded {result.part} with seed {result.seed}: {result.score}/{result.max_score}."]
    if found.missing:
        lines.append(
            f"Not submitted: {', '.join(found.missing)} (those exercises score 0; "
            "submit all the files of the part)."
        )
    data.update(output="\n".join(lines), stdout_visibility="hidden")
    return data


def _refused(message: str, visibility: str) -> dict[str, Any]:
    return {"score": 0, "output": message, "visibility": visibility, "tests": []}


#: The unprivileged user setup.sh creates; the learner's code runs as this user.
LEARNER_USER = "learnstream-learner"


def learner_user(scratch: Path) -> SandboxUser | None:
    """The user the learner's code runs as, when the grader is root and setup.sh made it."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(LEARNER_USER)
    except KeyError:
        return None
    return SandboxUser(entry.pw_uid, entry.pw_gid, scratch)


def lock(root: Path) -> None:
    """Make the grader's files the grader's only (run as root by setup.sh and per submission).

    The learner's user may import learnstream's engine from the venv, but read
    neither the grading package (checks, references, the course's solutions)
    nor `source/`, `submission/` or `results/`, and write none of them.
    """
    import learnstream.grading

    grading = Path(learnstream.grading.__file__).resolve().parent
    for private in (grading, root / "source", root / "submission", root / "results"):
        private.mkdir(parents=True, exist_ok=True)
        os.chmod(private, 0o700)
    for where, dirs, files in os.walk(root / "venv"):
        for name in [*dirs, *files]:
            path = Path(where) / name
            if not path.is_symlink():
                os.chmod(path, path.stat().st_mode & ~0o022)


def check_learner_user(scratch: Path) -> None:
    """Fail setup unless the learner's user can start the child (and cannot read the checks)."""
    user = learner_user(scratch)
    if user is None:
        raise SystemExit(f"setup: the user {LEARNER_USER} is missing (run setup.sh as root)")
    probe = (
        "import learnstream.sandbox_child\n"
        "try:\n    import learnstream.grading.registry\nexcept (ImportError, OSError):\n    pass\n"
        "else:\n    raise SystemExit('the grading package is readable')\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], user=user.uid, group=user.gid, extra_groups=[],
        cwd=scratch, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if run.returncode != 0:
        raise SystemExit(
            f"setup: {LEARNER_USER} cannot run the grader's child with {sys.executable} "
            f"({run.stderr.strip()[-300:]}); install Python where every user can run it "
            "(Gradescope's Ubuntu images do)"
        )


def _grade_as_learner(part: Part, found: Found, seed: int, visibility: str) -> dict[str, Any]:
    """Grade the submitted files in a fresh folder, as the learner's user when there is one."""
    from learnstream.grading.grader import grade

    with (
        tempfile.TemporaryDirectory(prefix="learnstream-submission-") as work,
        tempfile.TemporaryDirectory(prefix="learnstream-scratch-") as scratch,
    ):
        target = Path(work) / part.name
        target.mkdir()
        for name, path in found.files.items():
            shutil.copyfile(path, target / name)
        user = learner_user(Path(scratch))

        def runner(file: Path, limits: Limits, seed: int) -> Sandbox:
            return Sandbox(file, limits, hash_seed=seed, user=user)

        if user is not None:  # it reads its files, writes only its scratch folder
            for path in (Path(work), target, *target.iterdir()):
                os.chmod(path, 0o755 if path.is_dir() else 0o644)
            os.chown(scratch, user.uid, user.gid)
        try:
            result = grade(part, path=work, seed=seed, make_runner=runner)
        finally:
            if user is not None:
                kill_user(user.uid)
    return _results(result, found, visibility)


def run_autograder(root: Path | None = None) -> dict[str, Any]:
    """Grade `root/submission` as the zip's config says; write and return results.json.

    Each submission gets a fresh seed unless the zip fixed one (printed either
    way). The learner's code runs as `LEARNER_USER` when setup.sh made it, and
    results.json is written once every process of that user is dead.
    """
    root = root or Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    config = json.loads((root / "source" / _CONFIG).read_text(encoding="utf-8"))
    if config.get("labs"):  # an instructor's own part, packed in the zip
        add_labs(root / "source" / config["labs"])
    part = get_part(config["part"])
    seed = config.get("seed")
    seed = fresh_seed() if seed is None else seed
    started = time.monotonic()
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        lock(root)
    try:
        found = find_exercises(part, root / "submission")
    except SubmissionError as err:
        data = _refused(str(err), config["visibility"])
    else:
        try:
            data = _grade_as_learner(part, found, seed, config["visibility"])
        except Exception as err:  # learnstream's own bug: still write results.json
            data = _refused(
                f"The grader failed ({type(err).__name__}: {err}); this is a bug in "
                "learnstream — please tell your instructor. Your code was not graded.",
                config["visibility"],
            )
    data["execution_time"] = round(time.monotonic() - started)
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    temporary = results / "results.json.tmp"
    temporary.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(temporary, results / "results.json")
    return data


_SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, building the autograder's image (made by `learnstream gradescope`).
# It installs learnstream {version} into $AUTOGRADER_ROOT/venv, from the wheel in this folder,
# or from the source archive when this Python cannot take the wheel (the C core is then
# compiled, or the pure-Python twin is used). LEARNSTREAM_VENV_ARGS adds options to venv.
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
HERE="$(cd "$(dirname "$0")" && pwd)"
PYTHON="${{PYTHON:-}}"
if [ -z "$PYTHON" ]; then
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null && "$candidate" -c \\
            'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            PYTHON="$candidate"; break
        fi
    done
fi
if [ -z "$PYTHON" ]; then
    echo "learnstream needs Python 3.11 or newer: choose Gradescope's Ubuntu 24.04 base image" >&2
    exit 1
fi
"$PYTHON" -m venv ${{LEARNSTREAM_VENV_ARGS:-}} "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install -q "$HERE/{wheel}{extras}" \\
    || "$ROOT/venv/bin/python" -m pip install -q "$HERE/{sdist}{extras}"
"$ROOT/venv/bin/python" -m learnstream --version
# The learner's code runs as an unprivileged user that cannot read the checks, the
# solutions or the results, and can write only its scratch folder (run_autograder).
if [ "$(id -u)" = 0 ]; then
    id -u {user} >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent \\
        --shell /usr/sbin/nologin {user}
    "$ROOT/venv/bin/python" -m learnstream.grading.gradescope --lock
fi
"""

_RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for each submission: grade it, write results/results.json.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
exec "$ROOT/venv/bin/python" -m learnstream.grading.gradescope
"""


def _checkout() -> Path:
    """The source checkout learnstream runs from (a zip is built from it, never from PyPI)."""
    root = Path(__file__).resolve().parents[3]
    if not (root / "pyproject.toml").is_file() or not (root / "csrc").is_dir():
        raise SubmissionError(
            "learnstream gradescope builds the autograder from a checkout of learnstream: run it "
            "where learnstream is installed with `pip install -e .` from a clone"
        )
    return root


def _build(root: Path, out: Path) -> tuple[Path, Path]:
    """A wheel and a source archive of the checkout at `root`, into `out`.

    The wheel is built with this Python's setuptools, cffi and wheel when it
    has them (offline); otherwise pip fetches them, as any isolated build does.
    """
    wheel = [sys.executable, "-m", "pip", "wheel", str(root), "--no-deps", "-q", "-w", str(out)]
    offline = subprocess.run([*wheel, "--no-build-isolation"], capture_output=True, text=True)
    if offline.returncode != 0:
        isolated = subprocess.run(wheel, capture_output=True, text=True)
        if isolated.returncode != 0:
            raise SubmissionError(
                "could not build learnstream's wheel (pip wheel failed; `pip install wheel "
                f"setuptools cffi` helps offline):\n{isolated.stderr[-2000:]}"
            )
    sdist = [sys.executable, "setup.py", "-q", "sdist", "-d", str(out)]
    subprocess.run(sdist, cwd=root, check=True, capture_output=True, text=True)
    return next(out.glob("learnstream-*.whl")), next(out.glob("learnstream-*.tar.gz"))


def _own_lab_files(part: Part) -> dict[str, Path]:
    """The files of `part`'s folder, as `labs/PART/...` in the zip, when it is a part of an
    instructor's own (the course's parts are inside the wheel); its catalogue stays out."""
    if part.folder is None or part.folder.resolve().is_relative_to(LABS.resolve()):
        return {}
    return {
        f"labs/{part.name}/{path.relative_to(part.folder).as_posix()}": path
        for path in sorted(part.folder.rglob("*"))
        if path.is_file()
        and not {CATALOGUE, "__pycache__"} & set(path.relative_to(part.folder).parts)
    }


def build_autograder(
    part: str, out: Path, seed: int | None = None, visibility: str = "visible"
) -> list[str]:
    """Write Gradescope's autograder zip for `part` to `out`; return the names inside it."""
    from learnstream import __version__

    found = get_part(part)
    root = _checkout()
    with tempfile.TemporaryDirectory(prefix="learnstream-autograder-") as folder:
        wheel, sdist = _build(root, Path(folder))
        extras = "[ml]" if found.name == "part4" else ""  # River, for Part 4's models
        labs = _own_lab_files(found)
        config = {"part": found.name, "seed": seed, "visibility": visibility}
        if labs:
            config["labs"] = "labs"
        texts = {
            "setup.sh": _SETUP.format(
                version=__version__,
                wheel=wheel.name,
                sdist=sdist.name,
                extras=extras,
                user=LEARNER_USER,
            ),
            "run_autograder": _RUN,
            _CONFIG: json.dumps(config, indent=2) + "\n",
        }
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in texts.items():
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                info.external_attr = (0o755 if name != _CONFIG else 0o644) << 16
                archive.writestr(info, text)
            archive.write(wheel, wheel.name)
            archive.write(sdist, sdist.name)
            for name, path in labs.items():
                archive.write(path, name)
        return sorted(archive.namelist())


if __name__ == "__main__":
    if sys.argv[1:] == ["--lock"]:
        lock(Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")))
        with tempfile.TemporaryDirectory() as scratch:
            os.chmod(scratch, 0o777)
            check_learner_user(Path(scratch))
    else:
        run_autograder()
