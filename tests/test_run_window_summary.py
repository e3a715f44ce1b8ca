"""`learnstream run` ends with one line per windowing step: windows emitted, items late."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FLOW = textwrap.dedent(
    """
    from datetime import datetime, timedelta, timezone

    import learnstream.operators as op
    import learnstream.operators.windowing as win
    from learnstream.connectors.stdio import StdOutSink
    from learnstream.dataflow import Dataflow
    from learnstream.testing import TestingSource

    T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
    # (key, second): a's item at second 3 arrives after second 15, so it is late.
    events = [("a", 0), ("b", 1), ("a", 5), ("a", 15), ("a", 3)]

    flow = Dataflow("summary")
    s = op.input("inp", flow, TestingSource(events))
    s = op.map("stamp", s, lambda kv: (kv[0], T0 + timedelta(seconds=kv[1])))
    item_clock = win.EventClock(lambda kv: kv[1], timedelta(0), now_getter=lambda: NOW)
    counts = win.count_window(
        "per_10s", s, item_clock, win.TumblingWindower(timedelta(seconds=10), T0),
        key=lambda kv: kv[0],
    )
    op.output("counts", counts.down, StdOutSink())
    value_clock = win.EventClock(lambda ts: ts, timedelta(0), now_getter=lambda: NOW)
    sessions = win.collect_window(
        "sessions", s, value_clock, win.SessionWindower(timedelta(seconds=2))
    )
    op.output("sizes", op.map("size", sessions.down, lambda kv: (kv[0], len(kv[1][1]))),
              StdOutSink())
    op.output("keys", op.map("key", s, lambda kv: kv[0]), StdOutSink())
    """
)


@pytest.mark.parametrize("backend", ["c", "python"])
def test_run_prints_one_summary_line_per_windowing_step(tmp_path: Path, backend: str) -> None:
    (tmp_path / "winflow.py").write_text(FLOW)
    done = subprocess.run(
        [sys.executable, "-m", "learnstream.run", "winflow"],
        cwd=tmp_path,
        env={**os.environ, "LEARNSTREAM_BACKEND": backend},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    # Tumbling: a has windows 0 (seconds 0, 5) and 1 (second 15), b has window 0;
    # sessions 2 s apart: a has three, b one. Each step saw the one late item.
    assert done.stderr.splitlines() == [
        "learnstream run: step 'summary.per_10s.core': 3 windows emitted, 1 item late",
        "learnstream run: step 'summary.sessions.fold_window.core': 4 windows emitted, 1 item late",
    ]
    # The flow's own output stays on stdout, untouched by the summary.
    out = done.stdout.splitlines()
    assert sorted(line for line in out if line.startswith("('")) == sorted(
        [
            *["('a', (0, 2))", "('a', (1, 1))", "('b', (0, 1))"],  # counts per window
            *["('a', 1)", "('a', 1)", "('a', 1)", "('b', 1)"],  # items per session
        ]
    )
    assert sorted(line for line in out if not line.startswith("(")) == ["a", "a", "a", "a", "b"]


def test_flows_without_windows_print_no_summary(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text(
        textwrap.dedent(
            """
            import learnstream.operators as op
            from learnstream.connectors.stdio import StdOutSink
            from learnstream.dataflow import Dataflow
            from learnstream.testing import TestingSource

            flow = Dataflow("plain")
            op.output("out", op.input("inp", flow, TestingSource([1, 2])), StdOutSink())
            """
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "learnstream.run", "plain"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "1\n2\n", "")
