"""Join core snapshots: a core rebuilt from one goes on exactly as the original, on either backend.

Recovery exports a join core's whole state (rows, the value ids of each side, a
keyed core's keys, free ids and rows) at an epoch's end and imports it into a
fresh core when the run resumes. Both backends write and read one format, so
hypothesis cuts random call sequences (those of the agreement test) at a random
point, rebuilds the core on each backend from the other's snapshot, and checks
that every later answer is the original's. `.ci/asan` runs this file too.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_join_core_agreement import calls, configs

from learnstream.engine import joins_c
from learnstream.engine import joins_twin as twin

BACKENDS = {"c": joins_c, "twin": twin}


def make(module: Any, config: dict[str, Any]) -> Any:
    return module.JoinCore(
        config["sides"], config["insert_mode"], config["emit_mode"], keyed=config["keyed"]
    )


class Driver:
    """One core and the rows its keys were given (as `join` tracks them for EOF)."""

    def __init__(self, core: Any) -> None:
        self.core = core
        self.rows_of: dict[str, int] = {}

    def call(self, call: tuple[Any, ...]) -> Any:
        core = self.core
        if call[0] == "close_keys":
            rows = [
                self.rows_of[k]
                for k in call[1]
                if k in self.rows_of and core.has_row(self.rows_of[k])
            ]
            ev = core.close(rows)
        else:
            ev = getattr(core, call[0])(*call[1:])
        if call[0] == "insert_keys":
            for row, item in zip(ev.new_rows, ev.new_items, strict=True):
                self.rows_of[call[1][item]] = row
        return ev, core.open_rows(), [r for r in range(10) if core.has_row(r)]


@pytest.mark.parametrize(("writer", "reader"), [(w, r) for w in BACKENDS for r in BACKENDS])
@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_core_rebuilt_from_a_snapshot_goes_on_as_the_original(
    writer: str, reader: str, data: st.DataObject
) -> None:
    config = data.draw(configs())
    sequence = data.draw(calls(config))
    cut = data.draw(st.integers(0, len(sequence)), label="cut")
    original = Driver(make(BACKENDS[writer], config))
    shadow = Driver(make(BACKENDS[reader], config))  # the same history on the reader's backend
    for call in sequence[:cut]:
        original.call(call)
        shadow.call(call)
    state = original.core.export_state()
    assert shadow.core.export_state() == state
    rebuilt = Driver(make(BACKENDS[reader], config))
    rebuilt.core.import_state(state)
    rebuilt.rows_of = dict(original.rows_of)  # the step keeps these beside the core
    assert rebuilt.core.export_state() == state
    for call in sequence[cut:]:
        assert rebuilt.call(call) == original.call(call)


def _used(module: Any) -> Any:
    core = module.JoinCore(2, twin.PRODUCT, twin.RUNNING, keyed=True)
    core.insert_keys(["a", "b", "a", "é\0x", "a-key-longer-than-twenty-four-bytes"], 0)
    core.insert_keys(["b"], 1)
    return core


@pytest.mark.parametrize("module", BACKENDS.values(), ids=BACKENDS)
def test_a_damaged_or_foreign_snapshot_is_refused(module: Any) -> None:
    state = _used(module).export_state()
    for damaged in (state[:-8], state + state[-8:], b"\x07" + state[1:], state[:-1]):
        with pytest.raises(ValueError, match="not a snapshot of this join core"):
            module.JoinCore(2, twin.PRODUCT, twin.RUNNING, keyed=True).import_state(damaged)
    for other in ((3, twin.PRODUCT, twin.RUNNING, True), (2, twin.LAST, twin.RUNNING, True)):
        with pytest.raises(ValueError, match="not a snapshot"):
            module.JoinCore(*other[:3], keyed=other[3]).import_state(state)
    with pytest.raises(ValueError, match="not a snapshot"):
        _used(module).import_state(state)  # a core already in use


def test_keys_with_any_text_cross_between_backends() -> None:
    for writer, reader in ((joins_c, twin), (twin, joins_c)):
        rebuilt = reader.JoinCore(2, twin.PRODUCT, twin.RUNNING, keyed=True)
        rebuilt.import_state(_used(writer).export_state())
        ev = rebuilt.insert_keys(["a-key-longer-than-twenty-four-bytes", "é\0x", "\udc80"], 1)
        assert ev.new_items == [2]  # the first two keys were found again
