"""What the pages and the exercise files say is made from the lab folders, and is true.

Each exercise's docstring (in `labs/partN/NAME/solution.py`, the stub's too) ends
with a "Try it" session whose output is what the reference solution prints
(`learnstream.grading.tryit`); each course page shows, at the exercise's slot, that
same docstring (`mkdocs_hooks.render_exercises`), in the section its `lab.toml`
names. When a solution or a simulated source changes, these fail until
`python -m learnstream.grading.tryit --write` writes the new output.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from markdown.extensions.toc import slugify

from learnstream.coursebook.mkdocs_hooks import exercise_markdown, render_exercises
from learnstream.grading import PARTS, Exercise
from learnstream.grading.registry import SOLUTION_FILE
from learnstream.grading.tryit import run_session

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"
EXERCISES = [(part.name, exercise) for part in PARTS for exercise in part.exercises()]
SLOT = re.compile(r"^<!-- exercise: (\w+) (\w+)/([\w.]+) -->$", re.M)


def _ids(item: tuple[str, Exercise]) -> str:
    return f"{item[0]}-{item[1].name}"


@pytest.mark.parametrize("item", EXERCISES, ids=_ids)
def test_each_try_it_shows_what_its_solution_prints(item: tuple[str, Exercise]) -> None:
    _, exercise = item
    printed = run_session(exercise)
    assert any(got for _, got in printed), "a Try it session shows at least one result"
    for step, got in printed:
        assert step.want == got, f"{step.source!r} prints {got!r}, the docstring says {step.want!r}"


def _section(text: str, anchor: str) -> str:
    """The Markdown of the `##` section whose heading has the anchor `anchor`."""
    sections = re.split(r"^(?=## )", text, flags=re.M)
    found = [s for s in sections if slugify(s.splitlines()[0].lstrip("#").strip(), "-") == anchor]
    assert len(found) == 1, anchor
    return found[0]


@pytest.mark.parametrize("item", EXERCISES, ids=_ids)
def test_each_exercise_has_one_slot_in_the_section_its_lab_names(
    item: tuple[str, Exercise],
) -> None:
    part, exercise = item
    page, _, anchor = exercise.page.partition("#")
    section = _section((COURSE / page).read_text(encoding="utf-8"), anchor)
    assert SLOT.findall(section) == [(exercise.name, part, exercise.file)]
    assert f"`{exercise.file}`" in section.splitlines()[0]


def test_every_slot_of_every_page_names_an_exercise_of_its_part() -> None:
    known = {(part, e.name, e.file) for part, e in EXERCISES}
    slots = [
        (part, name, file)
        for page in COURSE.rglob("*.md")
        for name, part, file in SLOT.findall(page.read_text(encoding="utf-8"))
    ]
    assert sorted(slots) == sorted(known)


@pytest.mark.parametrize("item", EXERCISES, ids=_ids)
def test_the_site_shows_the_docstring_of_the_exercise_file(item: tuple[str, Exercise]) -> None:
    part, exercise = item
    slot = f"<!-- exercise: {exercise.name} {part}/{exercise.file} -->"
    shown = render_exercises(slot, ROOT)
    source = (exercise.folder / SOLUTION_FILE).read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source))
    assert docstring and docstring.splitlines()[0] in shown
    assert exercise_markdown(docstring).splitlines()[-1] in shown
    assert f"learnstream grade {part} {exercise.name}" in shown
