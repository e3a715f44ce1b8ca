"""The interface of each core, as one `typing.Protocol`: what both backends provide.

Every part of the engine's core exists twice, the pure-Python twin
(`<part>_twin.py`) and the C core's wrapper (`<part>_c.py`); the engine only ever
uses what is written here, through `learnstream.engine.backend`. `mypy` checks the
engine against these protocols, and `tests/test_core_contract.py` checks that each
module of each backend provides them with the same signatures.

- keys: `KeyTable` (string keys to dense slots) and `KeyCounter` (`count_final`);
- windows: `WindowCore`, event-time windows per key;
- joins: `JoinCore`, join rows per key or window;
- chain: `run_chain`, neighbouring `map`/`filter` steps in one pass;
- stamps: `event_micros`, an `EventClock`'s datetimes in microseconds.

The window and join cores snapshot their whole state with `export_state()` as
int64s in one format both backends write and read (`learnstream.engine.snapshots`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from learnstream.engine.chain_twin import Failure
    from learnstream.engine.joins_twin import JoinEvents
    from learnstream.engine.stamps_twin import StampFailure
    from learnstream.engine.windows_twin import WindowEvents


class KeyTable(Protocol):
    """Dense slot ids for string keys: 0, 1, 2, ... in order of first sight."""

    def slots(self, keys: Sequence[str]) -> list[int]: ...
    def keys(self) -> list[str]: ...
    def __len__(self) -> int: ...


class KeyCounter(Protocol):
    """How many times each key was seen."""

    def add(self, keys: Sequence[str]) -> None: ...
    def items(self) -> list[tuple[str, int]]: ...
    def drain(self) -> list[tuple[str, int]]: ...
    def load(self, pairs: Sequence[tuple[str, int]]) -> None: ...
    def track(self) -> None: ...
    def changed(self) -> list[tuple[str, int]]: ...
    def __len__(self) -> int: ...


class SnapshotCore(Protocol):
    """A core whose whole state crosses between runs (and backends) as int64s."""

    def export_state(self) -> bytes: ...
    def import_state(self, state: bytes) -> None: ...


class WindowCore(SnapshotCore, Protocol):
    """Windows of every key of one windowing step (`windows_twin.WindowCore` says how)."""

    def process(self, slots: Sequence[int], ts: Sequence[int] | None, now: int) -> WindowEvents: ...
    def notify(self, now: int) -> WindowEvents: ...
    def eof(self, order: Sequence[int]) -> WindowEvents: ...
    def next_wake(self) -> int | None: ...
    def watermark(self, slot: int) -> int: ...


class JoinCore(SnapshotCore, Protocol):
    """The join state of one step (`joins_twin.JoinCore` says how)."""

    sides: int
    keyed: bool

    def insert(self, rows: Sequence[int], sides: Sequence[int] | int) -> JoinEvents: ...
    def insert_keys(self, keys: Sequence[str], side: int) -> JoinEvents: ...
    def join_batch(
        self,
        items: list[Any],
        side: int,
        values: list[Any],
        out: list[Any],
        row_keys: list[Any] | None = None,
    ) -> bool: ...
    def merge(self, into: Sequence[int], from_: Sequence[int]) -> JoinEvents: ...
    def close(self, rows: Sequence[int]) -> JoinEvents: ...
    def open_rows(self) -> int: ...
    def has_row(self, row: int) -> bool: ...


class RunChain(Protocol):
    """`run_chain(items, fns, kinds)`: every item through every stage (`chain_twin`)."""

    def __call__(
        self, items: list[Any], fns: Sequence[Callable[[Any], Any]], kinds: bytes
    ) -> tuple[list[Any], Failure | None]: ...


class EventMicros(Protocol):
    """`event_micros(values, getter)`: each value's event time in µs (`stamps_twin`).

    The times come back as a sequence of ints (a C array on the C backend), which
    the window core of the same backend takes as it is.
    """

    def __call__(
        self, values: list[Any], getter: Callable[[Any], Any]
    ) -> tuple[Sequence[int], StampFailure | None]: ...


_Table = KeyTable
_Counter = KeyCounter


class KeysModule(Protocol):
    """`keys_twin` / `keys_c`."""

    def KeyTable(self) -> _Table: ...
    def KeyCounter(self) -> _Counter: ...


class WindowsModule(Protocol):
    """`windows_twin` / `windows_c`."""

    def WindowCore(
        self,
        kind: int,
        *,
        length: int,
        offset: int,
        align: int,
        gap: int,
        clock: int,
        wait: int,
        ordered: bool,
        record_inserts: bool = True,
    ) -> WindowCore: ...


class JoinsModule(Protocol):
    """`joins_twin` / `joins_c`."""

    def JoinCore(
        self, sides: int, insert_mode: int, emit_mode: int, *, keyed: bool = False
    ) -> JoinCore: ...


class ChainModule(Protocol):
    """`chain_twin` / `chain_c`."""

    @property
    def run_chain(self) -> RunChain: ...


class StampsModule(Protocol):
    """`stamps_twin` / `stamps_c`."""

    RAISED: int
    NOT_AWARE: int
    OUT_OF_RANGE: int

    @property
    def event_micros(self) -> EventMicros: ...


if TYPE_CHECKING:  # mypy proves that both backends provide every protocol
    from learnstream.engine import (
        chain_c,
        chain_twin,
        joins_c,
        joins_twin,
        keys_c,
        keys_twin,
        stamps_c,
        stamps_twin,
        windows_c,
        windows_twin,
    )

    _KEYS: tuple[KeysModule, ...] = (keys_twin, keys_c)
    _WINDOWS: tuple[WindowsModule, ...] = (windows_twin, windows_c)
    _JOINS: tuple[JoinsModule, ...] = (joins_twin, joins_c)
    _CHAINS: tuple[ChainModule, ...] = (chain_twin, chain_c)
    _STAMPS: tuple[StampsModule, ...] = (stamps_twin, stamps_c)
