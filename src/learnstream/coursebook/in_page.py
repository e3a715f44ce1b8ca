"""The Run and Grade buttons of the site: what of a page runs in the browser, and with what.

At build time (`mkdocs_hooks.on_page_markdown`) a course page's Markdown gets, right
after each runnable ```` ```python ```` fence, a slot ``<div class="ls-run"
data-block="N">`` where the page's script (`course/assets/javascripts/course-runner.js`)
puts Run and Stop and prints what the block printed; and, at the end, the page's
code as JSON (``<script type="application/json" id="ls-page-code">``): every block's
text and where it is, the output the page shows, and the example files the code
reads from its working directory. The blocks run in order in one namespace, as in
the tests (`learnstream.coursebook.runner.run_code`).

Each exercise slot (``<!-- exercise: NAME PART/FILE.py -->``) of Parts 1-3 is
followed by ``<div class="ls-grade" data-exercise="NAME">``, where the page puts an editor holding
the exercise's stub (in the JSON, under ``exercises``) and Grade
(`learnstream.grading.in_browser`); Part 4's say the CLI grades them.

A page whose code needs what the browser lacks gets, in each slot, the reason it
runs only on your machine: a Redis server (front matter ``needs:``) or River
(Part 4), which has no build for the browser.

>>> text = "# T\\n\\n```python\\nprint(1)\\n```\\n\\n```output\\n1\\n```\\n"
>>> marked = mark_runnable(text, {}, "part1/x.md", None)
>>> print(marked.split("<script")[0])
# T
<BLANKLINE>
```python
print(1)
```
<BLANKLINE>
<div class="ls-run" data-block="0"></div>
<BLANKLINE>
<BLANKLINE>
```output
1
```
<BLANKLINE>
>>> page_code(marked)["blocks"]
[{'code': 'print(1)\\n', 'where': 'x.md:3', 'shown': '1\\n'}]
>>> marked = mark_runnable("<!-- exercise: map part1/ex2_map.py -->\\n", {}, "part1/e.md", None)
>>> marked.splitlines()[:3]
['<!-- exercise: map part1/ex2_map.py -->', '', '<div class="ls-grade" data-exercise="map" data-part="part1"></div>']
>>> "def double" in page_code(marked)["exercises"]["map"]["stub"]
True
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from learnstream.coursebook.pages import parse_page

__all__ = [
    "GRADED_IN_PAGE",
    "IN_PAGE_PARTS",
    "local_only_reason",
    "mark_runnable",
    "page_code",
]

#: The folders of the course whose pages get Run buttons.
IN_PAGE_PARTS = ("part1", "part2", "part3", "part4")
#: The parts whose exercises are graded in the page (Part 4's checks need River).
GRADED_IN_PAGE = ("part1", "part2", "part3")
GRADED_BY_THE_CLI = (
    "This exercise is graded on your machine: its checks need River, which has no build "
    "for the browser. Run `learnstream grade part4` in your workspace."
)

_RIVER = re.compile(r"^\s*(from|import)\s+river\b", re.MULTILINE)
_SCRIPT = re.compile(r'<script type="application/json" id="ls-page-code">(.*?)</script>', re.S)


def local_only_reason(codes: list[str], meta: dict[str, Any]) -> str:
    """Why a page's code runs only on your machine, or "" when it runs in the page."""
    if "redis-server" in meta.get("needs", []):
        return (
            "This code talks to a Redis server, which a web page cannot start: run it on "
            "your machine (see Going to production)."
        )
    if any(_RIVER.search(code) for code in codes):
        return (
            "This code needs River, which has no build for the browser: run it on your "
            "machine with `pip install -e '.[ml]'` (see Part 4's exercises page)."
        )
    return ""


def mark_runnable(markdown: str, meta: dict[str, Any], src_path: str, root: Path | None) -> str:
    """`markdown` with Run slots, Grade slots and, at the end, the page's code as JSON."""
    part = src_path.split("/", 1)[0]
    if part not in IN_PAGE_PARTS:
        return markdown
    page = parse_page(markdown, root=root)
    codes = [block for block in page.blocks if block.kind == "code"]
    exercises = [block for block in page.blocks if block.kind == "exercise"]
    if not codes and not exercises:
        return markdown
    name = src_path.rsplit("/", 1)[-1]
    lines = markdown.splitlines(keepends=True)
    blocks = page.blocks
    after_line: dict[int, str] = {}
    entries: list[dict[str, str]] = []
    why = local_only_reason([block.text for block in codes], meta)
    for index, block in enumerate(blocks):
        if block.kind != "code":
            continue
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        number = len(entries)
        entries.append(
            {
                "code": block.text,
                "where": f"{name}:{block.line}",
                "shown": after.text if after is not None and after.kind == "output" else "",
            }
        )
        attributes = f'class="ls-run" data-block="{number}"'
        if why:
            attributes = f'class="ls-run ls-local" data-why="{html.escape(why)}"'
        after_line[_closing_line(lines, block.line - 1)] = f"\n<div {attributes}></div>\n\n"
    graded = {}
    for block in exercises:
        exercise, file = block.arg.split()
        attributes = f'class="ls-grade" data-exercise="{exercise}" data-part="{part}"'
        if part in GRADED_IN_PAGE:
            graded[exercise] = {
                "part": part,
                "file": file.split("/")[-1],
                "stub": _stub(part, exercise),
            }
        else:
            attributes += f' data-why="{html.escape(GRADED_BY_THE_CLI)}"'
        after_line[block.line - 1] = f"\n<div {attributes}></div>\n\n"
    out = []
    for number, line in enumerate(lines):
        out.append(line if line.endswith("\n") else line + "\n")
        if number in after_line:
            out.append(after_line[number])
    data: dict[str, Any] = {
        "page": name,
        "blocks": entries,
        "files": {},
        "local": why,
        "exercises": graded,
    }
    for file in meta.get("example_files", []):
        if root is not None:
            data["files"][Path(file).name] = (root / file).read_text(encoding="utf-8")
    payload = json.dumps(data).replace("</", "<\\/")
    out.append(f'\n<script type="application/json" id="ls-page-code">{payload}</script>\n')
    return "".join(out)


def _stub(part: str, exercise: str) -> str:
    """The fresh stub of an exercise, as `learnstream init` writes it."""
    from learnstream.grading.registry import get_part
    from learnstream.grading.workspace import stub_text

    return stub_text(get_part(part).exercise(exercise))


def _closing_line(lines: list[str], opening: int) -> int:
    """The index of the line closing the fence opened at `opening`."""
    ticks = re.match(r"\s*(`{3,}|~{3,})", lines[opening])
    assert ticks is not None, lines[opening]
    fence = ticks[1]
    for number in range(opening + 1, len(lines)):
        stripped = lines[number].strip()
        if stripped.startswith(fence) and not stripped.strip(fence[0]):
            return number
    raise ValueError(f"fence at line {opening + 1} never closed")


def page_code(markdown_or_html: str) -> dict[str, Any]:
    """The page's code as `mark_runnable` embedded it (for the tests)."""
    found = _SCRIPT.search(markdown_or_html)
    if found is None:
        raise LookupError("no page code in this page")
    data: dict[str, Any] = json.loads(found[1].replace("<\\/", "</"))
    return data
