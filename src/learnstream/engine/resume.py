"""The state a run resumes from, handed to runtimes while they are built.

A source or sink partition must be opened with its resume state (a `FileSink`
truncates its file back to the snapshotted position when it opens it), so the
executor builds every runtime inside `resuming(states)`, and a stateful runtime
asks `saved()` for its own state in its constructor (the executor says which
core step is being built, so an operator's own id never has to match it).
Outside a resumed run, `saved` is always `None`.

Every runtime that holds state between ticks has `snapshot()`, returning a
picklable value that its constructor accepts back through `saved`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_states: dict[str, Any] = {}
_building: str | None = None
_recording = False


@contextmanager
def building(step_id: str, states: dict[str, Any], *, recording: bool) -> Iterator[None]:
    """Build core step `step_id`'s runtime inside the block, from `states` if it is there.

    `recording`: the run snapshots its state (it has a recovery store).
    """
    global _states, _building, _recording
    previous = _states, _building, _recording
    _states, _building, _recording = states, step_id, recording
    try:
        yield
    finally:
        _states, _building, _recording = previous


def recording() -> bool:
    """True while building the runtimes of a run that snapshots its state.

    The window and join cores of the C backend cannot hand over their state yet,
    so such a run gives those steps the pure-Python twin cores (same decisions,
    tested to agree), whose state pickles as it is.
    """
    return _recording


def saved() -> Any:
    """The state the step being built snapshotted last, or None for a fresh start."""
    return None if _building is None else _states.get(_building)
