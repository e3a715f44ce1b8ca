"""Read course pages: Markdown split into prose, runnable code, outputs and markers.

A page is Markdown as mkdocs-material renders it, with a few conventions so that
the same file can be tested, turned into a notebook and published:

- a ```` ```python ```` fence at the top level of the page is *runnable*; the
  page's runnable blocks run in order in one namespace;
- an ```` ```output ```` fence right after a runnable block is what that block
  prints (when a block raises, the output ends with the exception, as Python
  shows it); a runnable block with no output fence must print nothing;
- a ```` ```console ```` fence holds shell commands (`$ ` prompts) and their
  output; its commands are run too;
- ``<!-- norun: why -->`` right before a ``python`` or ``console`` fence shows it
  without running it (a command to install something, an infinite loop);
- ``<!-- diagram: NAME -->`` right before a ```` ```mermaid ```` fence says the
  fence is ``to_mermaid(NAME)`` of the flow the page built under that name;
- ``<!-- exercise: NAME PART/FILE.py -->`` is an exercise slot: nothing on the
  site, a cell to fill and a cell that grades it in the notebook;
- ``<!-- timeline: NAME -->`` on a line of its own is a figure: on the site, the
  SVG of the `learnstream.timeline.Timeline` the page's code built under that
  name (drawn at build time, so it is always the engine's);
- ``<!-- figure: NAME -->`` likewise draws the `learnstream.charts.Chart` the
  page's code built under that name (learning curves, scores, drift points);
- front matter may list ``example_files`` (paths from the project root) that the
  code reads from its working directory, ``needs: [redis-server]`` says the code
  talks to a Redis server at ``REDIS_URL`` (the tests start one, or skip the page
  where none is installed), and ``coming_next: true`` marks a placeholder page
  of a part not yet written.

>>> page = parse_page('''---
... example_files: [examples/wordcount.txt]
... ---
... # Title
...
... ```python
... print(1 + 1)
... ```
...
... ```output
... 2
... ```
... ''')
>>> [(block.kind, block.text) for block in page.blocks]
[('prose', '# Title\\n'), ('code', 'print(1 + 1)\\n'), ('output', '2\\n')]
>>> page.example_files
['examples/wordcount.txt']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["Block", "CoursePageError", "Page", "parse_page", "read_page"]

BlockKind = Literal[
    "prose", "code", "output", "console", "norun", "diagram", "exercise", "timeline", "figure"
]

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_MARKER = re.compile(
    r"^<!--\s*(?P<name>norun|diagram|exercise|timeline|figure)\b:?\s*(?P<arg>.*?)\s*-->\s*$"
)
_SNIPPET = re.compile(r"^-{1,}8<-{1,}\s+\"(?P<path>[^\"]+)\"\s*$")
_RUNNABLE = {"python", "console"}


class CoursePageError(ValueError):
    """A course page breaks one of the conventions above."""


@dataclass(frozen=True)
class Block:
    """One piece of a page.

    `kind` is "prose" (Markdown, possibly with fences that are only shown),
    "code" (runnable Python), "output", "console", "norun" (a fence shown but
    not run: `lang` says which language), "diagram" (a Mermaid fence tied to the
    flow named `arg`), "exercise" (`arg` is "NAME PART/FILE.py") or "timeline"
    (a figure of the timeline named `arg`) or "figure" (of the chart named `arg`).
    """

    kind: BlockKind
    text: str
    line: int
    arg: str = ""
    lang: str = ""


@dataclass
class Page:
    """A parsed page: its blocks in order, and its front matter."""

    blocks: list[Block]
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def example_files(self) -> list[str]:
        """Files (from the project root) the page's code reads from its working directory."""
        return list(self.meta.get("example_files", []))

    @property
    def needs(self) -> list[str]:
        """Servers the page's code talks to (only "redis-server" so far)."""
        return list(self.meta.get("needs", []))

    @property
    def coming_next(self) -> bool:
        """True for the placeholder page of a part that is not written yet."""
        return bool(self.meta.get("coming_next", False))

    @property
    def name(self) -> str:
        """The page's file name, or "<page>" for a page parsed from a string."""
        return self.path.name if self.path else "<page>"


def _front_matter(lines: list[str]) -> tuple[dict[str, Any], int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            import yaml  # a dependency of mkdocs; only course pages with front matter need it

            meta = yaml.safe_load("".join(lines[1:end])) or {}
            if not isinstance(meta, dict):
                raise CoursePageError("front matter must be a mapping")
            return meta, end + 1
    raise CoursePageError("front matter opened with --- but never closed")


def _expand_snippets(text: str, root: Path | None, where: str) -> str:
    """Inline pymdownx.snippets lines (`--8<-- "path"`) so the code we run is what is shown."""
    out = []
    for line in text.splitlines(keepends=True):
        match = _SNIPPET.match(line.strip())
        if match is None:
            out.append(line)
            continue
        if root is None:
            raise CoursePageError(f"{where}: a snippet needs the project root to resolve")
        target = root / match["path"]
        if not target.is_file():
            raise CoursePageError(f"{where}: snippet {match['path']!r} not found under {root}")
        content = target.read_text(encoding="utf-8")
        out.append(content if content.endswith("\n") else content + "\n")
    return "".join(out)


def parse_page(source: str, *, path: Path | None = None, root: Path | None = None) -> Page:
    """Split a page into blocks; `root` resolves snippet includes inside fences."""
    lines = source.splitlines(keepends=True)
    meta, i = _front_matter(lines)
    name = path.name if path else "<page>"
    blocks: list[Block] = []
    prose: list[str] = []
    prose_line = i + 1
    marker: tuple[str, str, int] | None = None

    def flush_prose() -> None:
        text = "".join(prose).strip("\n")
        if text:
            blocks.append(Block("prose", text + "\n", prose_line))
        prose.clear()

    while i < len(lines):
        line = lines[i]
        found = _MARKER.match(line)
        if found is not None:
            if marker is not None and marker[0] != "exercise":
                raise CoursePageError(
                    f"{name}:{marker[2]}: <!-- {marker[0]} --> is not followed by a fence"
                )
            flush_prose()
            marker = (found["name"], found["arg"], i + 1)
            if found["name"] == "exercise":
                if len(found["arg"].split()) != 2:
                    raise CoursePageError(
                        f"{name}:{i + 1}: write <!-- exercise: NAME PART/FILE.py -->"
                    )
                blocks.append(Block("exercise", "", i + 1, arg=found["arg"]))
                marker = None
            elif found["name"] in ("timeline", "figure"):
                if not found["arg"].isidentifier():
                    raise CoursePageError(f"{name}:{i + 1}: write <!-- {found['name']}: NAME -->")
                blocks.append(Block(found["name"], "", i + 1, arg=found["arg"]))
                marker = None
            i += 1
            prose_line = i + 1
            continue
        opened = _FENCE_OPEN.match(line)
        if opened is None:
            if marker is not None and line.strip():
                raise CoursePageError(
                    f"{name}:{marker[2]}: <!-- {marker[0]} --> must sit right above its fence"
                )
            if not prose:
                prose_line = i + 1
            prose.append(line)
            i += 1
            continue
        ticks, indent = opened["ticks"], opened["indent"]
        lang = opened["info"].split()[0] if opened["info"].strip() else ""
        end = i + 1
        while end < len(lines) and not (
            lines[end].startswith(indent + ticks[0] * len(ticks))
            and lines[end].strip().strip(ticks[0]) == ""
        ):
            end += 1
        if end == len(lines):
            raise CoursePageError(f"{name}:{i + 1}: fence never closed")
        body = "".join(
            raw[len(indent) :] if raw.startswith(indent) else raw.lstrip()
            for raw in lines[i + 1 : end]
        )
        fence_text = "".join(lines[i : end + 1])
        start, i = i + 1, end + 1
        if indent and lang in _RUNNABLE | {"output"}:
            raise CoursePageError(
                f"{name}:{start}: runnable {lang!r} fences must sit at the top level of the page "
                "(not inside an admonition or a tab), so the tests and the notebook see them"
            )
        if marker is not None:
            kind, arg, _ = marker
            marker = None
            if kind == "norun":
                if lang not in _RUNNABLE:
                    raise CoursePageError(
                        f"{name}:{start}: <!-- norun --> only goes above python or console fences"
                    )
                flush_prose()
                blocks.append(
                    Block(
                        "norun",
                        _expand_snippets(body, root, f"{name}:{start}"),
                        start,
                        arg=arg,
                        lang=lang,
                    )
                )
            else:
                if lang != "mermaid" or not arg.isidentifier():
                    raise CoursePageError(
                        f"{name}:{start}: write <!-- diagram: NAME --> above a mermaid fence"
                    )
                flush_prose()
                blocks.append(Block("diagram", body, start, arg=arg, lang=lang))
            continue
        if lang == "python":
            flush_prose()
            blocks.append(
                Block("code", _expand_snippets(body, root, f"{name}:{start}"), start, lang=lang)
            )
        elif lang == "output":
            if not blocks or blocks[-1].kind != "code" or "".join(prose).strip():
                raise CoursePageError(f"{name}:{start}: an output fence must follow a python fence")
            prose.clear()
            blocks.append(Block("output", body, start, lang=lang))
        elif lang == "console":
            flush_prose()
            blocks.append(Block("console", body, start, lang=lang))
        else:
            if not prose:
                prose_line = start
            prose.append(_expand_snippets(fence_text, root, f"{name}:{start}"))
    if marker is not None:
        raise CoursePageError(
            f"{name}:{marker[2]}: <!-- {marker[0]} --> is not followed by a fence"
        )
    flush_prose()
    return Page(blocks, meta, path)


def read_page(path: Path, root: Path | None = None) -> Page:
    """Parse the page at `path`; `root` (the project root) resolves snippets."""
    return parse_page(path.read_text(encoding="utf-8"), path=path, root=root)
