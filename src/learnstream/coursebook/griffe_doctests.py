"""A griffe extension that shows the engine's doctests as code on the reference pages.

learnstream's docstrings carry their examples as bare doctests (`>>>` lines), which
pytest runs. Markdown would read `>>>` as nested quotes, so this extension wraps
each run of doctest lines in a ```` ```pycon ```` fence before mkdocstrings renders
the docstring. `mkdocs.yml` loads it in the mkdocstrings options.

>>> fence_doctests("Add one.\\n\\n>>> 1 + 1\\n2\\n\\nThat is all.").splitlines()
['Add one.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'That is all.']
"""

from __future__ import annotations

from typing import Any

import griffe

__all__ = ["FenceDoctests", "fence_doctests"]


def fence_doctests(text: str) -> str:
    """Wrap every unindented doctest (from `>>>` to the next blank line) in a pycon fence."""
    out: list[str] = []
    in_doctest = in_fence = False
    for line in text.splitlines():
        if line.startswith(("```", "~~~")) and not in_doctest:
            in_fence = not in_fence
        elif not in_fence and not in_doctest and line.startswith(">>>"):
            out.append("```pycon")
            in_doctest = True
        elif in_doctest and not line.strip():
            out.append("```")
            in_doctest = False
        out.append(line)
    if in_doctest:
        out.append("```")
    return "\n".join(out)


class FenceDoctests(griffe.Extension):
    """Fence the doctests of every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite `obj`'s docstring in place, once per object."""
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
