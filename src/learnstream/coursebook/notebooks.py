"""Turn each written part of the course into a Jupyter notebook.

The notebooks are made from the same Markdown pages as the site, so there is one
source to edit. A part's notebook holds, in order:

1. a title cell, and a setup cell that writes the example files the part's code
   reads and makes the folder the exercises are saved to;
2. for each page of the part: its prose as Markdown cells (mkdocs-material's
   admonitions and tabs rewritten as plain Markdown), each runnable block as a code
   cell, shell commands and not-run code as Markdown, diagrams as Mermaid, and each
   timeline or chart figure as a code cell that displays what the page built;
3. for each exercise slot: a cell holding the exercise file (the stub, or any
   other version such as the reference solution), saved to the workspace with
   `%%writefile` when run, and a cell that grades it with `learnstream.grading`.

The learner's code is graded in the grader's sandbox, like on the command line,
never inside the notebook's own kernel.

>>> print(jupyter_markdown('!!! note "Why rng?"\\n    Seeds make it repeatable.\\n\\nSee [Part 2](../part2/index.md).'))
> **Why rng?**
>
> Seeds make it repeatable.
<BLANKLINE>
See Part 2.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learnstream.coursebook.layout import Part, docs_dir, parts
from learnstream.coursebook.pages import Block, Page, read_page
from learnstream.grading.markers import stub_of
from learnstream.grading.registry import SOLUTION_FILE

__all__ = [
    "WORKSPACE",
    "build_notebook",
    "grade_cell_source",
    "jupyter_markdown",
    "write_notebooks",
    "written_parts",
]

#: The folder, next to the notebook, where exercise cells save the learner's files.
WORKSPACE = "learnstream-work"

_ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)(?:\s+"(?P<title>[^"]*)")?\s*$')
_TAB = re.compile(r'^===\+?\s+"(?P<label>[^"]*)"\s*$')
_MARKER_LINE = re.compile(r"^<!--.*-->\s*$")
_PAGE_LINK = re.compile(
    r"(?<!!)\[(?P<text>[^\]]+)\]\((?![a-z][a-z0-9+.-]*:)[^)\s]*\.md(?:#[^)\s]*)?\)"
)


def _indented_body(lines: list[str], start: int) -> tuple[list[str], int]:
    """The 4-space-indented lines from `start` (blank lines included), dedented."""
    end = start
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith("    ")):
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return textwrap.dedent("\n".join(lines[start:end])).splitlines(), end


def jupyter_markdown(text: str) -> str:
    """Rewrite mkdocs-material Markdown for Jupyter: admonitions, tabs, page links, markers."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        admonition, tab = _ADMONITION.match(line), _TAB.match(line)
        if admonition:
            body, i = _indented_body(lines, i + 1)
            title = admonition["title"] or admonition["kind"].capitalize()
            inner = jupyter_markdown("\n".join(body)).splitlines()
            out += [f"> **{title}**", ">"] + [f"> {b}".rstrip() for b in inner]
            continue
        if tab:
            body, i = _indented_body(lines, i + 1)
            out += [f"**{tab['label']}**", "", jupyter_markdown("\n".join(body))]
            continue
        if not _MARKER_LINE.match(line):
            out.append(_PAGE_LINK.sub(lambda m: m["text"], line))
        i += 1
    return "\n".join(out).strip("\n")


def grade_cell_source(part: str, exercise: str, workspace: str = WORKSPACE) -> str:
    """The code of the cell that grades one exercise saved in `workspace`."""
    return (
        f"# Grade exercise {exercise!r}: runs your saved file in the grader's sandbox.\n"
        "from learnstream.grading import grade, render_text\n"
        "\n"
        f'print(render_text(grade("{part}", "{exercise}", path="{workspace}")))'
    )


@dataclass
class _Cells:
    """Cells under construction, with ids stable from one generation to the next."""

    prefix: str
    cells: list[Any]

    def add(self, kind: str, source: str, tags: tuple[str, ...] = ()) -> None:
        import nbformat

        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cell = make(source.strip("\n"))
        cell["id"] = f"{self.prefix}-{len(self.cells):03d}"
        if tags:
            cell["metadata"]["tags"] = list(tags)
        self.cells.append(cell)


def _setup_source(root: Path, files: list[str], part: Part) -> str:
    lines = [
        "# Setup: the example files this part reads, and the folder your exercises are saved to.",
        "from pathlib import Path",
        "",
        f'Path("{WORKSPACE}/{part.slug}").mkdir(parents=True, exist_ok=True)',
        "EXAMPLE_FILES = {",
    ]
    for name in files:
        content = (root / name).read_text(encoding="utf-8")
        lines.append(f"    {Path(name).name!r}: {content!r},")
    lines += [
        "}",
        "for name, content in EXAMPLE_FILES.items():",
        "    if not Path(name).exists():",
        '        Path(name).write_text(content, encoding="utf-8")',
    ]
    return "\n".join(lines)


def _exercise_source(root: Path, name: str, relative: str, exercises: Path | None) -> str:
    """The file of exercise `name` (`relative`, e.g. "part1/ex2_map.py") under `exercises`,
    or, by default, its stub made from its lab folder (`root/labs/PART/NAME/solution.py`)."""
    if exercises is not None:
        file = exercises / relative
    else:
        file = root / "labs" / relative.split("/")[0] / name / SOLUTION_FILE
    if not file.is_file():
        raise FileNotFoundError(f"exercise {name!r}: {file} does not exist")
    text = file.read_text(encoding="utf-8")
    return text if exercises is not None else stub_of(text)


def _exercise_cells(
    cells: _Cells, block: Block, part: Part, root: Path, exercises: Path | None
) -> None:
    name, relative = block.arg.split()
    cells.add(
        "code",
        f"%%writefile {WORKSPACE}/{relative}\n" + _exercise_source(root, name, relative, exercises),
        ("exercise",),
    )
    cells.add("code", grade_cell_source(part.slug, name), ("grade",))


def _page_cells(cells: _Cells, page: Page, part: Part, root: Path, exercises: Path | None) -> None:
    prose: list[str] = []

    def flush() -> None:
        text = jupyter_markdown("\n\n".join(prose))
        if text:
            cells.add("markdown", text)
        prose.clear()

    for index, block in enumerate(page.blocks):
        if block.kind == "prose":
            prose.append(block.text)
        elif block.kind in ("console", "norun", "diagram"):
            lang = "console" if block.kind == "console" else block.lang
            prose.append(f"```{lang}\n{block.text.rstrip()}\n```")
        elif block.kind == "code":
            flush()
            shown = page.blocks[index + 1] if index + 1 < len(page.blocks) else None
            raises = (
                shown is not None
                and shown.kind == "output"
                and shown.text.startswith("Traceback (most recent call last):")
            )
            # JupyterLab and nbclient go on past a cell tagged so; the lesson is the error.
            cells.add("code", block.text, ("raises-exception",) if raises else ())
        elif block.kind in ("timeline", "figure"):
            flush()
            # Timelines and charts display as their SVG (`_repr_svg_`): the site's figure.
            cells.add("code", block.arg, (block.kind,))
        elif block.kind == "exercise":
            flush()
            _exercise_cells(cells, block, part, root, exercises)
    flush()


def build_notebook(root: Path, part: Part, exercises: Path | None = None) -> Any:
    """The notebook of `part`; exercise cells hold the files under `exercises`.

    By default they hold the stubs made from the lab folders of the same checkout as
    the pages (`root/labs`), so a notebook made with `--course` from another clone
    pairs its pages with its exercises.
    """
    import nbformat

    folder = docs_dir(root)
    pages = [read_page(folder / name, root) for name in part.pages]
    cells = _Cells(part.slug, [])
    cells.add(
        "markdown",
        f"> **Part {part.number} · {part.title}, as a notebook.** Run the cells from top to "
        "bottom. Each exercise cell saves your code to "
        f"`{WORKSPACE}/{part.slug}/` and the cell after it grades what you saved. This "
        "notebook is generated from the course pages by `learnstream notebooks`; edit the "
        "pages, not the notebook.",
    )
    files = list(dict.fromkeys(name for page in pages for name in page.example_files))
    cells.add("code", _setup_source(root, files, part), ("setup",))
    for page in pages:
        _page_cells(cells, page, part, root, exercises)
    notebook = nbformat.v4.new_notebook(cells=cells.cells)
    notebook["metadata"] = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "learnstream": {
            "part": part.slug,
            "generated_from": [f"{folder.name}/{p}" for p in part.pages],
        },
    }
    nbformat.validate(notebook)
    return notebook


def written_parts(root: Path) -> list[Part]:
    """The parts with at least one page that is not a "coming next" placeholder."""
    folder = docs_dir(root)
    return [
        part
        for part in parts(root)
        if any(not read_page(folder / name, root).coming_next for name in part.pages)
    ]


def write_notebooks(root: Path, out: Path, exercises: Path | None = None) -> list[Path]:
    """Write one notebook per written part into `out`; return their paths."""
    import nbformat

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for part in written_parts(root):
        path = out / f"{part.slug}.ipynb"
        nbformat.write(build_notebook(root, part, exercises), path)
        written.append(path)
    return written
