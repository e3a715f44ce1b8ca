"""The built site works in a real browser: pages render, diagrams draw, search finds Part 1.

Headless Debian Chromium (`/usr/bin/chromium`, or `$CHROMIUM`), driven by
Playwright's Python client with `executable_path` set, so Playwright downloads no
browser of its own. Screenshots go to `$LEARNSTREAM_SCREENSHOTS` if set, else to a
temporary folder (printed on failure).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(),
    reason=f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (CI installs it)",
)

# Chromium's own background traffic fails on a machine without internet; keep it quiet.
_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(built_site: Path) -> Iterator[str]:
    site = built_site
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=_FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: `$LEARNSTREAM_SCREENSHOTS` (to keep them), else a temp folder."""
    wanted = os.environ.get("LEARNSTREAM_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots: {folder}")  # pytest shows it with a failing test's output
    return folder


def _open(browser: object, url: str, requests: list[str]) -> object:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url, wait_until="load")
    return page


def test_home_page_renders_offline(browser: object, base_url: str, shots: Path) -> None:
    requests: list[str] = []
    page = _open(browser, f"{base_url}/", requests)
    assert page.locator("h1").first.inner_text().startswith("Streaming Data for Data Scientists")
    assert page.locator("nav.md-nav--primary").get_by_text("Part 1 · Foundations").count() >= 1
    page.screenshot(path=str(shots / "home.png"), full_page=True)
    outside = [url for url in requests if not url.startswith(base_url)]
    assert not outside, f"the page fetched from outside the site: {outside}"
    page.close()


def test_part1_renders_code_outputs_and_drawn_diagrams(
    browser: object, base_url: str, shots: Path
) -> None:
    requests: list[str] = []
    page = _open(browser, f"{base_url}/part1/dataflows/", requests)
    # mkdocs-material draws each diagram into a closed shadow root, replacing the Mermaid
    # text; Bytewax's format (one subgraph) lays the steps out left to right.
    page.wait_for_function(
        "() => [...document.querySelectorAll('div.mermaid')].length === 2 && "
        "[...document.querySelectorAll('div.mermaid')].every(e => {"
        " const box = e.getBoundingClientRect();"
        " return box.width > 300 && box.height > 40 && !e.textContent.includes('flowchart'); })",
        timeout=20_000,
    )
    # A syntax error is drawn too (as an error picture): parse each fence with Mermaid itself.
    source = (ROOT / "course/part1/dataflows.md").read_text(encoding="utf-8")
    for fence in re.findall(r"```mermaid\n(.*?)```", source, re.S):
        verdict = page.evaluate(
            "async (src) => { try { await mermaid.parse(src); return 'ok'; }"
            " catch (e) { return String(e); } }",
            fence,
        )
        assert verdict == "ok", verdict
    assert page.locator(".md-typeset .highlight .filename", has_text="Output").count() >= 2
    assert page.get_by_text("('whether', 1)").count() >= 1
    page.locator("div.mermaid").first.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "part1-dataflows.png"))
    page.goto(f"{base_url}/part1/", wait_until="load")
    page.screenshot(path=str(shots / "part1.png"), full_page=True)
    outside = [url for url in requests if not url.startswith(base_url)]
    assert not outside, f"the page fetched from outside the site: {outside}"
    page.close()


def test_searching_generator_lists_part1(browser: object, base_url: str, shots: Path) -> None:
    page = _open(browser, f"{base_url}/", [])
    page.locator("input.md-search__input").click()
    page.keyboard.type("generator", delay=20)  # material searches on key events
    results = page.locator("li.md-search-result__item > a.md-search-result__link")
    results.first.wait_for(timeout=20_000)
    links = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    page.screenshot(path=str(shots / "search.png"))
    assert any("part1/generators/" in link for link in links), links
    page.close()


def test_code_has_copy_buttons_and_the_toggle_switches_to_dark(
    browser: object, base_url: str, shots: Path
) -> None:
    page = _open(browser, f"{base_url}/part1/generators/", [])
    code_blocks = page.locator(".md-typeset pre > code").count()
    assert code_blocks > 0
    copy = page.locator(".md-typeset pre button[data-md-type=copy]")
    copy.first.wait_for(state="attached", timeout=10_000)  # added by Material's script
    assert copy.count() == code_blocks
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    before = page.evaluate(scheme)
    # The toggle shows one button at a time: the one that switches away from the current scheme.
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function(f"() => {scheme} !== {before!r}", timeout=10_000)
    assert {before, page.evaluate(scheme)} == {"default", "slate"}
    page.screenshot(path=str(shots / "part1-generators-toggled.png"))
    page.close()
