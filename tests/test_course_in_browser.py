"""The course runs in the page: every block of Parts 1-3 with its Run button, offline.

The built site is served on loopback and driven in headless Debian Chromium
(the setup of `test_docs_browser.py`); every request that leaves the site is
refused and recorded, so a page that needs anything from outside fails here.
Each Run button runs its block in a Web Worker with Pyodide on learnstream's
twin; what it prints must be what the page shows under the block.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_docs_browser import _FLAGS, CHROMIUM

from learnstream.coursebook.pages import read_page

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(),
    reason=f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (CI installs it)",
)

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("part1", "part2", "part3")
RUN_TIMEOUT_MS = 120_000


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    handler = functools.partial(_CountingHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Offline:
    """A browser context whose every request outside the site is refused and recorded."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.refused: list[str] = []
        self.bytes = 0
        self.context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "http://localhost:")):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()

    def page(self) -> Any:
        page = self.context.new_page()
        page.on("response", self._count)
        return page

    def _count(self, response: Any) -> None:
        length = response.headers.get("content-length")
        if length is not None:
            self.bytes += int(length)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def _normalize(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


def _course_pages() -> list[tuple[str, int]]:
    """The pages of Parts 1-3 with runnable code: site path, and how many blocks run."""
    found = []
    for part in PARTS:
        for path in sorted((ROOT / "course" / part).glob("*.md")):
            runnable = sum(1 for block in read_page(path, ROOT).blocks if block.kind == "code")
            if runnable:
                stem = "" if path.stem == "index" else f"{path.stem}/"
                found.append((f"{part}/{stem}", runnable))
    return found


_WAIT_DONE = (
    "(i) => { const s = document.querySelector(`.ls-run[data-block='${i}']`);"
    " return s && ['done', 'failed', 'stopped'].includes(s.dataset.state); }"
)
# What the page shows under a block: the Output block right after the Run slot, if any.
_SHOWN = (
    "(i) => { const s = document.querySelector(`.ls-run[data-block='${i}']`);"
    " const next = s.nextElementSibling;"
    " const title = next && next.querySelector(':scope > span.filename');"
    " return title && title.textContent.trim() === 'Output' ? next.querySelector('code').innerText : ''; }"
)


def _run_block(page: Any, index: int) -> str:
    slot = page.locator(f".ls-run[data-block='{index}']")
    slot.locator(".ls-run-button").click()
    page.wait_for_function(_WAIT_DONE, arg=index, timeout=RUN_TIMEOUT_MS)
    state = slot.get_attribute("data-state")
    assert state == "done", f"block {index}: {state}: {slot.locator('.ls-status').inner_text()}"
    return str(slot.locator("pre.ls-output").text_content())


@pytest.mark.parametrize(("path", "runnable"), _course_pages())
def test_every_block_run_with_its_button_prints_the_pages_output(
    chromium: Any, site_url: str, path: str, runnable: int
) -> None:
    offline = Offline(chromium, site_url)
    page = offline.page()
    page.goto(f"{site_url}/{path}", wait_until="load")
    slots = page.locator(".ls-run[data-block]")
    assert slots.count() == runnable, "every runnable block gets a Run button"
    for index in range(runnable):
        printed = _run_block(page, index)
        shown = page.evaluate(_SHOWN, index)
        assert _normalize(printed) == _normalize(shown), f"{path} block {index}"
    assert not offline.refused, f"the page asked outside the site for {offline.refused}"
    offline.context.close()


def test_stop_ends_an_endless_loop_and_run_starts_python_afresh(
    chromium: Any, site_url: str
) -> None:
    offline = Offline(chromium, site_url)
    page = offline.page()
    page.goto(f"{site_url}/part1/generators/", wait_until="load")
    first = _run_block(page, 0)
    original = page.evaluate("() => window.learnstreamPageCode.blocks[1].code")
    page.evaluate(
        "() => { window.learnstreamPageCode.blocks[1].code = 'while True:\\n    pass\\n'; }"
    )
    slot = page.locator(".ls-run[data-block='1']")
    slot.locator(".ls-run-button").click()
    page.wait_for_function(
        "() => document.querySelector(\".ls-run[data-block='1']\").dataset.state === 'running'"
    )
    time.sleep(1.5)
    assert slot.get_attribute("data-state") == "running", "an endless loop is still running"
    slot.locator(".ls-stop-button").click()
    assert slot.get_attribute("data-state") == "stopped"
    assert "Stopped" in slot.locator(".ls-status").inner_text()
    # The next Run starts a new Python, which runs the block above again first.
    page.evaluate("(code) => { window.learnstreamPageCode.blocks[1].code = code; }", original)
    printed = _run_block(page, 1)
    assert _normalize(printed) == _normalize(page.evaluate(_SHOWN, 1))
    assert page.locator(".ls-run[data-block='0'] pre.ls-output").text_content() == first
    assert not offline.refused
    offline.context.close()


def test_part4_and_redis_pages_say_why_their_code_runs_only_on_your_machine(
    chromium: Any, site_url: str
) -> None:
    offline = Offline(chromium, site_url)
    page = offline.page()
    page.goto(f"{site_url}/part4/statistics/", wait_until="load")
    notes = page.locator(".ls-run.ls-local .ls-local-note")
    assert notes.count() >= 1
    assert page.locator(".ls-run-button").count() == 0
    assert "River" in notes.first.inner_text()
    offline.context.close()


def test_a_first_visit_downloads_and_first_output(
    chromium: Any, site_url: str, built_site: Path
) -> None:
    """Measured: bytes of a first visit that runs one block, and load-to-output time."""
    offline = Offline(chromium, site_url)
    page = offline.page()
    started = time.monotonic()
    page.goto(f"{site_url}/part1/generators/", wait_until="load")
    _run_block(page, 0)
    seconds = time.monotonic() - started
    manifest = json.loads((built_site / "browser/manifest.json").read_text())
    timings = page.evaluate("() => window.learnstreamTimings")
    print(
        f"first visit: {offline.bytes / 1e6:.1f} MB downloaded, first output {seconds:.1f} s "
        f"after the page started loading (Pyodide {manifest['pyodide']}; in the worker, ms: "
        f"{timings})"
    )
    assert offline.bytes <= 15_000_000, f"a first visit downloads {offline.bytes:,} bytes"
    assert not offline.refused
    offline.context.close()


# --- Grade in the page --------------------------------------------------------------------

GRADE_TIMEOUT_MS = 600_000
SEED = 20240611
#: Wrong submissions graded in the page besides each exercise's stub and solution: the first
#: of each exercise's catalogue (by name, hostile ones aside), and three hostile ones whose
#: failures the page must make as the child process does (a hang in a call, a hang at
#: import, megabytes printed).
HOSTILE = [
    ("part1", "map", "hostile_endless_loop_in_call"),
    ("part1", "map", "hostile_loop_at_import"),
    ("part1", "map", "hostile_flood_at_import"),
]


def _grading_cases() -> list[tuple[str, str, list[str]]]:
    """Each exercise of Parts 1-3 with the submissions the page grades for it."""
    from learnstream.grading.registry import CATALOGUE, get_part

    cases = []
    for part in PARTS:
        for exercise in get_part(part).exercises():
            wrong = sorted(
                path.stem
                for path in (exercise.folder / CATALOGUE).glob("*.py")
                if not path.stem.startswith("hostile")
            )
            hostile = [case for p, e, case in HOSTILE if (p, e) == (part, exercise.name)]
            cases.append((part, exercise.name, ["stub", "solution", *wrong[:1], *hostile]))
    return cases


def _source(part: str, exercise: str, case: str) -> str:
    from learnstream.grading.registry import CATALOGUE, get_part
    from learnstream.grading.workspace import solution_text, stub_text

    found = get_part(part).exercise(exercise)
    if case == "stub":
        return stub_text(found)
    if case == "solution":
        return solution_text(found)
    return (found.folder / CATALOGUE / f"{case}.py").read_text(encoding="utf-8")


def _verdict(result: dict[str, Any], folder: str = "") -> tuple[Any, ...]:
    """What must agree: the score, each check's pass or fail, and the first failure's message."""
    exercise = result["exercises"][0]
    failing = [check["message"] for check in exercise["checks"] if not check["passed"]]
    first = _same_places(failing[0], folder) if failing else ""
    return (
        exercise["score"],
        [(check["name"], check["passed"]) for check in exercise["checks"]],
        first,
    )


def _same_places(text: str, folder: str = "") -> str:
    """`text` with the workspace's folder (the CLI's, or the page's) written <workspace>."""
    if folder:
        text = text.replace(f" --path {folder}", "").replace(folder, "<workspace>")
    return re.sub(r"/tmp/learnstream-page-\w+", "<workspace>", text)


def _cli_grading(part: str, exercise: str, source: str, folder: Path) -> tuple[Any, str]:
    """`learnstream grade PART EXERCISE --seed SEED` on `source`: its verdict and report."""
    from learnstream.grading import get_part, grade
    from learnstream.grading.report import render_text

    file = folder / part / get_part(part).exercise(exercise).file
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(source, encoding="utf-8")
    result = grade(part, exercise, path=folder, seed=SEED)
    return _verdict(result.to_json(), str(folder)), _same_places(render_text(result), str(folder))


@pytest.fixture(scope="module")
def exercise_pages(chromium: Any, site_url: str) -> Iterator[tuple[Offline, dict[str, Any]]]:
    """One offline context; each part's exercises page opened once (one Python per part)."""
    offline = Offline(chromium, site_url)
    try:
        yield offline, {}
    finally:
        offline.context.close()


@pytest.mark.timeout(1800)
@pytest.mark.parametrize(("part", "exercise", "cases"), _grading_cases())
def test_each_exercise_graded_in_the_page_as_the_cli_grades_it(
    exercise_pages: tuple[Offline, dict[str, Any]],
    site_url: str,
    tmp_path: Path,
    part: str,
    exercise: str,
    cases: list[str],
) -> None:
    offline, pages = exercise_pages
    if part not in pages:
        pages[part] = offline.page()
        pages[part].goto(f"{site_url}/{part}/exercises/", wait_until="load")
    page = pages[part]
    slot = page.locator(f".ls-grade[data-exercise='{exercise}']")
    disagreements = []
    for case in cases:
        source = _source(part, exercise, case)
        expected, report = _cli_grading(part, exercise, source, tmp_path / case)
        if case == "stub":  # the editor holds the stub to begin with
            assert slot.locator("textarea").input_value() == source
        slot.locator("textarea").fill(source)
        slot.evaluate(f"s => {{ s.dataset.seed = '{SEED}'; s.dataset.state = ''; }}")
        slot.locator(".ls-grade-button").click()
        page.wait_for_function(
            "(name) => ['graded', 'failed'].includes("
            "document.querySelector(`.ls-grade[data-exercise='${name}']`).dataset.state)",
            arg=exercise,
            timeout=GRADE_TIMEOUT_MS,
        )
        assert slot.get_attribute("data-state") == "graded", slot.locator(".ls-status").inner_text()
        got = _verdict(json.loads(slot.get_attribute("data-result") or "{}"))
        if got != expected:
            disagreements.append(f"{case}:\n  page {got}\n  CLI  {expected}")
        # The page shows the CLI's report, word for word (the hint, the failure's picture).
        shown = _same_places(slot.get_attribute("data-report") or "")
        if shown != report:
            disagreements.append(f"{case}: the report differs:\n{shown}\n--- CLI:\n{report}")
        assert "score" in slot.locator(".ls-report").inner_text()
    assert not disagreements, "\n".join(disagreements)
    key = f"learnstream:{part}/{exercise}:source"
    stored = page.evaluate(f"() => localStorage.getItem({key!r})")
    assert stored == _source(part, exercise, cases[-1]), "the editor's text is kept in the browser"
    assert not offline.refused, f"the page asked outside the site for {offline.refused}"


def test_download_hands_the_editors_file_to_the_cli(chromium: Any, site_url: str) -> None:
    offline = Offline(chromium, site_url)
    page = offline.page()
    page.goto(f"{site_url}/part1/exercises/", wait_until="load")
    slot = page.locator(".ls-grade[data-exercise='map']")
    slot.locator("textarea").fill("def double(stream):\n    yield from (2 * x for x in stream)\n")
    with page.expect_download() as download:
        slot.locator(".ls-download-button").click()
    assert download.value.suggested_filename == "ex2_map.py"
    assert Path(download.value.path()).read_text() == slot.locator("textarea").input_value()
    page.reload(wait_until="load")
    assert "yield from" in page.locator(".ls-grade[data-exercise='map'] textarea").input_value()
    offline.context.close()
