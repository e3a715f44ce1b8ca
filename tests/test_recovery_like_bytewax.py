"""A recovery store that cannot be resumed from fails as Bytewax's does, and a resumed run
prints what Bytewax's prints.

The same keyed flow runs on Bytewax 0.21.1 (the oracle) and on learnstream, each with its
own store in its own directory, and each store is damaged the same way: no partitions,
a partition file missing, a partition restored from a backup older than the others.
"""

from __future__ import annotations

import importlib
import os
import shutil
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("bytewax")

ZERO = timedelta(0)
LIBS = ("bytewax", "learnstream")


def lib(name: str, module: str) -> ModuleType:
    return importlib.import_module(f"{name}.{module}")


def keep_max(biggest: int | None, value: int) -> tuple[int, int]:
    biggest = value if biggest is None else max(biggest, value)
    return biggest, biggest


def keep_max_flow(name: str, inp: list[Any], out: list[Any]) -> Any:
    op, testing = lib(name, "operators"), lib(name, "testing")
    flow = lib(name, "dataflow").Dataflow("df")
    values = op.input("inp", flow, testing.TestingSource(inp))
    op.output("out", op.stateful_map("max", values, keep_max), testing.TestingSink(out))
    return flow


def run(name: str, db: Path, inp: list[Any], backup: timedelta | None = None) -> list[Any]:
    """Run the flow resuming from `db`; what it wrote."""
    recovery = lib(name, "recovery")
    out: list[Any] = []
    lib(name, "testing").run_main(
        keep_max_flow(name, inp, out),
        epoch_interval=ZERO,
        recovery_config=recovery.RecoveryConfig(str(db), backup_interval=backup),
    )
    return out


def raised(name: str, db: Path, inp: list[Any]) -> BaseException:
    with pytest.raises(Exception) as info:
        run(name, db, inp)
    return info.value


@pytest.mark.parametrize("name", LIBS)
def test_no_partitions(name: str, tmp_path: Path) -> None:
    err = raised(name, tmp_path, [("a", 1)])
    assert type(err) is lib(name, "recovery").NoPartitionsError
    assert isinstance(err, FileNotFoundError)


@pytest.mark.parametrize("name", LIBS)
def test_a_directory_that_does_not_exist_is_a_file_not_found(name: str, tmp_path: Path) -> None:
    assert isinstance(raised(name, tmp_path / "nowhere", [("a", 1)]), FileNotFoundError)


@pytest.mark.parametrize("name", LIBS)
@pytest.mark.parametrize("removed", [0, 2])
def test_missing_partitions(name: str, removed: int, tmp_path: Path) -> None:
    lib(name, "recovery").init_db_dir(tmp_path, 3)
    os.remove(tmp_path / f"part-{removed}.sqlite3")
    err = raised(name, tmp_path, [("a", 1)])
    assert type(err) is lib(name, "recovery").MissingPartitionsError
    assert isinstance(err, FileNotFoundError)
    if name == "learnstream":
        assert f"missing part-{removed}.sqlite3 of its 3 partition files" in str(err)


INPUT = [("a", 4), ("b", 4), "ABORT", ("a", 1), ("b", 5)]


def with_abort(name: str) -> list[Any]:
    testing = lib(name, "testing")
    return [testing.TestingSource.ABORT() if x == "ABORT" else x for x in INPUT]


def first_run_then_restore_part_0(name: str, db: Path, backup: timedelta) -> list[Any]:
    """Run until the abort, then put back part 0 as it was before the run; what it wrote."""
    lib(name, "recovery").init_db_dir(db, 3)
    shutil.copy(db / "part-0.sqlite3", db / "part-0.before")
    out = run(name, db, with_abort(name), backup)
    shutil.copy(db / "part-0.before", db / "part-0.sqlite3")
    return out


@pytest.mark.parametrize("name", LIBS)
def test_a_partition_older_than_the_others_is_inconsistent(name: str, tmp_path: Path) -> None:
    """With no backup interval the newer partitions dropped what resuming from the
    older one's epoch needs."""
    assert first_run_then_restore_part_0(name, tmp_path, ZERO) == [("a", 4), ("b", 4)]
    with pytest.raises(lib(name, "recovery").InconsistentPartitionsError) as info:
        run(name, tmp_path, with_abort(name), ZERO)
    assert isinstance(info.value, ValueError)
    if name == "learnstream":
        assert "part-0.sqlite3 of 3 was last written at epoch 0" in str(info.value)


def test_within_the_backup_interval_an_older_partition_takes_the_run_back(
    tmp_path: Path,
) -> None:
    """The newer partitions still hold the older one's epoch: both libraries resume from
    it, so the whole input is read again."""
    outs = {}
    for name in LIBS:
        db = tmp_path / name
        db.mkdir()
        hour = timedelta(hours=1)
        assert first_run_then_restore_part_0(name, db, hour) == [("a", 4), ("b", 4)]
        outs[name] = run(name, db, with_abort(name), hour)
    assert outs["learnstream"] == outs["bytewax"] == [("a", 4), ("b", 4)]


@pytest.mark.parametrize("name", LIBS)
def test_the_errors_are_bytewax_s_kinds(name: str) -> None:
    recovery = lib(name, "recovery")
    assert issubclass(recovery.NoPartitionsError, FileNotFoundError)
    assert issubclass(recovery.MissingPartitionsError, FileNotFoundError)
    assert issubclass(recovery.InconsistentPartitionsError, ValueError)


RESCALE_INPUT = [("a", 4), ("b", 4), "EOF", ("a", 1), ("b", 5), "EOF", ("a", 8), ("b", 1)]


def continuations(name: str, db: Path, workers: list[int], make_store: bool = True) -> list[Any]:
    """Bytewax's rescale check: each run goes on from the last one's EOF, on its own
    number of worker threads (learnstream: its flow handed to Bytewax)."""
    recovery, testing = lib(name, "recovery"), lib(name, "testing")
    if make_store:
        recovery.init_db_dir(db, 3)
    config = recovery.RecoveryConfig(str(db))
    inp = [testing.TestingSource.EOF() if x == "EOF" else x for x in RESCALE_INPUT]
    outs = []
    for count in workers:
        out: list[Any] = []
        testing.cluster_main(
            keep_max_flow(name, inp, out),
            addresses=[],
            proc_id=0,
            epoch_interval=ZERO,
            recovery_config=config,
            worker_count_per_proc=count,
        )
        outs.append(sorted(out))
    return outs


def test_keyed_state_resumes_on_another_number_of_workers(tmp_path: Path) -> None:
    expected = [[("a", 4), ("b", 4)], [("a", 4), ("b", 5)], [("a", 8), ("b", 5)]]
    for name in LIBS:
        (tmp_path / name).mkdir()
        assert continuations(name, tmp_path / name, [3, 5, 1]) == expected, name


def test_a_store_made_by_bytewax_serves_a_learnstream_flow_on_bytewax(tmp_path: Path) -> None:
    lib("bytewax", "recovery").init_db_dir(tmp_path, 2)
    outs = continuations("learnstream", tmp_path, [2, 1, 3], make_store=False)
    assert outs == [[("a", 4), ("b", 4)], [("a", 4), ("b", 5)], [("a", 8), ("b", 5)]]


def test_on_bytewax_a_store_with_a_partition_missing_fails_as_on_learnstream(
    tmp_path: Path,
) -> None:
    lib("learnstream", "recovery").init_db_dir(tmp_path, 3)
    os.remove(tmp_path / "part-1.sqlite3")
    with pytest.raises(lib("learnstream", "recovery").MissingPartitionsError):
        continuations("learnstream", tmp_path, [2], make_store=False)
