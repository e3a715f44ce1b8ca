"""The seed program prints the article's output; `run`, `visualize` and `--version` work."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

ARTICLE_OUTPUT = """\
("'tis", 1)
('a', 1)
('against', 1)
('and', 2)
('arms', 1)
('arrows', 1)
('be', 2)
('by', 1)
('end', 1)
('fortune', 1)
('in', 1)
('is', 1)
('mind', 1)
('nobler', 1)
('not', 1)
('of', 2)
('opposing', 1)
('or', 2)
('outrageous', 1)
('question', 1)
('sea', 1)
('slings', 1)
('suffer', 1)
('take', 1)
('that', 1)
('the', 3)
('them', 1)
('to', 4)
('troubles', 1)
('whether', 1)
"""


def run(args: list[str], cwd: Path, backend: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if backend:
        env["LEARNSTREAM_BACKEND"] = backend
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env
    )


def test_seed_is_the_article_program_with_only_the_imports_changed(tmp_path: Path) -> None:
    """Pointed back at Bytewax, the seed is a Bytewax program that prints the article's output."""
    source = (EXAMPLES / "wordcount.py").read_text()
    on_bytewax = source.replace("learnstream", "bytewax")
    changed = [
        (a, b) for a, b in zip(source.splitlines(), on_bytewax.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 4 and all(a.startswith(("from ", "import ")) for a, _ in changed)
    assert (EXAMPLES / "wordcount.txt").read_text().splitlines() == [
        "To be, or not to be, that is the question:",
        "Whether 'tis nobler in the mind to suffer",
        "The slings and arrows of outrageous fortune,",
        "Or to take arms against a sea of troubles",
        "And by opposing end them.",
    ]
    if importlib.util.find_spec("bytewax") is None:
        pytest.skip("the bytewax extra is not installed")
    (tmp_path / "wordcount.py").write_text(on_bytewax)
    shutil.copy(EXAMPLES / "wordcount.txt", tmp_path)
    proc = run(["-m", "bytewax.run", "wordcount"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ARTICLE_OUTPUT


def test_seed_prints_the_articles_30_lines_on_both_backends() -> None:
    for backend in ("c", "python"):
        proc = run(["-m", "learnstream.run", "wordcount"], EXAMPLES, backend)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == ARTICLE_OUTPUT
        assert len(proc.stdout.splitlines()) == 30


def test_learnstream_run_is_the_same_command() -> None:
    proc = run(["-m", "learnstream", "run", "wordcount:flow"], EXAMPLES)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ARTICLE_OUTPUT


def test_run_calls_a_factory_with_literal_arguments(tmp_path: Path) -> None:
    (tmp_path / "factory.py").write_text(
        textwrap.dedent(
            """
        import learnstream.operators as op
        from learnstream.dataflow import Dataflow
        from learnstream.connectors.stdio import StdOutSink
        from learnstream.testing import TestingSource

        def make(n, word="hi"):
            flow = Dataflow("factory")
            s = op.input("inp", flow, TestingSource(range(n)))
            op.output("out", op.map("fmt", s, lambda i: f"{word} {i}"), StdOutSink())
            return flow
        """
        )
    )
    proc = run(["-m", "learnstream.run", 'factory:make(2, word="yo")'], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "yo 0\nyo 1\n"
    bad = run(["-m", "learnstream.run", "factory:make(len('x'))"], tmp_path)
    assert bad.returncode == 2
    assert "must be Python literals" in bad.stderr


def test_visualize_prints_mermaid_and_a_tree() -> None:
    proc = run(["-m", "learnstream", "visualize", "examples/wordcount.py"], ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("flowchart TD\n")
    assert 'wordcount.tokenize -- "down → up" --> wordcount.count' in proc.stdout
    assert "├── tokenize (flat_map)\n│   └── flat_map_batch (flat_map_batch)" in proc.stdout


def test_version_names_the_backend() -> None:
    c = run(["-m", "learnstream", "--version"], ROOT, "c")
    py = run(["-m", "learnstream", "--version"], ROOT, "python")
    assert "engine backend: pure-Python twin" in py.stdout
    assert "engine backend:" in c.stdout
    if "C core unavailable" not in c.stderr:
        assert "engine backend: C core" in c.stdout
