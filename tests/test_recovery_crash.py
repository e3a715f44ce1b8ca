"""Crash and resume: real SIGKILLs at moments hypothesis picks, on both backends.

A child process runs `python -m learnstream.run FLOW -r DB -s 0 -b 0` (an epoch,
and so a snapshot, after every batch) and kills itself with SIGKILL as it maps
the item hypothesis chose; the next run resumes from the last complete snapshot.
After the crashes, one run goes to the end. Its `FileSink` file must equal, line
for line, the file of one uninterrupted run without recovery.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TESTS = Path(__file__).resolve().parent
WORDS = ["to be or not to be", "that is the question", "to sleep", "perchance to dream", "be"]
LINES = [WORDS[i % len(WORDS)] for i in range(30)]
# minute,key,value: in order, with items late by 10 to 30 minutes (the wait is 5.5 minutes).
WINDOW_LINES = [
    f"{m},{k},{v}"
    for m, k, v in [
        (0, "a", 1),
        (3, "b", 2),
        (12, "a", 3),
        (2, "a", 4),
        (25, "b", 5),
        (13, "a", 6),
        (31, "a", 7),
        (40, "b", 8),
        (18, "b", 9),
        (44, "a", 10),
        (52, "a", 11),
        (35, "a", 12),
        (61, "b", 13),
        (63, "a", 14),
        (70, "a", 15),
        (45, "b", 16),
        (80, "b", 17),
        (85, "a", 18),
    ]
]
ORDERS = [f"o{i % 7},order{i}" for i in range(21)]
PAYMENTS = [f"o{(i * 3) % 7},pay{i}" for i in range(14)]

FLOWS = {
    "wordcount": ({"LS_IN": LINES}, len(LINES)),
    "windows": ({"LS_IN": WINDOW_LINES}, len(WINDOW_LINES)),
    "join": ({"LS_IN": ORDERS, "LS_IN2": PAYMENTS}, len(ORDERS)),
}

pytestmark = pytest.mark.slow


def _files(tmp: Path, flow: str) -> dict[str, str]:
    env = {}
    for name, lines in FLOWS[flow][0].items():
        path = tmp / f"{name}.txt"
        path.write_text("".join(line + "\n" for line in lines))
        env[name] = str(path)
    return env


def _run(tmp: Path, flow: str, backend: str, out: Path, *flags: str, kill_at: int = 0) -> int:
    env = {
        **os.environ,
        **_files(tmp, flow),
        "LS_OUT": str(out),
        "LS_KILL_AT": str(kill_at),
        "LEARNSTREAM_BACKEND": backend,
        "PYTHONPATH": str(TESTS),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "learnstream.run", f"recovery_flows:{flow}", *flags],
        env=env,
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, -signal.SIGKILL), proc.stderr
    return proc.returncode


def _uninterrupted(tmp: Path, flow: str, backend: str) -> str:
    out = tmp / "plain.txt"
    assert _run(tmp, flow, backend, out) == 0
    return out.read_text()


def _with_crashes(tmp: Path, flow: str, backend: str, kills: list[int]) -> tuple[str, int]:
    db = tmp / "db"
    subprocess.run([sys.executable, "-m", "learnstream.recovery", str(db), "2"], check=True)
    out = tmp / "resumed.txt"
    flags = ("-r", str(db), "-s", "0", "-b", "0")
    crashes = 0
    for kill_at in kills:
        if _run(tmp, flow, backend, out, *flags, kill_at=kill_at) != 0:
            crashes += 1
    assert _run(tmp, flow, backend, out, *flags) == 0
    return out.read_text(), crashes


def _check(
    tmp_path_factory: pytest.TempPathFactory, flow: str, backend: str, kills: list[int]
) -> None:
    tmp = tmp_path_factory.mktemp(flow)
    expected = _uninterrupted(tmp, flow, backend)
    got, crashes = _with_crashes(tmp, flow, backend, kills)
    assert crashes >= 1  # the first run always dies (its moment is within the input)
    assert got == expected


def _kills(flow: str) -> st.SearchStrategy[list[int]]:
    items = FLOWS[flow][1]
    return st.lists(st.integers(1, items), min_size=1, max_size=3)


@pytest.mark.parametrize("backend", ["c", "python"])
@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_killed_runs_resume_to_the_uninterrupted_output(
    tmp_path_factory: pytest.TempPathFactory, flow: str, backend: str
) -> None:
    @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
    @given(kills=_kills(flow))
    def check(kills: list[int]) -> None:
        _check(tmp_path_factory, flow, backend, kills)

    check()


def test_a_kill_from_outside_at_any_moment_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL from the parent at times nobody controls: mid-write included."""
    monkeypatch.setenv("LS_BATCH", "1")  # the same batches in both runs
    expected = _uninterrupted(tmp_path, "wordcount", "c")
    db = tmp_path / "db"
    subprocess.run([sys.executable, "-m", "learnstream.recovery", str(db), "3"], check=True)
    out = tmp_path / "resumed.txt"
    env = {
        **os.environ,
        **_files(tmp_path, "wordcount"),
        "LS_OUT": str(out),
        "LS_BATCH": "1",
        "PYTHONPATH": str(TESTS),
    }
    cmd = [sys.executable, "-m", "learnstream.run", "recovery_flows:wordcount"]
    cmd += ["-r", str(db), "-s", "0", "-b", "0"]
    for delay in (0.35, 0.45, 0.55, 0.65):
        child = subprocess.Popen(cmd, env=env, cwd=tmp_path, stderr=subprocess.PIPE)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.communicate()
    done = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert out.read_text() == expected


@pytest.mark.parametrize("flow", ["windows", "join"])
@pytest.mark.parametrize(("first", "then"), [("c", "python"), ("python", "c")])
def test_a_snapshot_resumes_on_the_other_backend(
    tmp_path: Path, flow: str, first: str, then: str
) -> None:
    """Window and join cores snapshot in one format: a run killed on one backend ends on the other."""
    expected = _uninterrupted(tmp_path, flow, then)
    db = tmp_path / "db"
    subprocess.run([sys.executable, "-m", "learnstream.recovery", str(db), "1"], check=True)
    out = tmp_path / "o.txt"
    flags = ("-r", str(db), "-s", "0", "-b", "0")
    assert _run(tmp_path, flow, first, out, *flags, kill_at=9) == -signal.SIGKILL
    assert _run(tmp_path, flow, then, out, *flags) == 0
    assert out.read_text() == expected
