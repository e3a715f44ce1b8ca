"""The markers the Contributing notes describe: every test file listed once, every marker known."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def marks() -> dict[str, tuple[str, ...]]:
    """tests/conftest.py's MARKS, loaded by path (another conftest module shares its name)."""
    spec = importlib.util.spec_from_file_location("_tests_conftest", ROOT / "tests" / "conftest.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MARKS


def test_every_test_file_is_listed_with_its_markers() -> None:
    files = {p.name for p in (ROOT / "tests").glob("test_*.py")}
    listed = set(marks())
    assert files - listed == set(), "add these to MARKS in tests/conftest.py"
    assert listed - files == set(), "these are in MARKS but no longer exist"


def test_every_marker_given_is_registered_and_described() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    options = config["tool"]["pytest"]["ini_options"]
    registered = {line.split(":")[0] for line in options["markers"]}
    assert registered == {"slow", "docs", "browser", "grader", "catalogue", "bench"}
    assert {m for given in marks().values() for m in given} <= registered
    assert "--strict-markers" in options["addopts"]
