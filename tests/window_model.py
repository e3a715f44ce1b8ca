"""A tiny, obviously-correct model of windowing on event time, for property tests.

Times are plain ints. With a `now_getter` that never moves, a key's watermark
is the largest `ts - wait` seen for it, so:

- an item is late when its time is below its key's watermark after the item;
- a sliding window `i` holds the on-time items in `[align + i*offset,
  align + i*offset + length)`;
- a key's sessions are its on-time items sorted by time and cut wherever two
  neighbours are more than `gap` apart, numbered in time order.

`forget=True` models Bytewax 0.21 exactly: a key with no open window after a
batch loses its watermark. That needs to know when windows close (when the
watermark reaches their close time, at the end of each key's part of a batch).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

Item = tuple[str, int, Any]  # key, event time, value


@dataclass
class Expected:
    """Per (key, window id): the values (in fold order) and (open, close)."""

    windows: dict[tuple[str, int], list[Any]] = field(default_factory=dict)
    bounds: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    late: list[tuple[str, int, Any]] = field(default_factory=list)


def sliding_ids(t: int, length: int, offset: int, align: int) -> list[int]:
    """Every window id whose [open, close) holds t, by brute force over nearby ids."""
    guess = (t - align) // offset
    span = length // offset + 2
    return [
        i
        for i in range(guess - span, guess + span)
        if align + i * offset <= t < align + i * offset + length
    ]


def on_time(
    batches: list[list[Item]],
    wait: int,
    *,
    forget: bool = False,
    closes: Any = None,
) -> tuple[list[tuple[int, Item]], list[tuple[int, Item]]]:
    """Split items (numbered by arrival) into on-time and late.

    A batch's late items come in key order, each key's in arrival order (as
    Bytewax 0.21.1 writes the rows one batch makes).

    `closes(t)` gives the close times of the windows an item at t joins; it is
    needed only with `forget`.
    """
    wm: dict[str, int] = {}
    open_closes: dict[str, set[int]] = defaultdict(set)
    good: list[tuple[int, Item]] = []
    late: list[tuple[int, Item]] = []
    n = 0
    for batch in batches:
        keys_in_batch = []
        batch_late: list[tuple[int, Item]] = []
        for item in batch:
            key, t, _ = item
            if key not in keys_in_batch:
                keys_in_batch.append(key)
            wm[key] = max(wm.get(key, -(10**30)), t - wait)
            if t < wm[key]:
                batch_late.append((n, item))
            else:
                good.append((n, item))
                if forget:
                    open_closes[key].update(closes(t))
            n += 1
        late.extend(sorted(batch_late, key=lambda ni: ni[1][0]))  # a batch's keys in key order
        if forget:
            for key in keys_in_batch:
                open_closes[key] = {c for c in open_closes[key] if c > wm[key]}
                if not open_closes[key]:
                    del wm[key]
    return good, late


def sliding(
    batches: list[list[Item]],
    *,
    length: int,
    offset: int,
    align: int,
    wait: int,
    ordered: bool,
    forget: bool = False,
) -> Expected:
    """What sliding (and, with offset == length, tumbling) windows must produce."""

    def closes(t: int) -> list[int]:
        return [align + i * offset + length for i in sliding_ids(t, length, offset, align)]

    good, late = on_time(batches, wait, forget=forget, closes=closes)
    exp = Expected()
    if ordered:
        good.sort(key=lambda ni: (ni[1][1], ni[0]))
    for _, (key, t, value) in good:
        for i in sliding_ids(t, length, offset, align):
            exp.windows.setdefault((key, i), []).append(value)
            exp.bounds[key, i] = (align + i * offset, align + i * offset + length)
    for _, (key, t, value) in late:
        exp.late.extend((key, i, value) for i in sliding_ids(t, length, offset, align))
    return exp


def sessions(batches: list[list[Item]], *, gap: int, wait: int) -> Expected:
    """What session windows must produce (values in time order, as `ordered=True`)."""
    good, late = on_time(batches, wait)
    by_key: dict[str, list[tuple[int, int, Any]]] = defaultdict(list)
    for n, (key, t, value) in good:
        by_key[key].append((t, n, value))
    exp = Expected()
    for key, items in by_key.items():
        items.sort()
        sid = 0
        start = items[0][0]
        for j, (t, _, value) in enumerate(items):
            if j and t - items[j - 1][0] > gap:
                sid += 1
                start = t
            exp.windows.setdefault((key, sid), []).append(value)
            exp.bounds[key, sid] = (start, t)
    exp.late = [(key, -1, value) for _, (key, _, value) in late]
    return exp
