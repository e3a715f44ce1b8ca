"""The C join core and its pure-Python twin agree on every sequence of calls.

hypothesis picks a join (1 to 4 sides, every insert and emit mode, keyed by
strings or by rows the caller gives) and a sequence of calls (`insert` /
`insert_keys` with batches of 0, 1 or many items, `merge`, `close`), feeds the
same sequence to `learnstream.engine.joins_twin` (the twin, the model) and
`learnstream.engine.joins_c` (C), and compares every answer: the events of
each call, the number of open rows and which rows are open. Keys and rows come
from small pools so that sides meet, repeat and complete often; keys include
the empty string, non-ASCII text and a NUL byte. `.ci/asan` runs this file
against a build of the C core with AddressSanitizer and UBSan.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnstream.engine import joins_c
from learnstream.engine import joins_twin as twin

BACKENDS = (twin, joins_c)
KEYS = st.sampled_from(["a", "b", "c", "", "é", "k\0ey", "a-much-longer-key-than-eight-bytes"])
ROWS = st.integers(0, 6)


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "sides": draw(st.integers(1, 4)),
        "insert_mode": draw(st.sampled_from([twin.FIRST, twin.LAST, twin.PRODUCT])),
        "emit_mode": draw(st.sampled_from([twin.COMPLETE, twin.FINAL, twin.RUNNING])),
        "keyed": draw(st.booleans()),
    }


@st.composite
def calls(draw: st.DrawFn, config: dict[str, Any]) -> list[tuple[Any, ...]]:
    sides = config["sides"]
    out: list[tuple[Any, ...]] = []
    for _ in range(draw(st.integers(0, 12))):
        side = st.integers(0, sides - 1)
        if config["keyed"]:
            what = draw(st.sampled_from(["insert", "insert", "insert", "close"]))
            if what == "insert":
                out.append(("insert_keys", draw(st.lists(KEYS, max_size=12)), draw(side)))
            else:
                out.append(("close_keys", draw(st.lists(KEYS, max_size=4, unique=True))))
            continue
        what = draw(st.sampled_from(["insert", "insert", "insert_one_side", "merge", "close"]))
        if what == "insert":
            n = draw(st.integers(0, 12))
            rows = draw(st.lists(ROWS, min_size=n, max_size=n))
            out.append(("insert", rows, draw(st.lists(side, min_size=n, max_size=n))))
        elif what == "insert_one_side":
            out.append(("insert", draw(st.lists(ROWS, max_size=12)), draw(side)))
        elif what == "merge":
            n = draw(st.integers(0, 3))
            out.append(
                (
                    "merge",
                    draw(st.lists(ROWS, min_size=n, max_size=n)),
                    draw(st.lists(ROWS, min_size=n, max_size=n)),
                )
            )
        else:
            out.append(("close", draw(st.lists(ROWS, max_size=4, unique=True))))
    return out


def replay(backend: Any, config: dict[str, Any], sequence: list[tuple[Any, ...]]) -> list[Any]:
    """Every answer of one core to the whole sequence."""
    core = backend.JoinCore(
        config["sides"], config["insert_mode"], config["emit_mode"], keyed=config["keyed"]
    )
    answers: list[Any] = []
    rows_of: dict[str, int] = {}  # keyed: the row each key was last given
    for call in sequence:
        if call[0] == "close_keys":  # close the rows of some keys, as `join` does at EOF
            rows = [rows_of[k] for k in call[1] if k in rows_of and core.has_row(rows_of[k])]
            ev = core.close(rows)
        else:
            ev = getattr(core, call[0])(*call[1:])
        if call[0] == "insert_keys":
            for row, item in zip(ev.new_rows, ev.new_items, strict=True):
                rows_of[call[1][item]] = row
        answers.append(asdict(ev))
        answers.append((core.open_rows(), [r for r in range(10) if core.has_row(r)]))
    return answers


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_join_cores_agree(data: st.DataObject) -> None:
    config = data.draw(configs())
    sequence = data.draw(calls(config))
    assert replay(joins_c, config, sequence) == replay(twin, config, sequence)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_values_named_by_events_are_the_values_a_dict_join_keeps(data: st.DataObject) -> None:
    """The step's side of the contract: storing and reading by value id gives each side's values.

    A keyed LAST/RUNNING join emits, per item, its key's latest value on each
    side, exactly what a dict of dicts holds after that item.
    """
    sides = data.draw(st.integers(1, 3))
    batches = data.draw(
        st.lists(st.tuples(st.integers(0, sides - 1), st.lists(KEYS, max_size=10)), max_size=8)
    )
    for backend in BACKENDS:
        core = backend.JoinCore(sides, twin.LAST, twin.RUNNING, keyed=True)
        values: list[Any] = [None]
        model: dict[str, list[Any]] = {}
        n = 0
        for side, keys in batches:
            batch = [f"{k}@{n + i}" for i, k in enumerate(keys)]
            n += len(keys)
            ev = core.insert_keys(keys, side)
            values.extend([None] * (ev.capacity - len(values)))
            for item, vid in zip(ev.stored_items, ev.stored_vids, strict=True):
                values[vid] = batch[item]
            got = [
                tuple(values[v] for v in ev.vids[j * sides : (j + 1) * sides])
                for j in range(len(ev.rows))
            ]
            want = []
            for k, v in zip(keys, batch, strict=True):
                model.setdefault(k, [None] * sides)[side] = v
                want.append(tuple(model[k]))
            assert got == want


@pytest.mark.parametrize("backend", BACKENDS, ids=["twin", "c"])
def test_both_refuse_the_same_misuse(backend: Any) -> None:
    with pytest.raises(ValueError, match="1 to 64 sides"):
        backend.JoinCore(0, twin.LAST, twin.COMPLETE)
    with pytest.raises(ValueError, match="unknown join"):
        backend.JoinCore(2, 7, twin.COMPLETE)
    rows = backend.JoinCore(2, twin.LAST, twin.COMPLETE)
    with pytest.raises(ValueError, match="sides must lie"):
        rows.insert([0], [2])
    with pytest.raises(ValueError, match="negative"):
        rows.insert([-1], 0)
    with pytest.raises(ValueError, match="insert_keys"):
        rows.insert_keys(["a"], 0)
    keyed = backend.JoinCore(2, twin.LAST, twin.COMPLETE, keyed=True)
    with pytest.raises(TypeError, match="not a str"):
        keyed.insert_keys(["a", 3], 0)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="cannot merge"):
        keyed.merge([0], [1])
    assert keyed.open_rows() == 0  # a refused call changes nothing


@pytest.mark.parametrize("backend", BACKENDS, ids=["twin", "c"])
def test_complete_mode_keeps_only_the_keys_waiting_for_a_match(backend: Any) -> None:
    """State follows the open keys: 100,000 matched pairs leave nothing behind."""
    core = backend.JoinCore(2, twin.LAST, twin.COMPLETE, keyed=True)
    top_row = 0
    for start in range(0, 100_000, 10_000):
        orders = [f"order-{i}" for i in range(start, start + 10_000)]
        top_row = max(top_row, *core.insert_keys(orders, 0).new_rows)
        payments = [f"order-{i}" for i in range(start - 3_000, start + 7_000) if i >= 0]
        ev = core.insert_keys(payments, 1)
        assert len(ev.rows) == len(payments)
        assert core.open_rows() == 3_000
        assert ev.capacity <= 2 * 10_000 + 3_000 + 1  # value ids are reused, not grown
    assert top_row < 13_000  # so are rows


class Key(str):
    """A str subclass key (a StrEnum member, say): `join_batch` leaves it to the step."""


ITEM = st.one_of(
    st.tuples(KEYS, st.integers(0, 5)),
    st.tuples(KEYS, st.lists(st.integers(), max_size=2)),  # a value the GC tracks
    st.sampled_from([("\udc80", 1), (Key("a"), 2), ["a", 3], ("a", 1, 2), "ab", (4, 5)]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 3),
    st.sampled_from([twin.FIRST, twin.LAST, twin.PRODUCT]),
    st.sampled_from([twin.COMPLETE, twin.FINAL, twin.RUNNING]),
    st.lists(st.tuples(st.integers(0, 2), st.lists(ITEM, max_size=10)), max_size=8),
)
def test_whole_batches_agree(
    sides: int, insert_mode: int, emit_mode: int, batches: list[tuple[int, list[Any]]]
) -> None:
    """`join_batch` (C reads the Python batch itself) does in C exactly what the twin does."""
    answers = []
    for backend in BACKENDS:
        core = backend.JoinCore(sides, insert_mode, emit_mode, keyed=True)
        values: list[Any] = [None]
        row_keys: list[Any] = []
        got = []
        for side, items in batches:
            out: list[Any] = []
            done = core.join_batch(items, side % sides, values, out, row_keys)
            got.append((done, out, list(values), list(row_keys), core.open_rows()))
        answers.append(got)
    assert answers[0] == answers[1]


@pytest.mark.parametrize("backend", BACKENDS, ids=["twin", "c"])
def test_a_batch_with_one_bad_item_changes_nothing(backend: Any) -> None:
    core = backend.JoinCore(2, twin.LAST, twin.COMPLETE, keyed=True)
    values: list[Any] = [None]
    out: list[Any] = []
    assert core.join_batch([("a", 1), ("b", 2), "c"], 0, values, out) is False
    assert (values, out, core.open_rows()) == ([None], [], 0)
    assert core.join_batch([("a", 1), ("a\udc80", 2)], 0, values, out) is False
    assert core.join_batch([("b", 1), (Key("b"), 2)], 0, [None], []) is False
