"""Fixtures several test files share, and the markers of every test file.

`python -m pytest` runs everything (CI runs exactly that); `python -m pytest -m
"not slow"` is the development loop. Markers are given per file, in `MARKS`
below, so one table says which files are slow and why: every file under
`tests/` must be listed, with `()` if it runs in a few seconds. A file that is
not runs unmarked, with a warning, and `tests/test_markers.py` fails until it is.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"

MARKS: dict[str, tuple[str, ...]] = {
    "test_api_compat.py": (),
    "test_architecture_page.py": ("docs",),
    "test_benchmarks.py": ("bench", "slow"),
    "test_building_like_bytewax.py": (),
    "test_bytewax_docs.py": ("docs",),
    "test_charts.py": (),
    "test_class_grading.py": ("grader", "slow"),
    "test_connectors.py": (),
    "test_core_agreement.py": (),
    "test_course_code.py": ("docs", "slow"),
    "test_course_timelines.py": ("docs",),
    "test_datasets_source.py": (),
    "test_demo_and_helpers.py": (),
    "test_docs_browser.py": ("docs", "browser", "slow"),
    "test_docs_site.py": ("docs", "slow"),
    "test_doctor.py": (),
    "test_epochs_and_timers.py": (),
    "test_errors.py": (),
    "test_fusion.py": (),
    "test_grading_catalogue.py": ("grader", "slow"),
    "test_grading_cli.py": ("grader", "slow"),
    "test_grading_manifest.py": (),
    "test_grading_packaging.py": ("grader",),
    "test_grading_part2.py": ("grader", "slow"),
    "test_grading_part4.py": ("grader", "slow"),
    "test_grading_part3.py": ("grader", "slow"),
    "test_grading_part3_catalogue.py": ("grader", "slow"),
    "test_grading_replay.py": ("grader", "slow"),
    "test_hot_paths.py": (),
    "test_import_graph.py": (),
    "test_input_helpers.py": (),
    "test_join_core_agreement.py": ("slow",),
    "test_join_memory.py": ("slow",),
    "test_joins_bytewax.py": ("slow",),
    "test_keyed_items.py": (),
    "test_markers.py": (),
    "test_notebooks.py": ("docs", "slow"),
    "test_operators_model.py": (),
    "test_readme.py": ("docs", "slow"),
    "test_run_errors_like_bytewax.py": (),
    "test_run_flags.py": (),
    "test_run_window_summary.py": (),
    "test_scaleout.py": ("slow",),
    "test_seed_and_cli.py": (),
    "test_simulated_joins.py": (),
    "test_testing_helpers.py": (),
    "test_timeline.py": (),
    "test_window_core_agreement.py": ("slow",),
    "test_windowing_bytewax.py": (),
    "test_windowing_errors.py": (),
    "test_windowing_model.py": ("slow",),
}
"""Markers by test file (the markers themselves are described in pyproject.toml).

`slow` keeps a file out of the development loop: use it when the file takes more
than about five seconds on a quiet 2-core machine. The others say what a file
needs or exercises, so `-m grader` or `-m "docs and not browser"` pick them out.
Doctests in `src/` are fast and carry no marker.
"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unlisted = set()
    for item in items:
        if item.path.parent != TESTS:
            continue
        marks = MARKS.get(item.path.name)
        if marks is None:
            unlisted.add(item.path.name)
            continue
        for name in marks:
            item.add_marker(name)
    if unlisted:
        warnings.warn(
            pytest.PytestConfigWarning(
                f"tests/conftest.py: add {', '.join(sorted(unlisted))} to MARKS, with () if it "
                'runs in a few seconds or ("slow",) and what else applies (see the README\'s '
                "Contributing notes)"
            ),
            stacklevel=1,
        )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docs site, built once per test run with `mkdocs build --strict`."""
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out
