"""The C window core's snapshots: a core rebuilt from one goes on exactly as the original.

Recovery exports the C core's whole state at an epoch's end and imports it into a
fresh core when the run resumes; hypothesis cuts random call sequences at a random
point and checks that every later call (and EOF) looks the same from outside.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_window_core_agreement import bad_batch, calls, clamp, configs, make, observe

from learnstream.engine import windows_c
from learnstream.engine import windows_twin as twin


def _apply(core: Any, call: tuple[str, Any, int], now: int, system: bool, base: int) -> Any:
    """One call of a generated sequence; what the caller can see afterwards (or the refusal)."""
    op, arg, _ = call
    try:
        if op == "process":
            slots = [slot for slot, _ in arg]
            ts = None if system else [clamp(base + d) for _, d in arg]
            return observe(core, core.process(slots, ts, now), 8)
        if op == "notify":
            return observe(core, core.notify(now), 8)
        slots, ts, bad_now = bad_batch(arg, base, now)
        return core.process(slots, None if system else ts, bad_now)
    except ValueError as exc:
        return type(exc)


@settings(max_examples=300, deadline=None)
@given(configs(), calls, st.integers(-10, 10), st.data())
def test_a_core_rebuilt_from_a_snapshot_goes_on_as_the_original(
    config: dict[str, Any], sequence: list[Any], now0: int, data: st.DataObject
) -> None:
    base, system = config["_base"], config["clock"] == twin.SYSTEM
    original = make(windows_c, config)
    cut = data.draw(st.integers(0, len(sequence)), label="cut")
    now = clamp(base + now0)
    for call in sequence[:cut]:
        now = clamp(now + call[2])
        _apply(original, call, now, system, base)
    state = original.export_state()
    rebuilt = make(windows_c, config)
    rebuilt.import_state(state)
    assert rebuilt.export_state() == state
    for call in sequence[cut:]:
        now = clamp(now + call[2])
        assert _apply(rebuilt, call, now, system, base) == _apply(original, call, now, system, base)
    order = list(range(10))[::-1]
    assert observe(rebuilt, rebuilt.eof(order), 8) == observe(original, original.eof(order), 8)


def _core() -> Any:
    return windows_c.WindowCore(
        twin.SLIDING, length=10, offset=5, align=0, gap=0, clock=twin.EVENT, wait=3, ordered=True
    )


def test_a_damaged_snapshot_is_refused() -> None:
    core = _core()
    core.process([0, 1, 0], [3, 12, 5], now=0)
    state = core.export_state()
    for damaged in (state[:-8], state + state[-8:], b"\x07" + state[1:]):
        with pytest.raises(ValueError, match="not a snapshot of this window core"):
            _core().import_state(damaged)


def test_a_snapshot_loads_only_into_a_fresh_core() -> None:
    used = _core()
    used.process([0], [1], now=0)
    with pytest.raises(ValueError, match="not a snapshot"):
        used.import_state(_core().export_state())
