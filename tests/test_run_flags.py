"""`python -m learnstream.run` and `learnstream run` take Bytewax's flags and parse them as it does."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from learnstream.run import parse_args

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_flags_parse_as_bytewax_does() -> None:
    opts = parse_args(["wordcount", "-w", "3", "-s", "7", "--engine", "bytewax"])
    assert opts.workers_per_process == 3
    assert opts.snapshot_interval == timedelta(seconds=7)
    assert opts.epoch_interval == timedelta(seconds=7)
    assert opts.engine == "bytewax"
    assert parse_args(["wordcount"]).epoch_interval == timedelta(seconds=10)
    multi = parse_args(["wordcount", "-i", "1", "-a", "h1:2101;h2:2101"])
    assert (multi.process_id, multi.addresses) == (1, ["h1:2101", "h2:2101"])


def test_environment_gives_defaults_as_in_bytewax(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYTEWAX_WORKERS_PER_PROCESS", "4")
    monkeypatch.setenv("BYTEWAX_SNAPSHOT_INTERVAL", "2")
    opts = parse_args(["wordcount"])
    assert opts.workers_per_process == 4
    assert opts.epoch_interval == timedelta(seconds=2)
    assert parse_args(["wordcount", "-w", "1"]).workers_per_process == 1


def test_hostfile_supplies_addresses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text("a:1\n\nb:2\n")
    monkeypatch.setenv("BYTEWAX_HOSTFILE_PATH", str(hosts))
    monkeypatch.setenv("BYTEWAX_POD_NAME", "flow-1")
    monkeypatch.setenv("BYTEWAX_STATEFULSET_NAME", "flow")
    opts = parse_args(["wordcount"])
    assert (opts.process_id, opts.addresses) == (1, ["a:1", "b:2"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-i", "0"], "the addresses option is required if a process_id is passed"),
        (["-r", "db"], "`-s/--snapshot_interval` and `-b/--backup_interval` values must be set"),
        (["-s", "soon"], "invalid _seconds value"),
    ],
)
def test_bytewax_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["wordcount", *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=EXAMPLES, capture_output=True, text=True, timeout=120
    )


def test_more_workers_runs_one_and_says_how_to_get_more() -> None:
    plain = run("-m", "learnstream.run", "wordcount")
    proc = run("-m", "learnstream", "run", "wordcount", "-w", "2")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == plain.stdout
    notes = [line for line in proc.stderr.splitlines() if "-w 2" in line]
    assert len(notes) == 1 and "--engine bytewax" in notes[0]


def test_several_processes_are_refused_in_one_line() -> None:
    proc = run("-m", "learnstream.run", "wordcount", "-i", "0", "-a", "localhost:2101;x:2101")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "one worker" in lines[0] and "--engine bytewax" in lines[0]


def test_recovery_without_a_store_says_how_to_make_one(tmp_path: Path) -> None:
    proc = run(
        "-m", "learnstream", "run", "wordcount", "-r", str(tmp_path / "db"), "-s", "5", "-b", "5"
    )
    assert proc.returncode == 1
    assert "python -m learnstream.recovery" in proc.stderr
    assert proc.stdout == ""
    snap = run("-m", "learnstream.run", "wordcount", "-s", "5")
    assert snap.returncode == 0
    assert "recovery" not in snap.stderr


def test_help_lists_bytewax_flags() -> None:
    proc = run("-m", "learnstream", "run", "--help")
    assert proc.returncode == 0
    for flag in ["-w", "-i", "-a", "-r", "-s", "-b", "--engine"]:
        assert f" {flag} " in proc.stdout or f"[{flag} " in proc.stdout
    assert proc.stdout.startswith("usage: learnstream run")
    recovery = " ".join(proc.stdout.split("Recovery:", 1)[1].split())  # help wraps lines
    assert "resumes from the last complete epoch" in recovery
    assert "no recovery" not in recovery
