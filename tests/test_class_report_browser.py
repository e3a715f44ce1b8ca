"""The class report (`learnstream grade PART --class-dir DIR --report FILE`) in a real browser.

The small class of tests/grading_helpers.CLASS_FILES is graded through the CLI
on two workers with `--csv` and `--report`; headless Debian Chromium (as in
test_docs_browser.py, through Playwright with `executable_path`) opens the page
from disk with the network cut off, and every number it shows is checked
against the CSV and the JSON of the same run.

With `LEARNSTREAM_REFRESH_ASSETS=1` the test also writes the screenshot the
instructor guide shows, course/assets/class-report.png.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from grading_helpers import ROOT, make_class

from learnstream.grading import get_part
from learnstream.grading.class_report import course_link

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT = ROOT / "course" / "assets" / "class-report.png"
PART1 = get_part("part1")

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(),
    reason=f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (CI installs it)",
)

_FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    where = tmp_path_factory.mktemp("class-report")
    make_class(where / "class")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    run = subprocess.run(
        [
            sys.executable, "-m", "learnstream", "grade", "part1", "--class-dir", "class",
            "-j", "2", "--seed", "5", "--timeout", "3", "--json", "--csv", "grades.csv",
            "--report", "report.html", "--course-url", "https://course.example/",
        ],
        cwd=where, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return {
        "report": where / "report.html",
        "json": json.loads(run.stdout),
        "csv": list(csv.DictReader(io.StringIO((where / "grades.csv").read_text()))),
    }


@pytest.fixture(scope="module")
def page(graded: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=_FLAGS,
            viewport={"width": 1100, "height": 800},
        )
        fetched: list[str] = []
        context.route("**/*", lambda route: (fetched.append(route.request.url), route.continue_()))
        opened = context.new_page()
        opened.goto(graded["report"].as_uri(), wait_until="load")
        opened.fetched = fetched
        try:
            yield opened
        finally:
            context.close()


def test_the_report_renders_from_disk_with_nothing_fetched(page: Any) -> None:
    assert page.locator("h1").inner_text() == "Part 1 · Foundations — class report"
    assert page.locator("svg#distribution rect").count() == 10
    assert page.locator("svg#distribution").bounding_box()["height"] > 100
    assert page.locator("section.exercise svg.chart").count() == len(PART1.exercises())
    assert [url for url in page.fetched if not url.startswith("file:")] == []
    if os.environ.get("LEARNSTREAM_REFRESH_ASSETS"):
        page.screenshot(
            path=str(SCREENSHOT),
            full_page=True,
            clip={"x": 0, "y": 0, "width": 1100, "height": 1500},
        )


def test_every_score_matches_the_csv(page: Any, graded: dict[str, Any]) -> None:
    for row in graded["csv"]:
        shown = page.locator(f'#scores tr[data-learner="{row["learner"]}"]')
        assert shown.locator("td.score").inner_text() == row["score"]
        for ex in PART1.exercises():
            assert shown.locator(f'td[data-exercise="{ex.name}"]').inner_text() == row[ex.name]
    # The histogram's bars add up to the class, each learner in the bin of their score.
    counts = [
        page.locator("svg#distribution text[data-bin]").nth(i).text_content() for i in range(10)
    ]
    assert sum(int(c) for c in counts if c) == len(graded["csv"])
    top_bin = int(counts[-1] or 0)
    assert top_bin == sum(int(row["score"]) >= 56 for row in graded["csv"])


def test_each_exercise_in_course_order_with_its_counts_and_course_page(
    page: Any, graded: dict[str, Any]
) -> None:
    sections = page.locator("section.exercise")
    names = [sections.nth(i).get_attribute("data-exercise") for i in range(sections.count())]
    assert names == [ex.name for ex in PART1.exercises()]
    for ex in PART1.exercises():
        section = page.locator(f'section[data-exercise="{ex.name}"]')
        link = section.locator("h3 a").get_attribute("href")
        assert link == course_link("https://course.example/", ex.page)
        started = [
            e for learner in graded["json"] for e in learner["exercises"]
            if e["name"] == ex.name and e["started"]
        ]  # fmt: skip
        passed = sum(e["score"] == e["max_score"] for e in started)
        assert section.locator(".count-passed").inner_text() == str(passed)
        assert section.locator(".count-failed").inner_text() == str(len(started) - passed)
        unstarted = len(graded["csv"]) - len(started)
        assert section.locator(".count-unstarted").inner_text() == str(unstarted)
        for index, check in enumerate(ex.checks):
            failed = sum(not e["checks"][index]["passed"] for e in started)
            row = section.locator(f'tr[data-check="{check.name}"]')
            assert row.locator("td.failed-count").inner_text() == str(failed)


def test_common_messages_say_who_and_the_unstarted_are_named(
    page: Any, graded: dict[str, Any]
) -> None:
    assert page.locator("#not-started").inner_text() == "eve"
    rows = page.locator("#messages tr.message")
    assert rows.count() >= 3
    # Carl's endless map: one message for all of his map checks, him alone.
    hung = [
        c["summary"] for learner in graded["json"] if learner["learner"] == "carl"
        for e in learner["exercises"] if e["name"] == "map" for c in e["checks"]
    ]  # fmt: skip
    row = page.locator("#messages tr.message", has_text=hung[0])
    assert row.locator("td.who").inner_text() == "carl"
    assert row.locator("td.learners").inner_text() == "1"
    counts = [int(rows.nth(i).locator("td.learners").inner_text()) for i in range(rows.count())]
    assert counts == sorted(counts, reverse=True)
