"""A local wheelhouse, so that a test can install learnstream into a venv of its own, offline.

A test that installs learnstream the way a user or Gradescope does (a fresh
venv, `pip install learnstream-*.whl`) must not download anything, and must
work wherever the tests run — in the base interpreter as in a user's venv,
where a `--system-site-packages` venv would see the base interpreter's
packages, not the user's. `fill(folder)` writes into `folder` a wheel of every
distribution that learnstream's runtime dependencies need (theirs too,
recursively), repacked from what is installed in this interpreter; a pip run
with `PIP_NO_INDEX=1` and `PIP_FIND_LINKS=folder` then installs from it alone.
"""

from __future__ import annotations

import base64
import hashlib
import re
import tomllib
import zipfile
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
#: What an installer writes into a dist-info folder: not part of the wheel.
_INSTALLER_FILES = {"INSTALLER", "REQUESTED", "RECORD", "direct_url.json"}


def runtime_requirements() -> list[str]:
    """learnstream's runtime dependencies, as pyproject.toml declares them."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements: list[str] = project["dependencies"]
    return requirements


def needed(requirements: Iterable[str]) -> list[metadata.Distribution]:
    """The installed distributions `requirements` need, theirs included, each once."""
    found: dict[str, metadata.Distribution] = {}
    done: set[tuple[str, str]] = set()  # (distribution, extra) whose requirements are listed
    todo = [(Requirement(r), "") for r in requirements]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = normal(requirement.name)
        dist = found.setdefault(name, metadata.distribution(requirement.name))
        for wanted in ["", *sorted(requirement.extras)]:
            if (name, wanted) not in done:
                done.add((name, wanted))
                todo += [(Requirement(r), wanted) for r in dist.requires or ()]
    return [found[name] for name in sorted(found)]


def repack(dist: metadata.Distribution, folder: Path) -> Path:
    """A wheel of the installed `dist` in `folder`: its files, its tags, a fresh RECORD."""
    if dist.files is None:
        raise RuntimeError(f"{dist.metadata['Name']} was installed without a RECORD: cannot repack")
    tags = [
        line.split(":", 1)[1].strip() for line in _lines(dist, "WHEEL") if line.startswith("Tag:")
    ]
    parts = [sorted({tag.split("-")[i] for tag in tags}) for i in range(3)]
    name, version = normal(dist.metadata["Name"]), dist.version
    wheel = folder / f"{name}-{version}-{'-'.join('.'.join(p) for p in parts)}.whl"
    files = [
        f
        for f in dist.files
        if f.parts[0] != ".." and "__pycache__" not in f.parts and f.suffix != ".pyc"
    ]
    info = next(f.parts[0] for f in files if f.parts[0].endswith(".dist-info"))
    record = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            if file.parts[0] == info and file.name in _INSTALLER_FILES:
                continue
            data = Path(str(dist.locate_file(file))).read_bytes()
            archive.writestr(file.as_posix(), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{file.as_posix()},sha256={digest.decode()},{len(data)}")
        record.append(f"{info}/RECORD,,")
        archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return wheel


def fill(folder: Path, requirements: Iterable[str] | None = None) -> list[Path]:
    """Wheels in `folder` of everything `requirements` (by default learnstream's) need."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = runtime_requirements() if requirements is None else requirements
    return [repack(dist, folder) for dist in needed(wanted)]


def _lines(dist: metadata.Distribution, name: str) -> list[str]:
    return (dist.read_text(name) or "").splitlines()


def normal(name: str) -> str:
    """A distribution's name as wheel files spell it."""
    return re.sub(r"[-_.]+", "_", name).lower()
