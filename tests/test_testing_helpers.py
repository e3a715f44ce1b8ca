"""`learnstream.testing` has Bytewax's helpers and its `python -m ... testing` entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import bytewax.testing as bw_testing
import pytest
from hypothesis import given
from hypothesis import strategies as st

from learnstream.testing import TestingSource, ffwd_iter, poll_next_batch

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@given(st.integers(0, 10), st.integers(0, 12))
def test_ffwd_iter_skips_as_bytewax_does(length: int, skip: int) -> None:
    ours, theirs = iter(range(length)), iter(range(length))
    ffwd_iter(ours, skip)
    bw_testing.ffwd_iter(theirs, skip)
    assert list(ours) == list(theirs) == list(range(min(skip, length), length))


def test_testing_source_batch_size_defaults_to_bytewax_s() -> None:
    ours = TestingSource(range(3)).build_part("s", "iterable", None)
    theirs = bw_testing.TestingSource(range(3)).build_part("s", "iterable", None)
    assert [ours.next_batch() for _ in range(3)] == [theirs.next_batch() for _ in range(3)]


def test_poll_next_batch_skips_empty_batches_and_times_out() -> None:
    from datetime import timedelta

    class Slow:
        def __init__(self) -> None:
            self.calls = 0

        def next_batch(self) -> list[int]:
            self.calls += 1
            return [self.calls] if self.calls == 3 else []

    assert poll_next_batch(Slow()) == [3]

    class Never:
        def next_batch(self) -> list[int]:
            return []

    with pytest.raises(TimeoutError):
        poll_next_batch(Never(), timedelta(milliseconds=20))


def test_python_m_testing_runs_a_flow_with_bytewax_flags() -> None:
    plain = subprocess.run(
        [sys.executable, "-m", "learnstream.run", "wordcount"],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
        check=True,
    )
    proc = subprocess.run(
        [sys.executable, "-m", "learnstream.testing", "wordcount", "-w", "2", "-s", "5"],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == plain.stdout != ""
    assert "-w 2 ignored" in proc.stderr and "--engine bytewax" in proc.stderr


def test_python_m_testing_runs_with_recovery(tmp_path: Path) -> None:
    """A run with -r prints what a plain run prints; run again, it resumes at the end and adds nothing."""
    db = tmp_path / "db"
    subprocess.run([sys.executable, "-m", "learnstream.recovery", str(db), "1"], check=True)
    plain = subprocess.run(
        [sys.executable, "-m", "learnstream.testing", "wordcount"],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
        check=True,
    )
    command = [sys.executable, "-m", "learnstream.testing", "wordcount"]
    command += ["-r", str(db), "-s", "1", "-b", "1"]
    first = subprocess.run(command, cwd=EXAMPLES, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert first.stdout == plain.stdout != ""
    again = subprocess.run(command, cwd=EXAMPLES, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
