"""Where the course lives: the project root, `mkdocs.yml`'s navigation, and the parts.

The site's navigation is the one list of which pages make up each part and in
which order, so the notebooks and the tests read it from `mkdocs.yml` rather
than keeping a second list.

>>> nav = [{"Home": "index.md"},
...        {"Part 1 · Foundations": ["part1/index.md", {"Maps": "part1/map.md"}]},
...        {"Part 2 · Windows": "part2/index.md"}]
>>> [(part.number, part.title, part.pages) for part in parts_from_nav(nav)]
[(1, 'Foundations', ['part1/index.md', 'part1/map.md']), (2, 'Windows', ['part2/index.md'])]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import learnstream

__all__ = ["Part", "find_project_root", "load_mkdocs_config", "parts", "parts_from_nav"]

_PART_TITLE = re.compile(r"^Part\s+(?P<number>\d+)\s*(?:[·:—-]\s*)?(?P<title>.*)$")


class CourseNotFoundError(FileNotFoundError):
    """No `mkdocs.yml` with a course next to it could be found."""


@dataclass(frozen=True)
class Part:
    """One part of the course: its number, title and pages (relative to the docs dir)."""

    number: int
    title: str
    pages: list[str]

    @property
    def slug(self) -> str:
        """The part's short name, as the grader and the notebooks use it: "part1"."""
        return f"part{self.number}"


def find_project_root(start: Path | None = None) -> Path:
    """The folder holding `mkdocs.yml`: `start` or a parent of it.

    Without `start`, the current folder or a parent of it, else the checkout the
    learnstream sources are in. A `start` given explicitly (`--course PATH`) is
    never swapped for that checkout: a mistyped path must fail, not quietly build
    another course.
    """
    here = (start or Path.cwd()).resolve()
    candidates = [here, *here.parents]
    if start is None:
        # An editable install (or running from a checkout) finds the course beside src/.
        candidates.append(Path(learnstream.__file__).resolve().parents[2])
    for folder in candidates:
        if (folder / "mkdocs.yml").is_file():
            return folder
    if start is not None:
        raise CourseNotFoundError(f"no mkdocs.yml found in {here} or its parents")
    raise CourseNotFoundError(
        "no mkdocs.yml found in this folder, its parents, or beside the learnstream sources; "
        "run from a checkout of the course or pass --course PATH"
    )


def load_mkdocs_config(root: Path) -> dict[str, Any]:
    """`mkdocs.yml` as plain data; Python tags (`!!python/name:`) load as None."""
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    if not isinstance(config, dict):
        raise ValueError(f"{root / 'mkdocs.yml'} is not a mapping")
    return config


def _page_paths(entry: Any) -> list[str]:
    if isinstance(entry, str):
        return [entry]
    if isinstance(entry, list):
        return [path for item in entry for path in _page_paths(item)]
    if isinstance(entry, dict):
        return [path for value in entry.values() for path in _page_paths(value)]
    return []


def parts_from_nav(nav: list[Any]) -> list[Part]:
    """The parts of the course: nav sections titled "Part N · Title"."""
    found = []
    for entry in nav:
        if not isinstance(entry, dict):
            continue
        for title, value in entry.items():
            match = _PART_TITLE.match(str(title))
            if match:
                found.append(Part(int(match["number"]), match["title"].strip(), _page_paths(value)))
    return found


def parts(root: Path) -> list[Part]:
    """The parts listed in `root/mkdocs.yml`, in navigation order."""
    return parts_from_nav(load_mkdocs_config(root).get("nav", []))


def docs_dir(root: Path) -> Path:
    """The folder the site is built from (`docs_dir` in `mkdocs.yml`)."""
    return root / load_mkdocs_config(root).get("docs_dir", "docs")
