"""Window core snapshots: a core rebuilt from one goes on exactly as the original, on either backend.

Recovery exports a window core's whole state at an epoch's end and imports it into
a fresh core when the run resumes. Both backends write and read one format, so
hypothesis cuts random call sequences at a random point, rebuilds the core on each
backend from the other's snapshot, and checks that every later call (and EOF)
looks the same from outside.
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


BACKENDS = {"c": windows_c, "twin": twin}


@pytest.mark.parametrize(("writer", "reader"), [(w, r) for w in BACKENDS for r in BACKENDS])
@settings(max_examples=150, deadline=None)
@given(configs(), calls, st.integers(-10, 10), st.data())
def test_a_core_rebuilt_from_a_snapshot_goes_on_as_the_original(
    writer: str,
    reader: str,
    config: dict[str, Any],
    sequence: list[Any],
    now0: int,
    data: st.DataObject,
) -> None:
    base, system = config["_base"], config["clock"] == twin.SYSTEM
    original = make(BACKENDS[writer], config)
    shadow = make(BACKENDS[reader], config)  # the same history on the reader's backend
    cut = data.draw(st.integers(0, len(sequence)), label="cut")
    now = clamp(base + now0)
    for call in sequence[:cut]:
        now = clamp(now + call[2])
        _apply(original, call, now, system, base)
        _apply(shadow, call, now, system, base)
    state = original.export_state()
    assert shadow.export_state() == state
    rebuilt = make(BACKENDS[reader], config)
    rebuilt.import_state(state)
    assert rebuilt.export_state() == state
    for call in sequence[cut:]:
        now = clamp(now + call[2])
        assert _apply(rebuilt, call, now, system, base) == _apply(original, call, now, system, base)
    order = list(range(10))[::-1]
    assert observe(rebuilt, rebuilt.eof(order), 8) == observe(original, original.eof(order), 8)


def _core(module: Any = windows_c) -> Any:
    return module.WindowCore(
        twin.SLIDING, length=10, offset=5, align=0, gap=0, clock=twin.EVENT, wait=3, ordered=True
    )


@pytest.mark.parametrize("module", BACKENDS.values(), ids=BACKENDS)
def test_a_damaged_snapshot_is_refused(module: Any) -> None:
    core = _core(module)
    core.process([0, 1, 0], [3, 12, 5], now=0)
    state = core.export_state()
    for damaged in (state[:-8], state + state[-8:], b"\x07" + state[1:], state[:-1]):
        with pytest.raises(ValueError, match="not a snapshot of this window core"):
            _core(module).import_state(damaged)


@pytest.mark.parametrize("module", BACKENDS.values(), ids=BACKENDS)
def test_a_snapshot_loads_only_into_a_fresh_core(module: Any) -> None:
    used = _core(module)
    used.process([0], [1], now=0)
    with pytest.raises(ValueError, match="not a snapshot"):
        used.import_state(_core(module).export_state())


def test_both_backends_write_the_same_snapshot() -> None:
    cores = [_core(module) for module in BACKENDS.values()]
    for core in cores:
        core.process([0, 1, 0, 2], [3, 12, 5, 40], now=0)
        core.notify(7)
    states = {core.export_state() for core in cores}
    assert len(states) == 1
