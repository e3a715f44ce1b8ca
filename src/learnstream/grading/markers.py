"""A lab's `solution.py` holds both files the learner may see: the solution and the stub.

The stub is what `learnstream init` writes; the solution is what `learnstream
solution` prints. Both are made from the one file, which is itself the solution
(it runs, the linters read it) with the stub's lines beside the solution's:

- a block between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` (each on a line of
  its own, at the block's indentation) is solution code; an optional ``# STUB``
  line inside it starts the lines the stub has instead, written as comments
  (``# `` before each, at the same indentation);
- a line that ends in ``  # stub: TEXT`` is the same in both but for that
  comment: in the stub, an empty TEXT drops the line, a TEXT that starts with
  ``#`` becomes the line's comment (``# noqa: F401``, an import the learner will
  need), any other TEXT replaces the line.

>>> source = '''import math  # stub: # noqa: F401 (you will need it)
... def double(x):
...     # BEGIN SOLUTION
...     return x * 2
...     # STUB
...     # # TODO: return x doubled.
...     # raise NotImplementedError
...     # END SOLUTION
... '''
>>> print(solution_of(source), end="")
import math
def double(x):
    return x * 2
>>> print(stub_of(source), end="")
import math  # noqa: F401 (you will need it)
def double(x):
    # TODO: return x doubled.
    raise NotImplementedError
"""

from __future__ import annotations

import re

__all__ = ["MarkerError", "solution_of", "stub_of"]

_INLINE = re.compile(r"^(?P<code>\s*\S.*?)  # stub:(?: (?P<text>.*))?$")
_MARK = re.compile(r"^(?P<indent>\s*)# (?P<mark>BEGIN SOLUTION|STUB|END SOLUTION)\s*$")


class MarkerError(ValueError):
    """The markers of a `solution.py` do not pair up; the message gives the line."""


def _split(source: str, *, stub: bool) -> str:
    out: list[str] = []
    state = "both"  # "both", "solution" (inside BEGIN..STUB/END) or "stub" (inside STUB..END)
    indent = ""
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        mark = _MARK.match(line)
        if mark is not None:
            want = {"BEGIN SOLUTION": "both", "STUB": "solution", "END SOLUTION": None}
            expected = want[mark["mark"]]
            if (expected is None and state == "both") or (expected and state != expected):
                raise MarkerError(f"line {number}: {mark['mark']!r} where it does not belong")
            state = {"BEGIN SOLUTION": "solution", "STUB": "stub", "END SOLUTION": "both"}[
                mark["mark"]
            ]
            indent = mark["indent"]
            continue
        if state == "solution":
            if not stub:
                out.append(line)
        elif state == "stub":
            if stub:
                out.append(_uncomment(line, indent, number))
        else:
            out.append(_inline(line, stub=stub))
    if state != "both":
        raise MarkerError("a '# BEGIN SOLUTION' block has no '# END SOLUTION'")
    return "".join(out)


def _uncomment(line: str, indent: str, number: int) -> str:
    body = line.rstrip("\n")
    if body.strip() == "#":
        return "\n"
    if not body.startswith(indent + "# "):
        raise MarkerError(f"line {number}: a stub line must be a comment, '{indent}# ...'")
    return indent + body[len(indent) + 2 :] + "\n"


def _inline(line: str, *, stub: bool) -> str:
    found = _INLINE.match(line.rstrip("\n"))
    if found is None:
        return line
    code, text = found["code"], (found["text"] or "").strip()
    if not stub:
        return code + "\n"
    if not text:
        return ""
    if text.startswith("#"):
        return f"{code}  {text}\n"
    return code[: len(code) - len(code.lstrip())] + text + "\n"


def solution_of(source: str) -> str:
    """The reference solution a learner is shown: `source` without the stub's lines."""
    return _split(source, stub=False)


def stub_of(source: str) -> str:
    """The stub a learner starts from: `source` with the stub's lines instead of the solution's."""
    return _split(source, stub=True)
