"""The C core and its pure-Python twin agree on every input.

hypothesis drives `learnstream.engine.keys_c` and `learnstream.engine.keys_twin`
through the same random sequences of batches and compares every answer. The
twin is the model: it is short enough to check by reading. `.ci/asan` runs this
file against a build of the C core with AddressSanitizer and UBSan.
"""

from __future__ import annotations

import enum
import textwrap
from typing import Any

from backend_helpers import last_line_on_each_backend
from hypothesis import given, settings
from hypothesis import strategies as st

from learnstream.engine import keys_c, keys_twin


class Colour(enum.StrEnum):
    RED = "red"
    NUL = "n\0l"


# Keys: empty, NUL inside, non-ASCII, lone surrogates, long, a str subclass.
odd_keys = st.sampled_from(
    [
        "",
        "a",
        "b",
        "\0",
        "a\0b",
        "é",
        "ß",
        "😀",
        "\ud800",
        "\udfff",
        "x" * 3000,
        Colour.RED,
        Colour.NUL,
    ]
)
keys = st.one_of(
    odd_keys,
    st.text(max_size=12),
    st.text(alphabet=st.characters(codec=None, categories=["Cs", "Lu", "Nd"]), max_size=4),
    st.integers(0, 50).map(lambda i: f"k{i}"),
)
batches = st.lists(keys, max_size=40)
not_str = st.sampled_from([1, None, b"bytes", 2.5, ("a",)])


def bad_batch(good: list[str], bad: Any, where: int) -> list[Any]:
    """`good` with a non-str key inserted at a position."""
    return [*good[: where % (len(good) + 1)], bad, *good[where % (len(good) + 1) :]]


def many_distinct(n: int) -> list[str]:
    """n distinct keys in one batch: enough to make the C table grow several times."""
    return [f"distinct-{i}" for i in range(n)]


def same_outcome(call_twin: Any, call_c: Any) -> Any:
    """Call both; they must both return equal results or both raise the same type."""
    outcomes = []
    for call in (call_twin, call_c):
        try:
            outcomes.append(("ok", call()))
        except Exception as exc:  # compared below: both sides must fail alike
            outcomes.append(("raised", type(exc)))
    assert outcomes[0] == outcomes[1]
    return outcomes[0]


def plain(pairs: list[tuple[str, Any]]) -> list[tuple[type, str, type, str]]:
    """Pairs with exact types and reprs, so 1 != 1.0 != True, -0.0 != 0.0, nan == nan."""
    return [(type(k), k, type(v), repr(v)) for k, v in pairs]


@settings(max_examples=200, deadline=None)
@given(st.lists(batches, max_size=8), st.integers(0, 3000), not_str, st.integers(0, 50))
def test_key_table_slots_agree(sequence: list[list[str]], n: int, bad: Any, where: int) -> None:
    twin, c = keys_twin.KeyTable(), keys_c.KeyTable()
    for batch in [
        *sequence,
        many_distinct(n),
        bad_batch(sequence[0] if sequence else [], bad, where),
        *sequence,
    ]:
        same_outcome(lambda b=batch: twin.slots(b), lambda b=batch: c.slots(b))
        assert len(twin) == len(c)
    twin_keys, c_keys = twin.keys(), c.keys()
    assert twin_keys == c_keys
    assert all(type(k) is str for k in c_keys)


@settings(max_examples=200, deadline=None)
@given(st.lists(batches, max_size=8), st.integers(0, 3000), not_str, st.integers(0, 50))
def test_key_counter_agrees(sequence: list[list[str]], n: int, bad: Any, where: int) -> None:
    twin, c = keys_twin.KeyCounter(), keys_c.KeyCounter()
    for batch in [*sequence, bad_batch([], bad, where), many_distinct(n), *sequence]:
        same_outcome(lambda b=batch: twin.add(b), lambda b=batch: c.add(b))
        assert len(twin) == len(c)
    assert plain(twin.items()) == plain(c.items())
    assert plain(twin.drain()) == plain(c.drain())  # count_final's EOF
    assert len(twin) == len(c) == 0
    for counter in (twin, c):
        counter.add(sequence[0] if sequence else ["again"])
    assert plain(twin.items()) == plain(c.items())
    # A resumed run's counts, loaded at once: repeated keys, zero and large counts.
    pairs = [(key, i % 3 * 10 ** (i % 12)) for i, key in enumerate(k for b in sequence for k in b)]
    same_outcome(lambda: twin.load(pairs), lambda: c.load(pairs))
    assert plain(twin.items()) == plain(c.items())


@settings(max_examples=200, deadline=None)
@given(st.lists(batches, max_size=8), st.lists(st.booleans(), max_size=8), st.integers(0, 3000))
def test_key_counters_track_the_same_changed_keys(
    sequence: list[list[str]], takes: list[bool], n: int
) -> None:
    """A snapshot's changed keys: each key counted since the last `changed()`, with its count."""
    twin, c = keys_twin.KeyCounter(), keys_c.KeyCounter()
    for counter in (twin, c):
        counter.add(["before", "tracking"])
        counter.load([("loaded", 5)])  # a resumed run's counts are not changes
        counter.track()
    assert twin.changed() == c.changed() == []
    model: dict[str, int] = {"before": 1, "tracking": 1, "loaded": 5}
    dirty: set[str] = set()
    for batch, take in zip([*sequence, many_distinct(n)], [*takes, True], strict=False):
        twin.add(batch)
        c.add(batch)
        texts = [str.__str__(key) for key in batch]  # a str subclass counts as its text
        for key in texts:
            model[key] = model.get(key, 0) + 1
        dirty.update(texts)
        if take:
            expected = plain(sorted((key, model[key]) for key in dirty))
            assert plain(sorted(twin.changed())) == plain(sorted(c.changed())) == expected
            dirty = set()


E2E = textwrap.dedent(
    """
    import random, sys
    import learnstream
    import learnstream.operators as op
    from learnstream.dataflow import Dataflow
    from learnstream.testing import TestingSink, TestingSource, run_main

    rng = random.Random(7)
    alphabet = "abcdeé\\0 ß"
    words = ["".join(rng.choices(alphabet, k=rng.randint(0, 6))) for _ in range({n})]
    flow = Dataflow("e2e")
    out = []
    s = op.input("inp", flow, TestingSource(words, batch_size=997))
    op.output("out", op.count_final("count", s, lambda word: word), TestingSink(out))
    run_main(flow)
    print(learnstream.BACKEND)
    print(ascii(out))
    """
)


def test_count_final_end_to_end_c_vs_twin() -> None:
    outputs = last_line_on_each_backend(E2E.format(n=150_000))
    assert outputs["c"] == outputs["python"]
    assert len(outputs["c"]) > 1000
