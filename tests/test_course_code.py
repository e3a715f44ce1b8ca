"""Every course page runs, and shows what its code really prints.

The first test runs each page of `course/` (python blocks in order in one
namespace, console commands, diagrams against the flows). The others pin down
the page conventions that test relies on, so a broken parser cannot make every
page "pass" by finding no code in it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnstream.coursebook.layout import docs_dir, parts
from learnstream.coursebook.pages import CoursePageError, parse_page, read_page
from learnstream.coursebook.runner import refresh_diagrams, run_page

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(docs_dir(ROOT).rglob("*.md"))


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_shows_what_its_code_prints(
    path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = read_page(path, ROOT)
    if "redis-server" in page.needs:  # the fixture skips the page where none is installed
        monkeypatch.setenv("REDIS_URL", request.getfixturevalue("redis_server").url)
    problems = run_page(page, ROOT).problems
    assert not problems, "\n\n".join(map(str, problems))


def test_part1_pages_carry_code_outputs_and_diagrams() -> None:
    part1 = next(p for p in parts(ROOT) if p.number == 1)
    blocks = [b for name in part1.pages for b in read_page(docs_dir(ROOT) / name, ROOT).blocks]
    kinds = [b.kind for b in blocks]
    assert kinds.count("code") >= 20
    assert kinds.count("output") >= 15
    assert kinds.count("diagram") >= 2
    assert sorted(b.arg.split()[0] for b in blocks if b.kind == "exercise") == [
        "filter",
        "generator",
        "map",
        "stateful",
        "wordcount",
    ]


def test_the_wordcount_page_runs_the_seed_program_and_shows_its_exact_output() -> None:
    page = read_page(docs_dir(ROOT) / "part1" / "dataflows.md", ROOT)
    seed = (ROOT / "examples" / "wordcount.py").read_text(encoding="utf-8")
    assert any(b.kind == "code" and b.text == seed for b in page.blocks)
    outputs = [b.text for b in page.blocks if b.kind == "output"]
    assert any(o.startswith('("\'tis", 1)\n') and o.endswith("('whether', 1)\n") for o in outputs)
    assert any(len(o.splitlines()) == 30 for o in outputs)


def test_the_wordcount_diagram_is_what_learnstream_visualize_draws() -> None:
    """The page's diagram is the command's output for the seed program, byte for byte."""
    page = read_page(docs_dir(ROOT) / "part1" / "dataflows.md", ROOT)
    seed = (ROOT / "examples" / "wordcount.py").read_text(encoding="utf-8")
    after_seed = page.blocks[[b.text for b in page.blocks].index(seed) :]
    diagram = next(b for b in after_seed if b.kind == "diagram")
    drawn = subprocess.run(
        [sys.executable, "-m", "learnstream", "visualize", "wordcount", "--format", "mermaid"],
        cwd=ROOT / "examples",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert drawn.stdout == diagram.text


# --- the conventions, on small pages -------------------------------------------------

_line = st.text(st.characters(codec="ascii", categories=["L", "N", "Zs"]), max_size=20)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(_line, min_size=1, max_size=4), min_size=1, max_size=5))
def test_a_page_whose_outputs_match_passes_and_any_changed_output_fails(
    printed: list[list[str]],
) -> None:
    chunks = []
    for lines in printed:
        chunks.append("```python\n" + "".join(f"print({line!r})\n" for line in lines) + "```\n")
        chunks.append("```output\n" + "".join(f"{line}\n" for line in lines) + "```\n")
    source = "\n".join(chunks)
    visible = any(line.strip() for line in printed[0])
    assert run_page(parse_page(source)).problems == []
    changed = source.replace("```output\n", "```output\nsomething else\n", 1)
    assert len(run_page(parse_page(changed)).problems) == 1
    if visible:  # trailing blank lines are not compared: dropping only those changes nothing
        emptied = source.replace("```output\n", "```nothing\n", 1)
        assert run_page(parse_page(emptied)).problems


def test_blocks_share_a_namespace_and_errors_are_shown_as_python_shows_them() -> None:
    page = parse_page(
        "```python\nx = 41\n```\n\n```python\nx + 1\nraise ValueError(f'no {x + 1}')\n```\n\n"
        "```output\nTraceback (most recent call last):\n  ...\nValueError: no 42\n```\n"
    )
    assert run_page(page).problems == []


def test_norun_blocks_are_not_run_but_must_compile() -> None:
    page = parse_page("<!-- norun: endless -->\n```python\nwhile True:\n    pass\n```\n")
    assert [b.kind for b in page.blocks] == ["norun"]
    assert run_page(page).problems == []
    broken = parse_page("<!-- norun: typo -->\n```python\nwhile True\n    pass\n```\n")
    assert "does not compile" in str(run_page(broken).problems[0])


def test_console_commands_are_run_and_compared(tmp_path: Path) -> None:
    good = parse_page("```console\n$ python -c \"print('hi')\"\nhi\n```\n")
    assert run_page(good).problems == []
    bad = parse_page("```console\n$ python -c \"print('hi')\"\nbye\n```\n")
    assert "prints something else" in str(run_page(bad).problems[0])
    failing = parse_page("```console\n$ python -c 'raise SystemExit(3)'\n```\n")
    assert "exited with 3" in str(run_page(failing).problems[0])


@pytest.mark.parametrize(
    "source",
    [
        "```output\n1\n```\n",  # an output with no code above it
        "```python\nprint(1)\n```\n\nsome prose\n\n```output\n1\n```\n",  # prose in between
        "<!-- diagram: flow -->\n```python\nx = 1\n```\n",  # a diagram marker on code
        "<!-- norun -->\nprose, not a fence\n",
        "!!! note\n    ```python\n    print(1)\n    ```\n",  # runnable code hidden in a note
        "```python\nprint(1)\n",  # never closed
        "<!-- exercise: map -->\n",  # no file
    ],
)
def test_pages_that_break_the_conventions_are_rejected(source: str) -> None:
    with pytest.raises(CoursePageError):
        parse_page(source)


def test_diagrams_are_regenerated_from_the_flow(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```python\nimport learnstream.operators as op\n"
        "from learnstream.dataflow import Dataflow\n"
        "from learnstream.testing import TestingSource\n"
        "flow = Dataflow('d')\n"
        "op.inspect('show', op.input('inp', flow, TestingSource([1])))\n```\n\n"
        "<!-- diagram: flow -->\n```mermaid\nflowchart TD\n    drawn --> by_hand\n```\n",
        encoding="utf-8",
    )
    assert "not the flow's" in str(run_page(read_page(page)).problems[0])
    assert refresh_diagrams(page) is True
    assert run_page(read_page(page)).problems == []
    assert 'd.inp["inp (input)"]' in page.read_text(encoding="utf-8")
    assert refresh_diagrams(page) is False


def test_a_figure_shows_the_chart_the_page_built_under_its_name() -> None:
    page = parse_page(
        "```python\nfrom learnstream.charts import Chart\nfig = Chart('t')\n"
        "fig.line([0, 1], [1, 2], label='a')\n```\n\n<!-- figure: fig -->\n"
    )
    assert [b.kind for b in page.blocks] == ["code", "figure"]
    run = run_page(page)
    assert run.problems == [] and [type(f).__name__ for f in run.figures] == ["Chart"]
    missing = run_page(parse_page("```python\nfig = 1\n```\n\n<!-- figure: fig -->\n"))
    assert "no chart named 'fig'" in str(missing.problems[0])
