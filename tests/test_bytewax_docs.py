"""Bytewax's own documented operator examples, run on learnstream, give Bytewax's documented output.

The examples are read from the installed Bytewax package at test time (the
`bytewax` extra), their imports pointed at learnstream, and their printed
output compared with the output Bytewax documents for them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import textwrap
from pathlib import Path

import pytest

bytewax_spec = importlib.util.find_spec("bytewax")
pytestmark = pytest.mark.skipif(bytewax_spec is None, reason="the bytewax extra is not installed")


def _documented_examples(module: str) -> list[tuple[str, str, str]]:
    assert bytewax_spec is not None and bytewax_spec.submodule_search_locations
    root = Path(next(iter(bytewax_spec.submodule_search_locations)))
    source = (root / module).read_text()
    pattern = re.compile(
        r"```\{testcode\}\n(?P<code>(?:(?!```).)*)```\s*"
        r"```\{testcode\}\n\s*:hide:\n(?P<run>(?:(?!```).)*)```\s*"
        r"```\{testoutput\}\n(?P<out>(?:(?!```).)*)```",
        re.S,
    )
    found = []
    for m in pattern.finditer(source):
        code = textwrap.dedent(m["code"]) + textwrap.dedent(m["run"])
        name = re.search(r'Dataflow\("([^"]+)"\)', code)
        found.append((name[1] if name else "example", code, textwrap.dedent(m["out"])))
    return found


def _to_learnstream(code: str) -> str:
    return code.replace("bytewax", "learnstream")


EXAMPLES = _documented_examples("operators/__init__.py") if bytewax_spec else []


@pytest.mark.parametrize(("name", "code", "expected"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_documented_example(name: str, code: str, expected: str) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(_to_learnstream(code), f"<bytewax example {name}>", "exec"), {})
    assert out.getvalue().strip() == expected.strip()


def test_examples_were_found() -> None:
    # Guards against the extraction silently finding nothing after a Bytewax change.
    assert len(EXAMPLES) >= 20
