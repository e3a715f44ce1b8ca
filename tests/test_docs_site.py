"""The docs site builds with `mkdocs build --strict`, offline, with every part reachable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from learnstream.coursebook.layout import docs_dir, load_mkdocs_config, parts
from learnstream.coursebook.mkdocs_hooks import PERFORMANCE_MARKER, performance_section
from learnstream.coursebook.pages import read_page

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(built_site: Path) -> Path:
    return built_site


def test_strict_build_writes_every_nav_page(site: Path) -> None:
    config = load_mkdocs_config(ROOT)

    def pages(entry: object) -> list[str]:
        if isinstance(entry, str):
            return [entry]
        if isinstance(entry, list):
            return [p for item in entry for p in pages(item)]
        if isinstance(entry, dict):
            return [p for value in entry.values() for p in pages(value)]
        return []

    for page in pages(config["nav"]):
        html = site / re.sub(r"(index)?\.md$", "", page) / "index.html"
        assert html.is_file(), f"{page} was not built"


def test_every_part_has_a_page_and_unwritten_parts_say_coming_next() -> None:
    found = parts(ROOT)
    assert [p.number for p in found] == [1, 2, 3, 4]
    home = (docs_dir(ROOT) / "index.md").read_text(encoding="utf-8")
    for part in found:
        flags = [read_page(docs_dir(ROOT) / name, ROOT).coming_next for name in part.pages]
        placeholder = any(flags)
        # A part not written yet is a single "coming next" page; a written one has none.
        assert flags == [True] if placeholder else not any(flags), (part.slug, flags)
        row = re.search(rf"^\| \[Part {part.number} · [^\n]*\|\s*([^|\n]+?)\s*\|$", home, re.M)
        assert row is not None, f"the home page's table has no row for {part.slug}"
        assert (row[1] == "coming next") == placeholder, (
            f"the home page's table says {row[1]!r} for {part.slug}; it must say 'coming next' "
            "exactly while the part is a placeholder"
        )
    assert not read_page(docs_dir(ROOT) / "part1" / "index.md", ROOT).coming_next


def test_navigation_runs_from_home_through_the_parts_and_production_to_the_reference() -> None:
    titles = [next(iter(entry)) for entry in load_mkdocs_config(ROOT)["nav"]]
    assert titles[0] == "Home"
    assert [re.match(r"Part (\d) · ", t)[1] for t in titles[1:5]] == ["1", "2", "3", "4"]
    assert titles[5:] == [
        "Going to production",
        "Exercises & grading",
        "Instructor guide",
        "Engine reference",
        "Performance",
        "When one machine is not enough",
    ]


def test_home_shows_the_readme_quickstart_lines() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quickstart.*?```bash\n(.*?)```", readme, re.S)
    assert block is not None
    lines = block[1].strip().splitlines()
    assert len(lines) == 2
    home = (docs_dir(ROOT) / "index.md").read_text(encoding="utf-8")
    for line in lines:
        assert f"$ {line}\n" in home


def test_the_pages_offer_search_copy_buttons_tabs_admonitions_and_dark_mode(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'class="md-search__input"' in home
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    assert any(
        doc["location"].startswith("part1/generators/") and "generator" in doc["text"].lower()
        for doc in index["docs"]
    )
    # Material adds the copy buttons in the browser, from this feature flag.
    assert re.search(r'"features": \[[^]]*"content\.code\.copy"', home)
    schemes = re.findall(
        r'data-md-color-scheme="(\w+)"[^>]*aria-label="Switch to (\w+) mode"', home
    )
    assert schemes == [("default", "dark"), ("slate", "light")]
    part1 = (site / "part1/index.html").read_text(encoding="utf-8")
    assert 'class="admonition tip"' in part1
    guide = (site / "instructor-guide/index.html").read_text(encoding="utf-8")
    assert 'class="tabbed-set' in guide
    assert re.findall(r'<label for="__tabbed_1_\d">([^<]+)</label>', guide) == [
        "JupyterLab",
        "VS Code",
        "Running them headless",
    ]


def test_the_site_fetches_nothing_from_the_internet(site: Path) -> None:
    external = re.compile(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""")
    offenders = [
        f"{html.relative_to(site)}: {match.group(0)}"
        for html in site.rglob("*.html")
        for match in external.finditer(html.read_text(encoding="utf-8"))
    ]
    assert not offenders, "\n".join(offenders[:10])
    assert (site / "assets/javascripts/vendor/mermaid/mermaid.min.js").stat().st_size > 1_000_000


def test_diagrams_and_outputs_are_rendered_for_the_browser(site: Path) -> None:
    html = (site / "part1/dataflows/index.html").read_text(encoding="utf-8")
    assert html.count('class="mermaid"') == 2
    # Bytewax's Mermaid format: an edge labelled with the ports it joins
    assert re.search(
        r"wordcount\.inp -- (&quot;|\")down → up(&quot;|\") --&gt; wordcount\.lowercase", html
    )
    assert '<span class="filename">Output</span>' in html


def test_part4_figures_are_drawn_from_the_pages_runs(site: Path) -> None:
    for page, title in [
        ("anomalies", "HalfSpaceTrees on Shuttle"),
        ("online-learning", "Prequential accuracy on Phishing"),
        ("drift", "Accuracy over the last 200 events"),
    ]:
        html = (site / "part4" / page / "index.html").read_text(encoding="utf-8")
        assert html.count('<figure class="ls-chart"') == 1, page
        assert f'aria-label="{title}"' in html, page
        assert "<!-- figure:" not in html, page
    # the drift chart marks the change and each detection the page printed
    drift = (site / "part4/drift/index.html").read_text(encoding="utf-8")
    printed = re.search(r"drifts detected at: \[([\d, ]+)\]", drift)
    assert printed is not None
    assert drift.count('stroke-dasharray="5 3"') == 1 + len(printed[1].split(","))


def test_reference_pages_show_doctests_as_code(site: Path) -> None:
    html = (site / "reference/operators/index.html").read_text(encoding="utf-8")
    assert '<span class="gp">&gt;&gt;&gt; </span>' in html  # a prompt, lexed as pycon
    assert "<blockquote>\n<blockquote>" not in html  # bare `>>>` read as nested quotes


def test_performance_page_includes_the_benchmark_report_when_it_exists(tmp_path: Path) -> None:
    assert "Figures pending" in performance_section(tmp_path)
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks/README.md").write_text(
        "# Benchmarks\n\n| workload | ratio |\n|---|---|\n| W1 | 1.1 |\n\nSee [w1](w1.py).\n",
        encoding="utf-8",
    )
    section = performance_section(tmp_path)
    assert section.startswith("## Benchmarks")
    assert "| W1 | 1.1 |" in section
    assert "w1 (`w1.py`)" in section
    assert PERFORMANCE_MARKER in (docs_dir(ROOT) / "performance.md").read_text(encoding="utf-8")


def test_performance_page_shows_the_real_report_or_says_it_is_pending(site: Path) -> None:
    html = (site / "performance/index.html").read_text(encoding="utf-8")
    if (ROOT / "benchmarks/README.md").is_file():
        assert "Figures pending" not in html
    else:
        assert "Figures pending" in html
