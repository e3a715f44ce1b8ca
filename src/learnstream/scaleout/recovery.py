"""Recovery on Bytewax: a learnstream recovery store, seen as the Bytewax store Bytewax writes.

Bytewax keeps its snapshots in SQLite partition files of its own layout, so a
learnstream store (`python -m learnstream.recovery DB_DIR N`,
`learnstream.recovery.RecoveryConfig`) holds a Bytewax store of as many
partitions in its subdirectory `bytewax/`, made the first time a flow runs on
Bytewax with it. The learnstream store is checked first, so a missing or
incomplete one fails with learnstream's `NoPartitionsError` or
`MissingPartitionsError`. A directory made by `python -m bytewax.recovery`, or a
`bytewax.recovery.RecoveryConfig`, is used as it is. A run resumes on the engine
that wrote its snapshots: learnstream's engine and Bytewax each keep their own.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from bytewax.recovery import RecoveryConfig as BytewaxRecoveryConfig
from bytewax.recovery import init_db_dir as bytewax_init_db_dir

from learnstream.recovery import RecoveryConfig, RecoveryStore, part_path

#: Where in a learnstream store Bytewax's partition files live.
SUBDIRECTORY = "bytewax"


def for_bytewax(config: Any) -> BytewaxRecoveryConfig | None:
    """The Bytewax recovery config for `config` (learnstream's or Bytewax's), or None."""
    if config is None or isinstance(config, BytewaxRecoveryConfig):
        return config
    if not isinstance(config, RecoveryConfig):
        raise TypeError(
            "recovery_config must be a learnstream.recovery.RecoveryConfig (or Bytewax's), "
            f"not {type(config).__name__}"
        )
    if _holds_bytewax_parts(config.db_dir):
        return BytewaxRecoveryConfig(str(config.db_dir), config.backup_interval)
    store = RecoveryStore(config)  # NoPartitionsError, MissingPartitionsError
    count = len(store.parts)
    store.close()
    inner = Path(config.db_dir) / SUBDIRECTORY
    if not _holds_bytewax_parts(inner):
        inner.mkdir(exist_ok=True)
        try:
            bytewax_init_db_dir(inner, count)
        except Exception:
            # Another process of the same cluster made it first.
            if not _holds_bytewax_parts(inner):
                raise
    return BytewaxRecoveryConfig(str(inner), config.backup_interval)


def _holds_bytewax_parts(db_dir: Path) -> bool:
    """True when `db_dir`'s part-0 is a partition file of Bytewax's layout."""
    path = part_path(Path(db_dir), 0)
    if not path.is_file():
        return False
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            found = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'exs'"
            ).fetchone()
    except sqlite3.DatabaseError:
        return False
    return found is not None
