""".ci/lower-bounds.txt pins every dependency learnstream declares to its lowest allowed version.

CI installs learnstream[dev] with those constraints and runs the grader's
catalogues, so the file must follow pyproject.toml: one line per declared
dependency (runtime, every extra, and the build's), at exactly the lower bound
pyproject.toml gives, and nothing else.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _declared() -> dict[str, Requirement]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    texts = [*project["dependencies"], *pyproject["build-system"]["requires"]]
    for extra in project["optional-dependencies"].values():
        texts += extra
    found: dict[str, Requirement] = {}
    for text in texts:
        requirement = Requirement(text)
        if requirement.name != "learnstream" and requirement.specifier:
            found[_normal(requirement.name)] = requirement
    return found


def _pinned() -> dict[str, str]:
    lines = (ROOT / ".ci" / "lower-bounds.txt").read_text(encoding="utf-8").splitlines()
    pins = [line.split("==") for line in lines if line.strip() and not line.startswith("#")]
    return {_normal(name): version.strip() for name, version in pins}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_declared_dependency_is_pinned_at_its_lower_bound() -> None:
    declared, pinned = _declared(), _pinned()
    assert set(pinned) == set(declared)
    for name, requirement in declared.items():
        (lowest,) = [s.version for s in requirement.specifier if s.operator in (">=", "==")]
        assert requirement.specifier.contains(pinned[name]), (name, pinned[name])
        assert re.fullmatch(rf"{re.escape(lowest)}(\.0)*", pinned[name]), (name, pinned[name])
