"""mkdocs hooks: adapt the course pages' conventions to the site.

- An ```` ```output ```` fence (what the block above printed) is shown as plain
  text titled "Output".
- A ``<!-- timeline: NAME -->`` line becomes the SVG figure of the timeline the
  page's code built under NAME, and a ``<!-- figure: NAME -->`` line the SVG of
  its chart (`learnstream.charts.Chart`): the page runs at build time, so the
  figure is drawn from a real run, never a stale picture. A page whose code fails
  stops the build.
- An ``<!-- exercise: NAME PART/FILE.py -->`` slot shows the exercise's contract,
  the docstring of its file, read from its lab folder (`labs/PART/NAME/solution.py`):
  the page and the file the learner opens say the same, from one text; its
  "Try it" session is a ``pycon`` block.
- Each part's section in the navigation takes the part's name from its lab folder
  (`labs/partN/part.toml`), so the site, `learnstream
  list` and the grade reports name a part the same way.
- Each runnable block of a course page gets a Run slot, and the page its code as
  JSON (`learnstream.coursebook.in_page`); after the build, the site gets the
  Pyodide files and wheels its Run and Grade buttons load
  (`learnstream.coursebook.site_assets`).
- Only the pages that draw a Mermaid diagram load Mermaid.
- The Performance page shows `benchmarks/README.md` when that file exists, and says
  the figures are pending when it does not. Relative links inside it point at files
  the site does not carry, so they become plain paths; its headings move down a
  level so that the page keeps one title.

`mkdocs.yml` lists this file under `hooks:`.

>>> print(render_output_fences('```output\\n2\\n```'))
```text title="Output"
2
```
>>> print(demote_headings("# Bench\\n## W1\\n```\\n# not a heading\\n```"))
## Bench
### W1
```
# not a heading
```
>>> unlink_relative("see [w1](w1_wordcount.py) and [site](https://example.org)")
'see w1 (`w1_wordcount.py`) and [site](https://example.org)'
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path
from typing import Any

from learnstream.coursebook.in_page import mark_runnable
from learnstream.coursebook.site_assets import publish

__all__ = [
    "BENCHMARK_REPORT",
    "MERMAID",
    "PERFORMANCE_MARKER",
    "demote_headings",
    "exercise_markdown",
    "load_mermaid_where_drawn",
    "on_config",
    "on_page_markdown",
    "on_post_build",
    "on_post_page",
    "on_serve",
    "performance_section",
    "render_exercises",
    "render_output_fences",
    "render_timelines",
    "retitle_parts",
    "unlink_relative",
]

BENCHMARK_REPORT = Path("benchmarks/README.md")
PERFORMANCE_MARKER = "<!-- benchmark-report -->"

_TIMELINE_MARKER = re.compile(
    r"^<!--\s*(?P<kind>timeline|figure):\s*(?P<name>\w+)\s*-->[ \t]*$", re.MULTILINE
)
MERMAID = "assets/javascripts/vendor/mermaid/mermaid.min.js"
_BUNDLE_SCRIPT = re.compile(r'<script src="(?P<prefix>[^"]*)assets/javascripts/bundle\.[^"]*"')
_EXERCISE_SLOT = re.compile(
    r"^<!--\s*exercise:\s*(?P<name>\w+)\s+(?P<part>\w+)/(?P<file>[\w.]+)\s*-->[ \t]*$", re.MULTILINE
)
_OUTPUT_FENCE = re.compile(r"^(?P<ticks>`{3,})output[ \t]*$", re.MULTILINE)
_RELATIVE_LINK = re.compile(
    r"(?<!!)\[(?P<text>[^\]]+)\]\((?P<target>(?![a-z][a-z0-9+.-]*:|#)[^)\s]+)\)"
)


def render_output_fences(markdown: str) -> str:
    """Turn ```` ```output ```` fences into plain-text blocks titled "Output"."""
    return _OUTPUT_FENCE.sub(lambda m: f'{m["ticks"]}text title="Output"', markdown)


def exercise_markdown(docstring: str) -> str:
    """An exercise file's docstring as Markdown: its indented blocks become fences
    (``pycon`` for a ``>>>`` session), the rest is Markdown already.

    >>> print(exercise_markdown("Do it:\\n\\n    x = 1\\n    print(x)\\n\\nDone."))
    Do it:
    <BLANKLINE>
    ```python
    x = 1
    print(x)
    ```
    <BLANKLINE>
    Done.
    """
    out: list[str] = []
    block: list[str] = []

    def flush() -> None:
        while block and not block[-1].strip():
            block.pop()
        if block:
            lang = "pycon" if block[0].lstrip().startswith(">>>") else "python"
            out.extend([f"```{lang}", *(line[4:] for line in block), "```", ""])
        block.clear()

    for line in docstring.strip("\n").splitlines():
        starts = line.startswith("    ") and (not out or not out[-1].strip())
        if block and (line.startswith("    ") or not line.strip()):
            block.append(line)
        elif starts:
            block.append(line)
        else:
            flush()
            out.append(line)
    flush()
    return "\n".join(out).rstrip("\n") + "\n"


def render_exercises(markdown: str, root: Path) -> str:
    """Show each exercise slot's contract: its docstring, from `root/labs/PART/NAME`."""

    def contract(match: re.Match[str]) -> str:
        source = root / "labs" / match["part"] / match["name"] / "solution.py"
        docstring = ast.get_docstring(ast.parse(source.read_text(encoding="utf-8"))) or ""
        body = textwrap.indent(exercise_markdown(docstring), "    ")
        return f'{match[0]}\n\n!!! abstract "{match["file"]}"\n\n{body}'

    return _EXERCISE_SLOT.sub(contract, markdown)


def render_timelines(markdown: str, source: Path, root: Path) -> str:
    """Replace each timeline or figure marker with the SVG of what the page (at `source`) built."""
    if not _TIMELINE_MARKER.search(markdown):
        return markdown
    from learnstream.coursebook.pages import read_page
    from learnstream.coursebook.runner import run_page

    run = run_page(read_page(source, root), root)
    if run.problems:
        details = "\n\n".join(map(str, run.problems))
        raise RuntimeError(f"{source.name}: its timelines cannot be drawn:\n{details}")
    figures = iter(run.figures)

    def figure(match: re.Match[str]) -> str:
        drawn = next(figures, None)
        if drawn is None:  # a marker the page parser did not take for one (inside a fence)
            return match[0]
        css = "ls-timeline" if match["kind"] == "timeline" else "ls-chart"
        return f'\n<figure class="{css}" style="overflow-x: auto">{drawn.to_svg()}</figure>\n'

    return _TIMELINE_MARKER.sub(figure, markdown)


def demote_headings(markdown: str) -> str:
    """Add one `#` to every ATX heading outside fenced code."""
    out, fence = [], ""
    for line in markdown.splitlines():
        stripped = line.lstrip()
        if fence:
            if stripped.startswith(fence):
                fence = ""
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif re.match(r"#{1,5} ", line):
            line = "#" + line
        out.append(line)
    return "\n".join(out)


def unlink_relative(markdown: str) -> str:
    """Show relative links as `text (path)`: their targets are not part of the site."""
    return _RELATIVE_LINK.sub(lambda m: f"{m['text']} (`{m['target']}`)", markdown)


def performance_section(root: Path) -> str:
    """The benchmark report as Markdown for the Performance page, or a pending note."""
    report = root / BENCHMARK_REPORT
    if not report.is_file():
        return (
            '!!! info "Figures pending"\n'
            f"    The benchmark report (`{BENCHMARK_REPORT}`) has not been produced yet. "
            "When it lands in the repository this page shows it, table and all."
        )
    return demote_headings(unlink_relative(report.read_text(encoding="utf-8")))


def retitle_parts(nav: list[Any]) -> list[Any]:
    """`nav` with each part's section named as its manifest names it (found by its first page).

    >>> retitle_parts([{"Part 2 · Old name": ["part2/index.md", "part2/time.md"]}, "index.md"])
    [{'Part 2 · Windows and sessions': ['part2/index.md', 'part2/time.md']}, 'index.md']
    """
    from learnstream.grading.registry import PARTS

    labels = {part.page: part.label for part in PARTS}
    out = []
    for entry in nav:
        if isinstance(entry, dict) and len(entry) == 1:
            ((_, pages),) = entry.items()
            first = pages if isinstance(pages, str) else next(iter(pages or []), None)
            if isinstance(first, str) and first in labels:
                entry = {labels[first]: pages}
        out.append(entry)
    return out


def on_config(config: Any) -> Any:
    """mkdocs hook: the parts' sections of the navigation named from their manifests."""
    if config.get("nav"):
        config["nav"] = retitle_parts(config["nav"])
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """mkdocs hook: Run slots; rewrite output fences; fill the Performance page; draw timelines;
    show the exercises' contracts."""
    root = Path(config["config_file_path"]).parent
    if PERFORMANCE_MARKER in markdown:
        markdown = markdown.replace(PERFORMANCE_MARKER, performance_section(root))
    markdown = mark_runnable(markdown, page.meta, page.file.src_uri, root)
    markdown = render_timelines(markdown, Path(page.file.abs_src_path), root)
    markdown = render_exercises(markdown, root)
    return render_output_fences(markdown)


def load_mermaid_where_drawn(html: str) -> str:
    """`html` with the vendored Mermaid loaded before Material's script, if it has a diagram.

    Only the pages that draw a diagram pay for Mermaid (3.5 MB); Material draws a
    page's diagrams with the `mermaid` it finds loaded (and never asks a CDN).

    >>> page = '<div class="mermaid">graph</div><script src="../assets/javascripts/bundle.1.min.js">'
    >>> print(load_mermaid_where_drawn(page).split("</div>")[1])
    <script src="../assets/javascripts/vendor/mermaid/mermaid.min.js"></script><script src="../assets/javascripts/bundle.1.min.js">
    >>> load_mermaid_where_drawn("<p>no diagram</p>")
    '<p>no diagram</p>'
    """
    if 'class="mermaid"' not in html:
        return html
    bundle = _BUNDLE_SCRIPT.search(html)
    if bundle is None:
        raise RuntimeError("Material's bundle script is not in the page: where does Mermaid go?")
    mermaid = f'<script src="{bundle["prefix"]}{MERMAID}"></script>'
    return html[: bundle.start()] + mermaid + html[bundle.start() :]


def on_post_page(output: str, page: Any, config: Any) -> str:
    """mkdocs hook: pages with a diagram load Mermaid."""
    return load_mermaid_where_drawn(output)


def on_post_build(config: Any) -> None:
    """mkdocs hook: put Pyodide and the wheels the pages run on into the site (`browser/`)."""
    publish(Path(config["config_file_path"]).parent, Path(config["site_dir"]))


def on_serve(server: Any, config: Any, builder: Any) -> Any:
    """mkdocs hook: rebuild on edits of the files the pages include."""
    root = Path(config["config_file_path"]).parent
    for watched in (root / "benchmarks", root / "examples", root / "labs"):
        if watched.is_dir():
            server.watch(str(watched))
    return server
