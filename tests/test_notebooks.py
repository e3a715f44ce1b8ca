"""The workshop notebooks: made from the course pages, valid, and runnable end to end."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from grading_helpers import generated
from nbclient import NotebookClient

from learnstream.cli import main
from learnstream.coursebook.layout import Part, docs_dir, parts
from learnstream.coursebook.notebooks import build_notebook, write_notebooks, written_parts
from learnstream.coursebook.pages import read_page

ROOT = Path(__file__).resolve().parent.parent
COURSE = docs_dir(ROOT)


def _part(number: int) -> Part:
    return next(p for p in parts(ROOT) if p.number == number)


def _exercise_names(part: Part, root: Path = ROOT) -> list[str]:
    """The exercises of `part`, in page order, as its pages' exercise markers name them."""
    pages = [read_page(docs_dir(root) / name, root) for name in part.pages]
    return [b.arg.split()[0] for page in pages for b in page.blocks if b.kind == "exercise"]


def _is_placeholder(part: Part) -> bool:
    return all(read_page(COURSE / name, ROOT).coming_next for name in part.pages)


def _text(cell: nbformat.NotebookNode) -> str:
    """Everything a code cell showed, whether printed or displayed."""
    shown = []
    for output in cell.get("outputs", []):
        shown.append(output.get("text", ""))
        shown.append(output.get("data", {}).get("text/plain", ""))
        shown += output.get("traceback", [])
    return "".join(shown)


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.metadata.get("tags", []))


def _execute(notebook: nbformat.NotebookNode, folder: Path) -> None:
    """Run every cell in a kernel whose working directory is `folder`."""
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()  # raises CellExecutionError on any cell not tagged raises-exception


# --- which notebooks are written ------------------------------------------------------


def test_cli_writes_one_valid_notebook_per_written_part(tmp_path: Path) -> None:
    out = tmp_path / "notebooks"
    result = CliRunner().invoke(main, ["notebooks", "--out", str(out), "--course", str(ROOT)])
    assert result.exit_code == 0, result.output
    expected = {p.slug for p in parts(ROOT) if not _is_placeholder(p)}
    assert "part1" in expected
    assert {p.stem for p in out.glob("*.ipynb")} == expected
    assert result.output.splitlines() == [f"wrote {out / slug}.ipynb" for slug in sorted(expected)]
    for path in out.glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        assert notebook.metadata["learnstream"]["part"] == path.stem


def test_cli_says_what_is_missing_without_a_course(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    # An explicit --course is never swapped for the checkout learnstream runs from.
    result = CliRunner().invoke(
        main, ["notebooks", "--course", str(empty), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert f"no mkdocs.yml found in {empty.resolve()} or its parents" in result.output
    assert not (tmp_path / "out").exists()


def test_every_page_of_a_part_is_in_the_navigation() -> None:
    """The nav decides what goes into a part's notebook, so no written page may be left out."""
    listed = {name for part in parts(ROOT) for name in part.pages}
    on_disk = {
        str(path.relative_to(COURSE))
        for path in COURSE.glob("part*/*.md")
        if re.fullmatch(r"part\d+", path.parent.name)
    }
    missing = on_disk - listed
    assert not missing, f"add these pages to their part in mkdocs.yml's nav: {sorted(missing)}"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


@pytest.fixture()
def small_course(tmp_path: Path) -> Path:
    """A course with Part 1 and a newly written Part 2 (two pages), and Part 3 coming next."""
    root = tmp_path / "course-clone"
    _write(
        root / "mkdocs.yml",
        """
        docs_dir: course
        nav:
          - Home: index.md
          - "Part 1 · Basics": part1/index.md
          - "Part 2 · Windows":
              - part2/index.md
              - part2/tumbling.md
          - "Part 3 · Joins": part3/index.md
        """,
    )
    _write(root / "course/index.md", "# Home\n")
    _write(
        root / "course/part1/index.md",
        """
        # Basics

        ```python
        from datetime import datetime, timedelta, timezone

        from learnstream.operators.windowing import TumblingWindower
        from learnstream.timeline import build_timeline

        t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
        events = [("a", t0 + timedelta(seconds=s)) for s in (1, 4, 12, 3)]
        tl = build_timeline(events, TumblingWindower(timedelta(seconds=10), t0))
        ```

        <!-- timeline: tl -->

        After the figure.
        """,
    )
    _write(root / "course/part2/index.md", "# Windows\n\nTime cut into windows.\n")
    _write(
        root / "course/part2/tumbling.md",
        """
        # Tumbling

        ```python
        print(sum(range(4)))
        ```

        ```output
        6
        ```

        <!-- exercise: tumble part2/ex1_tumble.py -->
        """,
    )
    _write(root / "course/part3/index.md", "---\ncoming_next: true\n---\n# Joins\n")
    _write(
        root / "labs/part2/tumble/solution.py",
        "def tumble():\n    # BEGIN SOLUTION\n    return 1\n    # STUB\n    # raise NotImplementedError\n    # END SOLUTION\n",
    )
    return root


def test_a_part_gets_its_notebook_as_soon_as_its_pages_are_written(small_course: Path) -> None:
    out = small_course / "notebooks"
    result = CliRunner().invoke(
        main, ["notebooks", "--out", str(out), "--course", str(small_course)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.ipynb")) == ["part1.ipynb", "part2.ipynb"]
    part2 = nbformat.read(out / "part2.ipynb", as_version=4)
    sources = [c.source for c in part2.cells]
    # Both pages, in navigation order, with the stub of this clone in the exercise cell.
    windows = next(i for i, s in enumerate(sources) if s.startswith("# Windows"))
    tumbling = next(i for i, s in enumerate(sources) if s.startswith("# Tumbling"))
    assert windows < tumbling
    assert "print(sum(range(4)))" in sources
    fill = next(c for c in part2.cells if "exercise" in _tags(c))
    assert fill.source == (
        "%%writefile learnstream-work/part2/ex1_tumble.py\n"
        "def tumble():\n    raise NotImplementedError"
    )
    assert 'grade("part2", "tumble", path="learnstream-work")' in sources[-1]
    assert part2.metadata["learnstream"]["generated_from"] == [
        "course/part2/index.md",
        "course/part2/tumbling.md",
    ]


def test_a_timeline_figure_becomes_a_cell_that_draws_it(small_course: Path) -> None:
    notebook = build_notebook(small_course, parts(small_course)[0])
    sources = [c.source for c in notebook.cells]
    figure = sources.index("tl")
    assert "timeline" in _tags(notebook.cells[figure])
    assert sources[figure - 1].endswith(
        "build_timeline(events, TumblingWindower(timedelta(seconds=10), t0))"
    )
    assert sources[figure + 1] == "After the figure."
    _execute(notebook, small_course)
    shown = notebook.cells[figure].outputs
    assert any(o.get("data", {}).get("image/svg+xml", "").startswith("<svg") for o in shown), shown


def test_written_parts_skips_placeholders_only(small_course: Path) -> None:
    assert [p.slug for p in written_parts(small_course)] == ["part1", "part2"]
    assert [p.stem for p in write_notebooks(small_course, small_course / "nb")] == [
        "part1",
        "part2",
    ]


# --- what a notebook holds -----------------------------------------------------------


def test_notebook_follows_the_pages_cell_for_block() -> None:
    part1 = _part(1)
    notebook = build_notebook(ROOT, part1)
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    pages = [read_page(COURSE / name, ROOT) for name in part1.pages]
    blocks = [b.text.strip("\n") for page in pages for b in page.blocks if b.kind == "code"]
    runnable = [
        c.source
        for c in notebook.cells
        if c.cell_type == "code" and not {"setup", "exercise", "grade", "timeline"} & set(_tags(c))
    ]
    assert runnable == blocks
    figures = [b for page in pages for b in page.blocks if b.kind == "timeline"]
    # Besides the examples: the setup cell, two cells per exercise, one per timeline figure.
    assert len(code) == len(blocks) + 1 + 2 * len(_exercise_names(part1)) + len(figures)
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "<!--" not in markdown and "!!! " not in markdown and ".md)" not in markdown
    assert "```mermaid\nflowchart TD" in markdown  # diagrams travel as Mermaid
    assert [c.id for c in notebook.cells] == [f"part1-{i:03d}" for i in range(len(notebook.cells))]


def test_each_exercise_is_a_cell_to_fill_then_a_cell_that_grades_it() -> None:
    part1 = _part(1)
    cells = build_notebook(ROOT, part1).cells
    names = _exercise_names(part1)
    fills = [i for i, c in enumerate(cells) if "exercise" in _tags(c)]
    assert len(fills) == len(names) == 5
    for index, name in zip(fills, names, strict=True):
        fill, grade = cells[index], cells[index + 1]
        header, _, body = fill.source.partition("\n")
        assert header.startswith("%%writefile learnstream-work/part1/ex")
        stub = generated("exercises") / header.removeprefix("%%writefile learnstream-work/")
        assert body == stub.read_text(encoding="utf-8").strip("\n")
        assert "NotImplementedError" in body  # the stub, to be filled in
        assert "grade" in _tags(grade)
        assert f'grade("part1", "{name}", path="learnstream-work")' in grade.source


# --- running them -------------------------------------------------------------------


@pytest.mark.timeout(900)
@pytest.mark.parametrize("part", written_parts(ROOT), ids=[p.slug for p in written_parts(ROOT)])
def test_notebook_runs_cleanly_and_grades_the_solutions(part: Part, tmp_path: Path) -> None:
    notebook = build_notebook(ROOT, part, exercises=generated("solutions"))
    _execute(notebook, tmp_path)
    grades = [c for c in notebook.cells if "grade" in _tags(c)]
    names = _exercise_names(part)
    assert len(grades) == len(names)
    for name, cell in zip(names, grades, strict=True):
        report = _text(cell)
        assert re.search(rf"✓ {name}\b", report), report
        assert "✗" not in report, report
    # The lessons' errors are the intended ones, and nothing else raised.
    for cell in notebook.cells:
        raised = any(o.output_type == "error" for o in cell.get("outputs", []))
        assert raised == ("raises-exception" in _tags(cell)), cell.source
    for cell in notebook.cells:  # figures drawn from the run, as on the site
        if {"timeline", "figure"} & set(_tags(cell)):
            svgs = [o.get("data", {}).get("image/svg+xml", "") for o in cell.outputs]
            assert any(svg.startswith("<svg") for svg in svgs), cell.source
    if part.number == 1:
        wordcount = next(c for c in notebook.cells if c.source == "run_main(flow)")
        assert _text(wordcount).startswith("(\"'tis\", 1)\n('a', 1)\n")
        assert (tmp_path / "learnstream-work/part1/ex5_wordcount.py").is_file()


def test_the_stub_notebook_grades_stubs_as_not_implemented(tmp_path: Path) -> None:
    cells = build_notebook(ROOT, _part(1)).cells
    first_fill = next(i for i, c in enumerate(cells) if "exercise" in _tags(c))
    setup = next(c for c in cells if "setup" in _tags(c))
    notebook = nbformat.v4.new_notebook(cells=[setup, cells[first_fill], cells[first_fill + 1]])
    _execute(notebook, tmp_path)
    report = _text(notebook.cells[-1])
    assert "✗ generator" in report and "not implemented yet" in report, report
