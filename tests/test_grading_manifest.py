"""The course described as data: one folder per exercise, read by everything that names a part.

Each part's `labs/partN/part.toml` holds its title, order and page; each exercise's
`lab.toml` its points, hint ladder and course page, and its `checks.py` the checks'
code. These tests hold the two together, and hold the docs site, `learnstream
list` and the reports to the manifests' names.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from markdown.extensions.toc import slugify

from learnstream.coursebook.mkdocs_hooks import retitle_parts
from learnstream.grading import PARTS, get_part
from learnstream.grading.registry import ManifestError, load_checks, read_part

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"


class _Loader(yaml.SafeLoader):
    """mkdocs.yml names Python objects (`!!python/name:`); the nav does not need them."""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def _nav() -> list[object]:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    nav: list[object] = config["nav"]
    return nav


def _section_titles(nav: list[object]) -> dict[str, str]:
    """Each nav section's first page -> its title."""
    out = {}
    for entry in nav:
        if isinstance(entry, dict):
            ((title, pages),) = entry.items()
            first = pages if isinstance(pages, str) else pages[0]
            out[first] = title
    return out


def test_parts_come_in_order_with_one_name_each() -> None:
    assert [part.order for part in PARTS] == list(range(1, len(PARTS) + 1))
    assert [part.name for part in PARTS] == [f"part{n}" for n in range(1, len(PARTS) + 1)]
    assert get_part("part2").label == "Part 2 · Windows and sessions"
    assert [part.coming for part in PARTS] == [False, False, False, False]


@pytest.mark.parametrize("part", PARTS, ids=lambda p: p.name)
def test_the_site_names_each_part_as_its_manifest_does(part: object) -> None:
    titles = _section_titles(_nav())
    assert titles[part.page] == part.label  # mkdocs.yml as written
    assert _section_titles(retitle_parts(_nav()))[part.page] == part.label  # as the site builds
    text = (COURSE / part.page).read_text(encoding="utf-8")
    heading = next(line for line in text.splitlines() if line.startswith("# "))
    assert heading == f"# {part.label}"


def test_the_nav_hook_renames_a_section_that_disagrees() -> None:
    nav = [{"Part 1 · Something else": ["part1/index.md"]}, {"Other": "other.md"}]
    assert retitle_parts(nav) == [
        {"Part 1 · Foundations": ["part1/index.md"]},
        {"Other": "other.md"},
    ]


@pytest.mark.parametrize("part", [p for p in PARTS if not p.coming], ids=lambda p: p.name)
def test_every_manifest_check_has_its_code_and_every_exercise_its_page(part: object) -> None:
    for exercise in part.exercises():
        table = load_checks(exercise.folder)  # raises ManifestError when they disagree
        assert [c.name for c in exercise.checks] == list(table)
        assert all(callable(run) for run in table.values())
        assert exercise.hints and all(c.points > 0 for c in exercise.checks)
        assert exercise.folder == ROOT / "labs" / part.name / exercise.name
        page, _, anchor = exercise.page.partition("#")
        text = (COURSE / page).read_text(encoding="utf-8")
        anchors = {slugify(line.lstrip("#").strip(), "-") for line in text.splitlines()}
        assert anchor in anchors, (exercise.name, anchor)


@pytest.mark.parametrize("part", [p for p in PARTS if not p.coming], ids=lambda p: p.name)
def test_a_checks_own_hint_never_answers_code_that_did_not_answer(part: object) -> None:
    """A check's hint is advice about its answers (`hint_for`): an exception, a hang or a
    crash gets the hint of its kind instead, whichever check met it."""
    for exercise in part.exercises():
        for check in exercise.checks:
            assert check.hint_for, (exercise.name, check.name)
            assert not any(kind.learner_code_broke for kind in check.hint_for), check.name


def _lab(tmp_path: Path, lab_toml: str, checks: str = "CHECKS = {}\n") -> Path:
    """A part folder `part9` with one exercise `e`, its lab.toml and checks.py as given."""
    part = tmp_path / "part9"
    (part / "e").mkdir(parents=True)
    (part / "part.toml").write_text('[part]\norder = 9\ntitle = "T"\npage = "p.md"\n')
    (part / "e" / "lab.toml").write_text(lab_toml)
    (part / "e" / "checks.py").write_text(checks)
    return part


_LAB = (
    'file = "e.py"\ntitle = "E"\nhints = ["h"]\n[[checks]]\nname = "c"\ntitle = "C"\npoints = 1\n'
)


def test_an_unknown_failure_kind_in_a_manifest_is_refused(tmp_path: Path) -> None:
    part = _lab(tmp_path, _LAB + 'hint = "x"\nhint_for = ["wrong_colour"]\n')
    with pytest.raises(ManifestError, match="hint_for names an unknown failure kind"):
        read_part(part)


def test_a_manifest_and_its_checks_that_disagree_are_refused(tmp_path: Path) -> None:
    part = _lab(tmp_path, _LAB, "CHECKS = {'c': print, 'd': print}\n")
    (exercise,) = read_part(part).exercises()
    with pytest.raises(ManifestError, match=r"lab.toml and .*checks.py name different checks"):
        load_checks(exercise.folder)


def test_a_manifest_missing_a_field_says_which(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"part9/e/lab.toml has no 'checks'"):
        read_part(_lab(tmp_path, 'file = "e.py"\ntitle = "E"\nhints = ["h"]\n'))


def test_list_shows_the_manifests_titles(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="120")
    run = subprocess.run(
        [sys.executable, "-m", "learnstream", "list"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    for part in PARTS:
        (line,) = [line for line in run.stdout.splitlines() if line.startswith(part.name)]
        assert re.match(rf"{part.name}\s+{re.escape(part.title)}\s", line), line
        assert ("coming" in line) == part.coming
        for exercise in part.exercises():
            assert re.search(rf"· {exercise.name}\s+{re.escape(exercise.title)}\s", run.stdout)
