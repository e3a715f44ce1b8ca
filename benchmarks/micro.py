"""Microbenchmarks of the keyed-state core: the C core against its twin.

Each takes the backend module (`learnstream.engine.keys_c` or `.keys_twin`) and a
list of keys, runs the operation the engine runs per batch, and returns a
checksum of the final state. The keys arrive in batches of `BATCH`, about what
one tick of W1 hands `count_final` (1,000 lines of about 10 words).

`join_state` runs W4's batches through the join core (`csrc/joins.c` against
`engine/joins_twin.py`) as the `join` step hands them over, whole.

`window_assign` does the same for the window core (`csrc/windows.c` against
`engine/windows_twin.py`): W2's events, already as key slots and microseconds, go
through 10-second tumbling windows; the result is a checksum of the closed
windows.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from itertools import accumulate
from types import ModuleType
from typing import Any

from benchmarks.data import SEED, W2_DISORDER_MS, W2_KEYS, W2_START_MS, vocabulary
from benchmarks.workloads import W2_WINDOW_MS, w1_checksum, w2_checksum

BATCH = 10_000


def zipf_keys(
    count: int, seed: int = SEED, vocab_size: int = 50_000, *, shared: bool = False
) -> list[str]:
    """`count` words drawn with Zipf weights (s = 1.1), as in the W1 text.

    By default each word is a str object of its own, as a tokenizer or parser
    hands them over. With `shared`, the list holds references to the
    vocabulary's 50,000 objects, as a lookup table hands them out: a str caches
    its hash, so the twin's dict skips hashing and compares by identity.
    """
    rng = random.Random(seed)
    words = vocabulary(vocab_size, rng)
    cum = list(accumulate(1.0 / rank**1.1 for rank in range(1, vocab_size + 1)))
    picked = rng.choices(words, cum_weights=cum, k=count)
    return picked if shared else "\n".join(picked).split("\n")


def keyed_count(core: ModuleType, keys: list[str]) -> str:
    """`KeyCounter.add` per batch, then `items()`: what `count_final` does."""
    counter = core.KeyCounter()
    for at in range(0, len(keys), BATCH):
        counter.add(keys[at : at + BATCH])
    return w1_checksum(counter.items())


def key_slots(core: ModuleType, keys: list[str]) -> str:
    """`KeyTable.slots` per batch: what every stateful step does first."""
    table = core.KeyTable()
    total = 0
    for at in range(0, len(keys), BATCH):
        total += sum(table.slots(keys[at : at + BATCH]))
    return f"{len(table)} keys, slot sum {total}"


KEYED: dict[str, Callable[[ModuleType, list[str]], str]] = {
    "keyed_count": keyed_count,
    "keyed_count_shared": keyed_count,
    "key_slots": key_slots,
}
"""The keyed-state micros: each takes `core` (`keys_c` or `keys_twin`) and the keys
(`keyed_count_shared`: the vocabulary's own str objects, see `zipf_keys`)."""


def window_input(count: int, seed: int = SEED) -> tuple[list[int], list[int]]:
    """W2's events as the window core sees them: key slots and microseconds."""
    rng = random.Random(seed)
    slots = [rng.randrange(W2_KEYS) for _ in range(count)]
    micros = [(W2_START_MS + i - rng.randrange(W2_DISORDER_MS)) * 1000 for i in range(count)]
    return slots, micros


def window_assign(windows: ModuleType, slots: list[int], micros: list[int]) -> str:
    """`WindowCore.process` per batch, then `eof`: what `count_window` asks of the core."""
    from learnstream.engine.windows_twin import EVENT, SLIDING

    length = W2_WINDOW_MS * 1000
    core = windows.WindowCore(
        SLIDING,
        length=length,
        offset=length,
        align=W2_START_MS * 1000,
        gap=0,
        clock=EVENT,
        wait=5_000_000,
        ordered=False,
        record_inserts=False,
    )
    closed: list[tuple[int, int, int]] = []
    late = 0
    for at in range(0, len(slots), BATCH):
        ev = core.process(slots[at : at + BATCH], micros[at : at + BATCH], 0)
        late += len(ev.late_items)
        closed.extend(zip(ev.closed_slots, ev.closed_wids, ev.closed_counts, strict=True))
    ev = core.eof(list(range(W2_KEYS)))
    closed.extend(zip(ev.closed_slots, ev.closed_wids, ev.closed_counts, strict=True))
    return f"{late} late, " + w2_checksum((f"{s:04d}", w, c) for s, w, c in closed)


def join_state(joins: ModuleType, sides: tuple[list[list[Any]], list[list[Any]]]) -> str:
    """`JoinCore.join_batch` per batch of each side: all the `join` step does per tick."""
    from benchmarks.workloads import w4_checksum
    from learnstream.engine.joins_twin import COMPLETE, LAST

    core = joins.JoinCore(2, LAST, COMPLETE, keyed=True)
    values: list[Any] = [None]
    count = total = 0
    for tick in range(max(map(len, sides))):
        for side in (0, 1):
            if tick < len(sides[side]):
                out: list[Any] = []
                core.join_batch(sides[side][tick], side, values, out)
                count += len(out)
                total += sum([o + p for _, (o, p) in out])
    return w4_checksum(count, total)
