"""Fixtures several test files share, and the markers of every test file.

`python -m pytest` runs everything (CI runs exactly that); `python -m pytest -m
"not slow"` is the development loop. Markers are given per file, in `MARKS`
below, so one table says which files are slow and why: every file under
`tests/` must be listed, with `()` if it runs in a few seconds. A file that is
not runs unmarked, with a warning, and `tests/test_markers.py` fails until it is.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["require_extras"]  # LEARNSTREAM_REQUIRE_EXTRAS=1 (CI): no skip for an extra
# Hostile submissions the grader is tested on: `--doctest-modules` would import them, and
# importing one runs it (cheat_edit_grader.py edits the installed learnstream).
collect_ignore = ["cheats"]

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
    "test_class_report_browser.py": ("grader", "browser", "slow"),
    "test_connectors.py": (),
    "test_core_agreement.py": (),
    "test_core_contract.py": (),
    "test_course_code.py": ("docs", "slow"),
    "test_course_in_browser.py": ("docs", "browser", "slow"),
    "test_course_timelines.py": ("docs",),
    "test_datasets_source.py": (),
    "test_demo_and_helpers.py": (),
    "test_docs_browser.py": ("docs", "browser", "slow"),
    "test_docs_site.py": ("docs", "slow"),
    "test_doctor.py": (),
    "test_epochs_and_timers.py": (),
    "test_errors.py": (),
    "test_fresh_clone.py": ("docs", "slow"),
    "test_fusion.py": (),
    "test_catalogue_part1.py": ("grader", "catalogue", "slow"),
    "test_catalogue_part2.py": ("grader", "catalogue", "slow"),
    "test_catalogue_part3.py": ("grader", "catalogue", "slow"),
    "test_catalogue_part4.py": ("grader", "catalogue", "slow"),
    "test_grading_cheats.py": ("grader", "slow"),
    "test_grading_cli.py": ("grader", "slow"),
    "test_gradescope.py": ("grader", "slow"),
    "test_grading_manifest.py": (),
    "test_grading_packaging.py": ("grader",),
    "test_grading_part2.py": ("grader", "catalogue", "slow"),
    "test_grading_part4.py": ("grader", "catalogue", "slow"),
    "test_grading_part3.py": ("grader", "catalogue", "slow"),
    "test_grading_replay.py": ("grader", "slow"),
    "test_instructor_labs.py": ("grader", "slow"),
    "test_grading_search.py": ("grader",),
    "test_labs.py": ("grader",),
    "test_labs_text.py": ("grader", "slow"),
    "test_hot_paths.py": (),
    "test_import_graph.py": (),
    "test_input_helpers.py": (),
    "test_join_core_agreement.py": ("slow",),
    "test_join_core_snapshot.py": (),
    "test_join_memory.py": ("slow",),
    "test_joins_bytewax.py": ("slow",),
    "test_keyed_items.py": (),
    "test_lower_bounds.py": (),
    "test_markers.py": (),
    "test_notebooks.py": ("docs", "slow"),
    "test_operators_model.py": (),
    "test_readme.py": ("docs", "slow"),
    "test_redis_connector.py": ("slow",),
    "test_redis_delivery.py": ("slow",),
    "test_require_extras.py": (),
    "test_run_errors_like_bytewax.py": (),
    "test_recovery_crash.py": ("slow",),
    "test_recovery_changed_keys.py": (),
    "test_recovery_like_bytewax.py": (),
    "test_recovery_store.py": (),
    "test_run_context.py": (),
    "test_run_flags.py": (),
    "test_run_window_summary.py": (),
    "test_scaleout.py": ("slow",),
    "test_seed_and_cli.py": (),
    "test_simulated_joins.py": (),
    "test_testing_helpers.py": (),
    "test_timeline.py": (),
    "test_timeline_joins.py": (),
    "test_window_core_snapshot.py": (),
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


class RedisServer:
    """A throwaway `redis-server` on a free loopback port, with its files in `workdir`.

    Nothing is saved while it runs (`--save '' --appendonly no`); `restart()`
    saves once on the way down (`SHUTDOWN SAVE`), as a server with persistence
    would, so streams and groups survive it. With `appendonly=True` the server
    logs every write (`--appendonly yes`), as in production: `terminate()` then
    stops it as a service manager does (SIGTERM) and `start()` brings it back.
    """

    def __init__(self, workdir: Path, *, appendonly: bool = False) -> None:
        self.appendonly = appendonly
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.address = f"127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        import redis

        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port)]
        command += ["--save", "", "--appendonly", "yes" if self.appendonly else "no"]
        command += ["--dir", str(self.workdir)]
        with open(self.workdir / "redis.log", "ab") as log:  # the server keeps its own copy
            self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(
                        f"redis-server did not start: {(self.workdir / 'redis.log').read_text()}"
                    ) from None
                time.sleep(0.02)

    def stop(self, *, save: bool = False) -> None:
        import redis

        if self.proc is None:
            return
        try:
            redis.Redis.from_url(self.url).shutdown(save=save, nosave=not save)
        except redis.ConnectionError:
            pass  # it is going down: that is what shutdown looks like from the client
        self.proc.wait(timeout=10)
        self.proc = None

    def terminate(self) -> None:
        """SIGTERM, as on a restart by a service manager; the server shuts down cleanly."""
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def restart(self) -> None:
        self.stop(save=True)
        self.start()

    def client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.url)


def _redis_server(workdir: Path, *, appendonly: bool) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; .ci/run does)")
    pytest.importorskip("redis", reason="redis-py is not installed: pip install -e '.[broker]'")
    server = RedisServer(workdir, appendonly=appendonly)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A fresh redis-server for one test; skipped (with the reason) where none is installed."""
    yield from _redis_server(tmp_path_factory.mktemp("redis"), appendonly=False)


@pytest.fixture
def persistent_redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A fresh redis-server that logs every write (appendonly), to be restarted mid-run."""
    yield from _redis_server(tmp_path_factory.mktemp("redis"), appendonly=True)
