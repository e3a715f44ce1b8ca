"""In CI a test that skips because Bytewax, River or Redis is missing fails instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

SKIPPING = """
import pytest

missing = pytest.importorskip("river_that_is_not_installed")


def test_never_runs() -> None:
    pass
"""
SKIPPING_AT_SETUP = """
import pytest


@pytest.mark.skipif(True, reason="the bytewax extra is not installed")
def test_needs_bytewax() -> None:
    pass


@pytest.mark.skipif(True, reason="Chromium is not installed")
def test_needs_something_else() -> None:
    pass
"""


def _pytest(tmp_path: Path, code: str, required: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_x.py").write_text(code)
    env = {**os.environ, "LEARNSTREAM_REQUIRE_EXTRAS": required, "PYTHONPATH": str(TESTS)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "require_extras",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            "--rootdir",
            str(tmp_path),
            str(tmp_path / "test_x.py"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("code", [SKIPPING, SKIPPING_AT_SETUP], ids=["collection", "setup"])
def test_a_skip_for_a_missing_extra_fails_only_when_required(tmp_path: Path, code: str) -> None:
    relaxed = _pytest(tmp_path, code, "")
    assert relaxed.returncode in (0, 5), relaxed.stdout + relaxed.stderr  # 5: nothing ran
    assert "forbids" not in relaxed.stdout
    strict = _pytest(tmp_path, code, "1")
    assert strict.returncode not in (0, 5), strict.stdout + strict.stderr
    assert "LEARNSTREAM_REQUIRE_EXTRAS forbids" in strict.stdout
    if code is SKIPPING_AT_SETUP:
        assert "1 skipped, 1 error" in strict.stdout  # Chromium is not an extra
