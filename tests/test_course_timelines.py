"""Timeline figures on course pages: `<!-- timeline: NAME -->` is drawn from the page's own run.

The site shows the SVG of the `Timeline` the page's code built under NAME, made
by the mkdocs hook at build time; these tests pin the marker down and check
that every figure of the course is the engine's picture of the page's data.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from learnstream.coursebook.layout import docs_dir, parts
from learnstream.coursebook.mkdocs_hooks import render_timelines
from learnstream.coursebook.pages import CoursePageError, parse_page, read_page
from learnstream.coursebook.runner import run_page
from learnstream.operators.windowing import TumblingWindower
from learnstream.timeline import Timeline, build_timeline

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^<!--\s*timeline:\s*(\w+)\s*-->\s*$", re.MULTILINE)

PAGE = """# Page

```python
from datetime import UTC, datetime, timedelta
from learnstream.operators.windowing import TumblingWindower
from learnstream.timeline import build_timeline

t0 = datetime(2024, 1, 1, tzinfo=UTC)
events = [("k", t0 + timedelta(seconds=s)) for s in (1, 12, 3, 30)]
picture = build_timeline(events, TumblingWindower(timedelta(seconds=10), t0), timedelta(0))
```

<!-- timeline: picture -->

The end.
"""


def test_the_marker_is_a_block_of_its_own() -> None:
    page = parse_page(PAGE)
    assert [(b.kind, b.arg) for b in page.blocks if b.kind == "timeline"] == [
        ("timeline", "picture")
    ]
    with pytest.raises(CoursePageError):
        parse_page("<!-- timeline: not a name -->\n")


def test_the_runner_hands_over_the_pages_timelines_and_reports_a_missing_one() -> None:
    run = run_page(parse_page(PAGE))
    assert run.problems == []
    assert [type(t) for t in run.timelines] == [Timeline]
    broken = run_page(parse_page(PAGE.replace("timeline: picture", "timeline: pitcure")))
    assert "no timeline named 'pitcure'" in str(broken.problems[0])


def test_the_hook_draws_the_engines_picture_in_place_of_the_marker(tmp_path: Path) -> None:
    source = tmp_path / "page.md"
    source.write_text(PAGE, encoding="utf-8")
    html = render_timelines(PAGE, source, tmp_path)
    assert "<!-- timeline" not in html
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    events = [("k", t0 + timedelta(seconds=s)) for s in (1, 12, 3, 30)]
    same = build_timeline(events, TumblingWindower(timedelta(seconds=10), t0), timedelta(0))
    assert same.late_events  # the example draws a late item
    assert f">{same.to_svg()}</figure>" in html
    assert html.endswith("The end.\n")
    # A page without markers is left alone (and not run).
    assert render_timelines("# x\n<!-- other -->\n", source, tmp_path) == "# x\n<!-- other -->\n"


def test_a_page_whose_code_fails_stops_the_build(tmp_path: Path) -> None:
    source = tmp_path / "page.md"
    broken = PAGE.replace("timedelta(0))", "timedelta(0)) + 1")
    source.write_text(broken, encoding="utf-8")
    with pytest.raises(RuntimeError, match="cannot be drawn"):
        render_timelines(broken, source, tmp_path)


COURSE_PAGES = [
    p for p in sorted(docs_dir(ROOT).rglob("*.md")) if MARKER.search(p.read_text("utf-8"))
]


@pytest.mark.parametrize("path", COURSE_PAGES, ids=[p.name for p in COURSE_PAGES])
def test_every_course_figure_is_drawn(path: Path) -> None:
    markdown = path.read_text(encoding="utf-8")
    names = MARKER.findall(markdown)
    run = run_page(read_page(path, ROOT), ROOT)
    assert run.problems == []
    assert len(run.timelines) == len(names)
    html = render_timelines(markdown, path, ROOT)
    assert html.count('<figure class="ls-timeline"') == len(names)
    for drawn in run.timelines:
        assert drawn.to_svg() in html


def test_part2_is_written_with_code_outputs_and_figures() -> None:
    part2 = next(p for p in parts(ROOT) if p.number == 2)
    pages = {name: read_page(docs_dir(ROOT) / name, ROOT) for name in part2.pages}
    assert not any(page.coming_next for page in pages.values())
    kinds = [b.kind for page in pages.values() for b in page.blocks]
    assert kinds.count("code") >= 15
    assert kinds.count("output") >= 12
    assert kinds.count("timeline") >= 4
    # The page on late data shows learnstream's difference from Bytewax as it runs:
    # the idle key's window is emitted once, and the straggler goes to `late`.
    late = pages["part2/late-data.md"]
    shown = [b.text for b in late.blocks if b.kind == "output"]
    idle = next(text for text in shown if "idle_key" in text)
    assert idle.count("idle_key.down: ('attic', (0, 1))") == 1
    assert "idle_key.late: ('attic', (0," in idle
