"""A pytest plugin: with `LEARNSTREAM_REQUIRE_EXTRAS=1`, a skip for a missing extra fails.

Tests that need Bytewax, River or Redis skip when those are not installed, so a
learner's `pytest` passes with the core install alone. CI installs every extra,
and there such a skip would hide a broken environment: `.ci/run` sets the
variable and this plugin (loaded by `conftest.py`) turns those skips, at
collection or at setup, into failures that say what was missing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator
from typing import Any

import pytest

EXTRAS = re.compile(r"bytewax|river|redis", re.IGNORECASE)


def _required() -> bool:
    return os.environ.get("LEARNSTREAM_REQUIRE_EXTRAS", "") not in ("", "0")


def _fail_if_missing_extra(report: Any) -> None:
    if not (report.skipped and _required()):
        return
    reason = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
    if EXTRAS.search(reason):
        report.outcome = "failed"
        report.longrepr = (
            f"skipped for a missing optional dependency, which LEARNSTREAM_REQUIRE_EXTRAS "
            f"forbids: {reason}"
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None]:
    outcome = yield
    _fail_if_missing_extra(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None]:
    outcome = yield
    _fail_if_missing_extra(outcome.get_result())
