"""The recovery store: resuming in one process, atomic epochs, and the errors a bad store gives."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.recovery import RecoveryConfig, RecoveryError, RecoveryStore, init_db_dir, main
from learnstream.testing import TestingSink, TestingSource, run_main

ZERO = timedelta(0)


def _running_sum(total: int | None, value: int) -> tuple[int, int]:
    total = (total or 0) + value
    return total, total


def _flow(items: list, out: list, flow_id: str = "sums") -> Dataflow:
    flow = Dataflow(flow_id)
    s = op.key_on("key", op.input("inp", flow, TestingSource(items)), lambda v: str(v % 2))
    op.output("out", op.stateful_map("sum", s, _running_sum), TestingSink(out))
    return flow


def _config(tmp_path: Path, parts: int = 2) -> RecoveryConfig:
    init_db_dir(tmp_path / "db", parts)
    return RecoveryConfig(tmp_path / "db")


def test_an_aborted_run_resumes_where_its_last_epoch_ended(tmp_path: Path) -> None:
    """As Bytewax's tests do it: TestingSource.ABORT stops the run, the next run resumes."""
    items = [1, 2, 3, 4, TestingSource.ABORT(), 5, 6, 7]
    out: list = []
    config = _config(tmp_path)
    flow = _flow(items, out)
    run_main(flow, epoch_interval=ZERO, recovery_config=config)
    assert out == [("1", 1), ("0", 2), ("1", 4), ("0", 6)]
    run_main(flow, epoch_interval=ZERO, recovery_config=config)
    # The sums go on from the snapshot: nothing is counted twice or lost.
    assert out[4:] == [("1", 9), ("0", 12), ("1", 16)]


def test_resuming_a_finished_run_adds_nothing(tmp_path: Path) -> None:
    out: list = []
    config = _config(tmp_path, 1)
    run_main(_flow([1, 2, 3], out), recovery_config=config)
    run_main(_flow([1, 2, 3], out), recovery_config=config)
    assert out == [("1", 1), ("0", 2), ("1", 4)]


def test_a_crash_while_writing_an_epoch_leaves_the_previous_one(tmp_path: Path) -> None:
    config = _config(tmp_path, 3)
    store = RecoveryStore(config)
    store.check_steps("f", [("f.a", "x"), ("f.b", "y"), ("f.c", "z")])
    store.write(1, {"f.a": 1, "f.b": 1, "f.c": 1})
    part0 = store.parts[0]

    class Dies:
        """Part 0's connection: the process dies as it starts the commit transaction."""

        def execute(self, sql: str, *args: object) -> object:
            if sql.startswith("BEGIN"):
                raise KeyboardInterrupt  # anything that stops the write half-way
            return part0.execute(sql, *args)

    store.parts[0] = Dies()  # type: ignore[assignment]
    with pytest.raises(KeyboardInterrupt):
        store.write(2, {"f.a": 2, "f.b": 2, "f.c": 2})  # parts 1 and 2 already hold epoch 2
    store.parts[0] = part0
    store.close()
    reopened = RecoveryStore(config)
    assert reopened.load() == (1, {"f.a": 1, "f.b": 1, "f.c": 1})
    reopened.close()


def test_old_snapshots_are_kept_for_the_backup_interval(tmp_path: Path) -> None:
    init_db_dir(tmp_path / "db", 1)
    kept = RecoveryStore(RecoveryConfig(tmp_path / "db", timedelta(hours=1)))
    for epoch in (1, 2, 3):
        kept.write(epoch, {"s": epoch})
    rows = kept.parts[0].execute("SELECT epoch FROM snaps ORDER BY epoch").fetchall()
    assert rows == [(1,), (2,), (3,)]
    kept.close()
    dropped = RecoveryStore(RecoveryConfig(tmp_path / "db"))
    dropped.write(4, {"s": 4})
    # Epoch 3 was the last committed one when 4 was written: it stays until the next.
    rows = dropped.parts[0].execute("SELECT epoch FROM snaps ORDER BY epoch").fetchall()
    assert rows == [(3,), (4,)]
    dropped.write(5, {"s": 5})
    rows = dropped.parts[0].execute("SELECT epoch FROM snaps ORDER BY epoch").fetchall()
    assert rows == [(4,), (5,)]
    dropped.close()


def test_a_store_of_another_flow_is_refused(tmp_path: Path) -> None:
    config = _config(tmp_path)
    run_main(_flow([1], []), recovery_config=config)
    with pytest.raises(RecoveryError, match="holds snapshots of flow 'sums', not 'other'"):
        run_main(_flow([1], [], "other"), recovery_config=config)


def test_a_changed_flow_names_the_steps_that_differ(tmp_path: Path) -> None:
    config = _config(tmp_path)
    run_main(_flow([1], []), recovery_config=config)
    changed = Dataflow("sums")
    s = op.key_on("key", op.input("inp", changed, TestingSource([1])), str)
    op.output("out", op.count_final("count", s, str), TestingSink([]))
    with pytest.raises(RecoveryError) as caught:
        run_main(changed, recovery_config=config)
    message = str(caught.value)
    assert (
        "'sums.sum.stateful_flat_map.stateful.stateful_batch' (stateful_batch) is in the store"
        in message
    )
    assert "'sums.count' (count_final) is new" in message


def test_a_newer_format_is_refused(tmp_path: Path) -> None:
    config = _config(tmp_path)
    with sqlite3.connect(config.db_dir / "part-1.sqlite3") as db:
        db.execute("UPDATE meta SET value = '99' WHERE name = 'format'")
    with pytest.raises(RecoveryError, match=r"part-1.sqlite3 has format 99, newer"):
        run_main(_flow([1], []), recovery_config=config)


def test_a_corrupted_file_is_named(tmp_path: Path) -> None:
    config = _config(tmp_path)
    (config.db_dir / "part-0.sqlite3").write_bytes(b"not a database at all" * 100)
    with pytest.raises(RecoveryError, match=r"part-0.sqlite3 is corrupt"):
        run_main(_flow([1], []), recovery_config=config)


def test_a_damaged_snapshot_names_its_step(tmp_path: Path) -> None:
    config = _config(tmp_path, 1)
    run_main(_flow([1], []), recovery_config=config)
    with sqlite3.connect(config.db_dir / "part-0.sqlite3") as db:
        db.execute("UPDATE snaps SET state = x'00' WHERE step_id = 'sums.inp'")
    with pytest.raises(RecoveryError, match=r"snapshot of step 'sums.inp' at epoch 1"):
        run_main(_flow([1], []), recovery_config=config)


def test_a_missing_store_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(RecoveryError, match=r"python -m learnstream\.recovery"):
        run_main(_flow([1], []), recovery_config=RecoveryConfig(tmp_path / "nothing"))


def test_the_command_line_makes_a_store_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "db"), "3"]) == 0
    assert sorted(p.name for p in (tmp_path / "db").iterdir()) == [
        "part-0.sqlite3",
        "part-1.sqlite3",
        "part-2.sqlite3",
    ]
    assert main([str(tmp_path / "db"), "3"]) == 2
    assert "already holds a recovery store" in capsys.readouterr().err
