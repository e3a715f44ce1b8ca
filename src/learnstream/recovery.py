"""Recovery: snapshot a flow's state at the end of each epoch, resume after a crash.

As in Bytewax 0.21.1: make a recovery store once with
`python -m learnstream.recovery DB_DIR PART_COUNT` (SQLite files
`part-0.sqlite3` ... in `DB_DIR`), then run with
`learnstream run FLOW -r DB_DIR -s SNAPSHOT_SECONDS -b BACKUP_SECONDS` or
`run_main(flow, epoch_interval=..., recovery_config=RecoveryConfig(db_dir))`.

At the end of every epoch the executor writes one snapshot of everything that
would be lost in a crash: each stateful step's state, each source partition's
position and each sink partition's position. An epoch is written atomically:
its rows go into the partition files first, and the epoch counts only once its
commit row is in `part-0` (written in the same transaction as part 0's rows), so
a crash while writing leaves the previous complete epoch in charge. A resumed
run starts from the last complete epoch: sources re-read what came after it,
so output written after it is written again (at-least-once), except in a
`FileSink`, which truncates its file back to the snapshotted position.

>>> import tempfile
>>> from pathlib import Path
>>> db = Path(tempfile.mkdtemp())
>>> init_db_dir(db, 2)
>>> sorted(p.name for p in db.iterdir())
['part-0.sqlite3', 'part-1.sqlite3']
>>> RecoveryConfig(db).backup_interval is None
True
"""

from __future__ import annotations

import argparse
import json
import pickle
import sqlite3
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from learnstream.errors import LearnstreamError

GONE: Any = type("Gone", (), {"__repr__": lambda self: "GONE"})()
"""A key's state in a snapshot's changes: discarded since the last snapshot (a tombstone)."""
CLEARED: Any = type("Cleared", (), {"__repr__": lambda self: "CLEARED"})()
"""A step's changes when it discarded every key (count_final at EOF): one tombstone for all."""

__all__ = [
    "InconsistentPartitionsError",
    "MissingPartitionsError",
    "NoPartitionsError",
    "RecoveryConfig",
    "RecoveryError",
    "init_db_dir",
]

FORMAT = 2
"""The store layout this learnstream writes and reads; any other number is refused.

Format 2 holds, per step and epoch, the state of each key that changed in the
epoch and the keys whose state was discarded (tombstones), as Bytewax's store
does per state key, in one row (a pickled `(states, gone)` pair: a row per key
costs SQLite several microseconds each, more than the snapshot saves). Rows that
no resume can need any more are folded into one (`_compact`). Format 1 held one
whole state per step and epoch, which this learnstream cannot split into keys.
"""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snaps (
    step_id TEXT NOT NULL, epoch INTEGER NOT NULL, changes BLOB NOT NULL,
    PRIMARY KEY (step_id, epoch));
CREATE TABLE IF NOT EXISTS commits (epoch INTEGER PRIMARY KEY, at REAL NOT NULL);
"""


class RecoveryError(LearnstreamError, RuntimeError):
    """A recovery store that cannot be used for this run (what does not match is named)."""


class NoPartitionsError(RecoveryError, FileNotFoundError):
    """The recovery directory holds no partition files (Bytewax's error of that name).

    Probably the wrong directory, or a store never made with
    `python -m learnstream.recovery DB_DIR PART_COUNT`.
    """


class MissingPartitionsError(RecoveryError, FileNotFoundError):
    """Some of the store's partition files are missing (Bytewax's error of that name)."""


class InconsistentPartitionsError(RecoveryError, ValueError):
    """The partition files are from times too far apart to resume from (as in Bytewax).

    A run resumes from the last epoch every partition has written. A partition
    restored from an older backup than the others takes the run back to its
    epoch, which works only while the others still hold their snapshots of that
    epoch: they keep superseded snapshots for `backup_interval`. Restore a
    consistent set of backups (all taken at the same time), or make a new store.
    """


@dataclass
class RecoveryConfig:
    """Where a run keeps its snapshots (as Bytewax's `RecoveryConfig`).

    `db_dir` holds the partition files `python -m learnstream.recovery` made;
    `backup_interval` is how long superseded snapshots are kept (default: none
    kept), so a backup of the files taken that long ago is still consistent.
    """

    db_dir: Path
    backup_interval: timedelta | None = None

    def __post_init__(self) -> None:
        self.db_dir = Path(self.db_dir)


def part_path(db_dir: Path, index: int) -> Path:
    return Path(db_dir) / f"part-{index}.sqlite3"


def init_db_dir(db_dir: Path, part_count: int) -> None:
    """Create a recovery store of `part_count` partition files in `db_dir`."""
    if part_count < 1:
        raise RecoveryError(f"a recovery store needs at least 1 partition, not {part_count}")
    db_dir = Path(db_dir)
    db_dir.mkdir(parents=True, exist_ok=True)
    existing = sorted(db_dir.glob("part-*.sqlite3"))
    if existing:
        raise RecoveryError(
            f"{db_dir} already holds a recovery store ({len(existing)} partition files): "
            "use it as it is, or delete the directory to start afresh"
        )
    for index in range(part_count):
        with closing(sqlite3.connect(part_path(db_dir, index))) as db, db:
            # Write-ahead logging: a commit appends to the log and syncs it once.
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            db.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("format", str(FORMAT)),
                    ("part_index", str(index)),
                    ("part_count", str(part_count)),
                    ("written", "0"),  # the last epoch this part wrote
                    ("kept_from", "0"),  # the oldest epoch it can still resume from
                ],
            )


def _apply(state: dict[str, Any], changed: dict[str, Any], gone: list[str] | None) -> None:
    """One epoch's changes of a step onto its state by key (`gone` None: every key went)."""
    if gone is None:
        state.clear()
    else:
        for key in gone:
            state.pop(key, None)
    state.update(changed)


def _route(step_id: str, part_count: int) -> int:
    """The partition a step's snapshots live in (stable across runs and machines)."""
    return zlib.crc32(step_id.encode()) % part_count


class RecoveryStore:
    """An open recovery store: checks it, loads the last complete epoch, writes new ones."""

    def __init__(self, config: RecoveryConfig) -> None:
        self.db_dir = config.db_dir
        self.keep = config.backup_interval or timedelta(0)
        make = f"`python -m learnstream.recovery {self.db_dir} 1`"
        if not self.db_dir.is_dir():
            raise NoPartitionsError(
                f"recovery directory {self.db_dir} does not exist: create a store in it with {make}"
            )
        found = {path: self._open(path) for path in sorted(self.db_dir.glob("part-*.sqlite3"))}
        if not found:
            raise NoPartitionsError(
                f"recovery directory {self.db_dir} holds no recovery partitions, so there is "
                f"nothing to resume from: check the directory, or create a store with {make}"
            )
        counts = {meta.get("part_count") for _, meta in found.values()}
        if len(counts) > 1:
            raise RecoveryError(
                f"recovery directory {self.db_dir} mixes partition files of different stores "
                f"(they say the store has {' or '.join(sorted(map(str, counts)))} partitions): "
                "keep the files of one store only"
            )
        count = int(counts.pop() or 0)
        by_index = {part_path(self.db_dir, i): i for i in range(count)}
        for path, (_, meta) in found.items():
            if by_index.get(path) is None or meta.get("part_index") != str(by_index[path]):
                raise RecoveryError(
                    f"recovery store file {path} says it is partition {meta.get('part_index')} "
                    f"of {count}: the directory mixes files of different stores"
                )
        missing = [path.name for path in by_index if path not in found]
        if missing:
            raise MissingPartitionsError(
                f"recovery store {self.db_dir} is missing {', '.join(missing)} of its {count} "
                "partition files, so it cannot resume: restore them from a backup (taken with "
                "the others), or make a new store"
            )
        self.parts = [found[path][0] for path in by_index]

    def _open(self, path: Path) -> tuple[sqlite3.Connection, dict[str, str]]:
        try:
            db = sqlite3.connect(path, isolation_level=None)
            meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise RecoveryError(
                f"recovery store file {path} is corrupt or not a learnstream recovery store "
                f"({exc}): restore it from a backup, or delete {self.db_dir} and make a new store"
            ) from exc
        found = int(meta.get("format", "0"))
        if found > FORMAT:
            raise RecoveryError(
                f"recovery store file {path} has format {found}, newer than this learnstream "
                f"reads ({FORMAT}): upgrade learnstream, or make a new store"
            )
        if found < FORMAT:
            raise RecoveryError(
                f"recovery store file {path} has format {found}, written by an older "
                f"learnstream (one whole state per step and epoch; this one reads format "
                f"{FORMAT}, the changed state keys of each epoch): finish the run with the learnstream "
                f"that started it, or delete {self.db_dir} and make a new store with "
                f"`python -m learnstream.recovery {self.db_dir} N`"
            )
        return db, meta

    def _meta(self, name: str) -> str | None:
        row = self.parts[0].execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else row[0]

    def check_flow(self, flow_id: str) -> None:
        """Refuse a store another flow wrote (the first run claims the store)."""
        owner = self._meta("flow_id")
        if owner is not None and owner != flow_id:
            raise RecoveryError(
                f"recovery store {self.db_dir} holds snapshots of flow {owner!r}, not "
                f"{flow_id!r}: give this flow its own store (python -m learnstream.recovery)"
            )

    def check_steps(self, flow_id: str, steps: list[tuple[str, str]]) -> None:
        """Refuse to resume a flow whose stateful steps are not those the store holds."""
        recorded = self._meta("steps")
        if recorded is None:
            with self._transaction(self.parts[0]):
                self.parts[0].executemany(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                    [("flow_id", flow_id), ("steps", json.dumps(steps))],
                )
            return
        before = {step_id: op for step_id, op in json.loads(recorded)}
        now = dict(steps)
        problems = [
            f"step {s!r} ({before[s]}) is in the store but not in the flow"
            for s in before
            if s not in now
        ]
        problems += [
            f"step {s!r} ({now[s]}) is new: the store has no state for it"
            for s in now
            if s not in before
        ]
        problems += [
            f"step {s!r} was {before[s]} and is now {now[s]}"
            for s in now
            if s in before and before[s] != now[s]
        ]
        if problems:
            raise RecoveryError(
                f"flow {flow_id!r} has changed since recovery store {self.db_dir} was written: "
                + "; ".join(problems)
                + ". Resume with the flow as it was, or start afresh with a new store"
            )

    @staticmethod
    @contextmanager
    def _transaction(db: sqlite3.Connection) -> Iterator[None]:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def last_epoch(self) -> int | None:
        """The last complete epoch, or None when nothing was snapshotted yet."""
        row = self.parts[0].execute("SELECT MAX(epoch) FROM commits").fetchone()
        return row[0]

    def _progress(self, db: sqlite3.Connection, name: str) -> int | None:
        row = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else int(row[0])

    def resume_epoch(self) -> int:
        """The epoch to resume from: the last one every partition has written (0: none).

        Normally part 0's last commit. Rows of a later epoch are a crash while it was
        being written, or partitions newer than one restored from an older backup;
        either way the run goes back to the oldest partition's epoch, which it can
        only do while every partition still holds its snapshots of that epoch.
        """
        committed = self.last_epoch() or 0
        # Only the parts that hold snapshots matter (part 0 names them at each commit;
        # a part 0 older than that names none, and then every part counts).
        holding = self._meta("holding")
        counted = set(range(len(self.parts))) if holding is None else {0, *json.loads(holding)}
        # A part written before the marks existed says nothing: the commit stands.
        written = {
            i: w for i in counted if (w := self._progress(self.parts[i], "written")) is not None
        }
        epoch = min([committed, *written.values()])
        too_new = [i for i in counted if (self._progress(self.parts[i], "kept_from") or 0) > epoch]
        if too_new:
            old = [part_path(self.db_dir, i).name for i, w in sorted(written.items()) if w == epoch]
            newest = max(written.values())
            raise InconsistentPartitionsError(
                f"recovery store {self.db_dir}: {', '.join(old)} of {len(self.parts)} "
                f"{'was' if len(old) == 1 else 'were'} last written at epoch {epoch}, the others "
                f"at epoch {newest}, and they no longer hold their snapshots of epoch {epoch} "
                f"(superseded snapshots are kept for backup_interval, "
                f"{self.keep}): resuming would lose data. Restore a set of partition backups "
                "taken at the same time, or make a new store"
            )
        return epoch

    def load(self) -> tuple[int, dict[str, dict[str, Any]]]:
        """The epoch to resume from (0: none) and each step's state by key as of it.

        A key's state is its newest at or before that epoch; a key whose newest
        change is a tombstone (its state was discarded) is left out.
        """
        epoch = self.resume_epoch()
        states: dict[str, dict[str, Any]] = {}
        for index, db in enumerate(self.parts):
            # Rows of an epoch after it: a crash while writing, or a newer partition.
            if db.execute("SELECT 1 FROM snaps WHERE epoch > ? LIMIT 1", (epoch,)).fetchone():
                with self._transaction(db):
                    db.execute("DELETE FROM snaps WHERE epoch > ?", (epoch,))
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('written', ?)", (epoch,))
                    if index == 0:
                        db.execute("DELETE FROM commits WHERE epoch > ?", (epoch,))
            rows = db.execute(
                "SELECT step_id, epoch, changes FROM snaps WHERE epoch <= ? ORDER BY step_id, epoch",
                (epoch,),
            ).fetchall()
            for step_id, at, blob in rows:
                keyed = states.setdefault(step_id, {})
                changed, gone = self._unpickle(step_id, at, blob)
                _apply(keyed, changed, gone)
        return epoch, states

    def write(self, epoch: int, changes: dict[str, dict[str, Any]]) -> None:
        """Snapshot `epoch`: every part's rows, then part 0's rows with the commit row.

        `changes` holds, by step, the state of each key that changed since the last
        snapshot (`GONE`: discarded, written as a tombstone), or `CLEARED` when every
        key was discarded. Each part's transaction
        also drops the rows that an already committed epoch older than
        `backup_interval` supersedes (never rows of the epoch being written, which
        counts only once part 0 commits it).
        """
        count = len(self.parts)
        rows: list[list[tuple[str, int, bytes]]] = [[] for _ in range(count)]
        for step_id, changed in changes.items():
            if changed is CLEARED:
                blob = pickle.dumps(({}, None), protocol=pickle.HIGHEST_PROTOCOL)
                rows[_route(step_id, count)].append((step_id, epoch, blob))
            elif changed:
                gone: list[str] | None = [k for k, state in changed.items() if state is GONE]
                if gone:
                    changed = {k: v for k, v in changed.items() if v is not GONE}
                blob = pickle.dumps((changed, gone), protocol=pickle.HIGHEST_PROTOCOL)
                rows[_route(step_id, count)].append((step_id, epoch, blob))
        cutoff = time.time() - self.keep.total_seconds()
        (keep_from,) = (
            self.parts[0]
            .execute("SELECT MAX(epoch) FROM commits WHERE at <= ?", (cutoff,))
            .fetchone()
        )
        for index in [*range(1, count), 0]:
            db = self.parts[index]
            with self._transaction(db):
                db.executemany("INSERT OR REPLACE INTO snaps VALUES (?, ?, ?)", rows[index])
                # Each part's progress: what `resume_epoch` checks the parts against.
                db.execute("INSERT OR REPLACE INTO meta VALUES ('written', ?)", (epoch,))
                if index == 0:
                    db.execute("INSERT OR REPLACE INTO commits VALUES (?, ?)", (epoch, time.time()))
                    holding = json.dumps(self._holding(rows))
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('holding', ?)", (holding,))
                if keep_from is not None:
                    self._compact(db, keep_from)
                    if index == 0:
                        db.execute("DELETE FROM commits WHERE epoch < ?", (keep_from,))
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('kept_from', ?)", (keep_from,))

    def _holding(self, rows: list[list[Any]]) -> list[int]:
        """The parts other than 0 that hold rows (this epoch's, or older ones)."""
        before = self._meta("holding")
        held = set(json.loads(before)) if before is not None else set()
        return sorted(held | {i for i in range(1, len(rows)) if rows[i]})

    def _unpickle(
        self, step_id: str, epoch: int, blob: bytes
    ) -> tuple[dict[str, Any], list[str] | None]:
        try:
            changed, gone = pickle.loads(blob)
        except Exception as exc:
            raise RecoveryError(
                f"recovery store {self.db_dir}: the snapshot of step {step_id!r} at epoch "
                f"{epoch} cannot be read ({type(exc).__name__}: {exc}): the file is damaged "
                "or was written by code that no longer exists"
            ) from exc
        return changed, gone

    def _compact(self, db: sqlite3.Connection, keep_from: int) -> None:
        """Fold each step's rows up to epoch `keep_from` into one row at the newest of them.

        No run resumes from before `keep_from` any more, so those rows matter only
        together (each key's newest state; tombstones then hide nothing). Folding
        rewrites the step's whole state, so it waits until the rows after the
        oldest are twice as large as it: each change is folded a bounded number of
        times, and the rows kept stay within three times the state.
        """
        sizes = db.execute(
            "SELECT step_id, COUNT(*), SUM(LENGTH(changes)), "
            "(SELECT LENGTH(changes) FROM snaps o WHERE o.step_id = s.step_id ORDER BY epoch) "
            "FROM snaps s WHERE epoch <= ? GROUP BY step_id",
            (keep_from,),
        ).fetchall()
        for step_id, rows, total, oldest in sizes:
            if rows < 2 or total - oldest < 2 * oldest:
                continue
            found = db.execute(
                "SELECT epoch, changes FROM snaps WHERE step_id = ? AND epoch <= ? ORDER BY epoch",
                (step_id, keep_from),
            ).fetchall()
            state: dict[str, Any] = {}
            for at, blob in found:
                _apply(state, *self._unpickle(step_id, at, blob))
            newest = found[-1][0]
            blob = pickle.dumps((state, []), protocol=pickle.HIGHEST_PROTOCOL)
            db.execute("DELETE FROM snaps WHERE step_id = ? AND epoch <= ?", (step_id, keep_from))
            db.execute("INSERT INTO snaps VALUES (?, ?, ?)", (step_id, newest, blob))

    def close(self) -> None:
        for db in self.parts:
            db.close()


def main(argv: list[str] | None = None) -> int:
    """`python -m learnstream.recovery DB_DIR PART_COUNT`: create a recovery store."""
    parser = argparse.ArgumentParser(
        prog="python -m learnstream.recovery",
        description="Create a recovery store (SQLite partition files) for `learnstream run -r`.",
    )
    parser.add_argument("db_dir", type=Path, help="directory to hold the partition files")
    parser.add_argument("part_count", type=int, help="number of partition files")
    args = parser.parse_args(argv)
    try:
        init_db_dir(args.db_dir, args.part_count)
    except RecoveryError as err:
        print(f"python -m learnstream.recovery: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
