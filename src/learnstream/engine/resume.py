"""The state a run resumes from, handed to runtimes while they are built.

A source or sink partition must be opened with its resume state (a `FileSink`
truncates its file back to the snapshotted position when it opens it), so the
executor builds each core step's runtime inside `building(step_id, states)`, and a
stateful runtime asks `saved()` for its own state in its constructor (the executor
says which core step is being built, so an operator's own id never has to match
it). Both live in the run's context (`learnstream.engine.clock.RunContext`), so
runs in other threads never see them. Outside a resumed run, `saved` is `None`.

Every runtime that holds state between ticks has `snapshot()`, returning the
state of each key that changed since its last `snapshot()`, by key (`GONE` for a
key whose state was discarded, `CLEARED` for all of them at once), as Bytewax
snapshots per state key; the store
keeps each key's newest state, and its constructor gets back, through `saved`,
every key's state as of the epoch it resumes from. A runtime keeps a set of the
keys it changed where it changes them (`recovering()` says whether anyone will
ask). Window and join cores snapshot as int64s in one format for both backends
(`learnstream.engine.snapshots`), so a run snapshotted on C resumes on the twin
and back; steps load them inside `loading`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from learnstream.engine import clock

__all__ = ["building", "loading", "recovering", "saved"]


def __getattr__(name: str) -> Any:
    """`GONE` and `CLEARED`, the store's marks, loaded with the store when a snapshot is
    taken: `learnstream.recovery` imports sqlite3, which a run without recovery never needs
    (and Pyodide, where the course's pages run, does not have)."""
    if name in ("CLEARED", "GONE"):
        from learnstream import recovery

        return getattr(recovery, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@contextmanager
def building(
    step_id: str, states: dict[str, dict[str, Any]], *, recovering: bool
) -> Iterator[None]:
    """Build core step `step_id`'s runtime inside the block, from `states` if it is there.

    A copy of the run's context (`learnstream.engine.clock.RunContext`) carries both
    while the block runs, so runs in other threads, or nested in this one, never see them.
    """
    context = replace(clock.current(), states=states, building=step_id, recovering=recovering)
    with clock.entered(context):
        yield


@contextmanager
def loading(step_id: str, operator: str) -> Iterator[None]:
    """Load a step's snapshot inside the block: a core's `ValueError` (a damaged
    snapshot) becomes a `RecoveryError` naming the step."""
    try:
        yield
    except ValueError as exc:
        from learnstream.recovery import RecoveryError  # the store's error (it imports no engine)

        raise RecoveryError(
            f"step {step_id!r} ({operator}): {exc} in the recovery store; resume from an "
            "undamaged copy of the store, or start over with a fresh one "
            "(python -m learnstream.recovery DIR N)"
        ) from exc


def recovering() -> bool:
    """Whether the step being built will be asked for `snapshot()` (a run with a store)."""
    return clock.current().recovering


def saved() -> dict[str, Any] | None:
    """The state of each key of the step being built, as of the epoch the run resumes
    from, or None for a fresh start."""
    context = clock.current()
    return None if context.building is None else context.states.get(context.building)
