"""The recovery store: resuming in one process, atomic epochs, and the errors a bad store gives."""

from __future__ import annotations

import pickle
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.recovery import (
    CLEARED,
    GONE,
    RecoveryConfig,
    RecoveryError,
    RecoveryStore,
    init_db_dir,
    main,
)
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
    store.write(1, {"f.a": {"k": 1}, "f.b": {"k": 1}, "f.c": {"k": 1}})
    part0 = store.parts[0]

    class Dies:
        """Part 0's connection: the process dies as it starts the commit transaction."""

        def execute(self, sql: str, *args: object) -> object:
            if sql.startswith("BEGIN"):
                raise KeyboardInterrupt  # anything that stops the write half-way
            return part0.execute(sql, *args)

    store.parts[0] = Dies()  # type: ignore[assignment]
    with pytest.raises(KeyboardInterrupt):
        store.write(
            2, {"f.a": {"k": 2}, "f.b": {"k": 2}, "f.c": {"k": 2}}
        )  # parts 1 and 2 already hold epoch 2
    store.parts[0] = part0
    store.close()
    reopened = RecoveryStore(config)
    assert reopened.load() == (1, {"f.a": {"k": 1}, "f.b": {"k": 1}, "f.c": {"k": 1}})
    reopened.close()


def _rows(store: RecoveryStore) -> list[tuple[str, int, tuple[dict, list]]]:
    """Each row of part 0: its step, epoch and changes (`(states, gone keys)`)."""
    found = store.parts[0].execute("SELECT step_id, epoch, changes FROM snaps ORDER BY epoch")
    return [(step, epoch, pickle.loads(blob)) for step, epoch, blob in found]


def test_each_epoch_holds_only_the_keys_that_changed_and_tombstones(tmp_path: Path) -> None:
    init_db_dir(tmp_path / "db", 1)
    kept = RecoveryStore(RecoveryConfig(tmp_path / "db", timedelta(hours=1)))
    kept.write(1, {"s": {"a": 1, "b": 1}})
    kept.write(2, {"s": {"a": 2}})
    kept.write(3, {"s": {"b": GONE}, "t": {}})
    assert _rows(kept) == [
        ("s", 1, ({"a": 1, "b": 1}, [])),
        ("s", 2, ({"a": 2}, [])),
        ("s", 3, ({}, ["b"])),
    ]
    assert kept.load() == (3, {"s": {"a": 2}})
    kept.write(4, {"s": CLEARED})  # count_final at EOF: every key at once
    kept.write(5, {"s": {"c": 5}})
    assert _rows(kept)[-2:] == [("s", 4, ({}, None)), ("s", 5, ({"c": 5}, []))]
    assert kept.load() == (5, {"s": {"c": 5}})
    kept.close()


def test_rows_no_resume_needs_are_folded_once_they_outweigh_the_oldest(tmp_path: Path) -> None:
    init_db_dir(tmp_path / "db", 1)
    store = RecoveryStore(RecoveryConfig(tmp_path / "db"))
    store.write(1, {"s": {f"k{i}": i for i in range(100)}})
    for epoch in range(2, 5):  # small changes: cheaper kept than folded into the first row
        store.write(epoch, {"s": {"k0": epoch, f"k{epoch}": GONE}})
    assert [epoch for _, epoch, _ in _rows(store)] == [1, 2, 3, 4]
    store.write(
        5, {"s": {**{f"k{i}": -i for i in range(5, 100)}, **{f"x{i}": i for i in range(99)}}}
    )
    store.write(6, {"s": {"k1": 6}})  # epoch 5 is committed: rows up to it are folded
    (first, *rest) = _rows(store)
    assert first[:2] == ("s", 5) and first[2][1] == [] and [r[1] for r in rest] == [6]
    expected = {"k0": 4, "k1": 6, **{f"k{i}": -i for i in range(5, 100)}}
    expected.update({f"x{i}": i for i in range(99)})
    assert first[2][0] == {**expected, "k1": 1}
    assert store.load() == (6, {"s": expected})
    store.close()


def test_a_store_of_the_old_whole_state_format_is_refused(tmp_path: Path) -> None:
    config = _config(tmp_path)
    with sqlite3.connect(config.db_dir / "part-0.sqlite3") as db:
        db.execute("UPDATE meta SET value = '1' WHERE name = 'format'")
    with pytest.raises(RecoveryError) as caught:
        run_main(_flow([1], []), recovery_config=config)
    assert "part-0.sqlite3 has format 1, written by an older learnstream" in str(caught.value)
    assert f"delete {config.db_dir} and make a new store" in str(caught.value)


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
        db.execute("UPDATE snaps SET changes = x'00' WHERE step_id = 'sums.inp'")
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
