"""Event time in plain Python: the readable twin of the C window core (`csrc/windows.c`).

A windowing step hands this core whole batches of numbers and gets numbers
back; the learner's values never come here. Times are int64 **microseconds
since the Unix epoch**; keys are the slots a `KeyTable` gave them.

What the core decides, per key, as Bytewax 0.21 does:

- the key's **watermark**: the largest event time seen minus the clock's wait,
  plus the system time that has passed since that largest event arrived
  (`SystemClock`: the watermark is simply "now");
- whether an item is **late**: its time is before the watermark when it arrives;
- which **windows** an on-time item belongs to: sliding/tumbling windows are
  numbered from `align_to` (window `i` covers `[align + i*offset,
  align + i*offset + length)`); sessions grow, and merge when their items are
  at most `gap` apart;
- which windows **close**: a sliding window once the watermark reaches its
  close time, a session once the watermark is more than `gap` past its last
  item, and every window at EOF.

Each open window has a *handle*, a small integer the caller uses to index its
own list of accumulators. A call returns `WindowEvents`: parallel lists of
numbers saying which items were late, which item went into which handle, which
handles merged and which closed.

One deliberate difference from Bytewax: a key keeps its watermark after its
windows close, so a late item can never re-open a window that was already
emitted.

>>> core = WindowCore(SLIDING, length=10, offset=10, align=0, gap=0,
...                   clock=EVENT, wait=0, ordered=False)
>>> ev = core.process([0, 0, 0], [3, 12, 5], now=0)
>>> ev.late_items          # 5 arrived after 12 had pushed the watermark to 12
[2]
>>> list(zip(ev.closed_wids, ev.closed_counts))   # window [0, 10) closed with one item
[(0, 1)]
>>> ev = core.eof([0])
>>> list(zip(ev.closed_wids, ev.closed_counts))
[(1, 1)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SLIDING = 0
"""Fixed windows numbered from `align` (tumbling windows are sliding with offset == length)."""
SESSION = 1
"""Windows that grow with activity and close after `gap` of silence."""

EVENT = 0
"""`EventClock`: time comes from each item."""
SYSTEM = 1
"""`SystemClock`: every item is stamped with the time it is processed."""

MIN_US = -62_135_596_800_000_000
"""`datetime.min` (0001-01-01, UTC) in microseconds since the epoch: the watermark of a new key."""
MAX_US = 253_402_300_799_999_999
"""`datetime.max` (9999-12-31, UTC) in microseconds: the watermark at EOF."""

MAX_SPAN = 2**60
"""Longest length, offset, gap or wait in microseconds (~36,500 years).

Longer than the whole datetime range, so a longer wait means the same as this
one; the C core relies on it to keep every sum of times inside int64.
"""

LATE_SESSION_ID = -1
"""Window id reported for an item late for a session window (as in Bytewax)."""


def checked_config(
    kind: int, length: int, offset: int, align: int, gap: int, clock: int, wait: int
) -> int:
    """Refuse a window configuration out of range; return `wait`, capped at `MAX_SPAN`.

    >>> checked_config(SLIDING, 10, 10, 0, 0, EVENT, 2**70) == MAX_SPAN
    True
    """
    if kind not in (SLIDING, SESSION) or clock not in (EVENT, SYSTEM):
        raise ValueError(f"unknown window kind {kind!r} or clock {clock!r}")
    if kind == SLIDING and not (0 < length <= MAX_SPAN and 0 < offset <= MAX_SPAN):
        raise ValueError(
            f"window length and offset must be between 1 µs and {MAX_SPAN} µs, "
            f"not {length} and {offset}"
        )
    if not 0 <= gap <= MAX_SPAN:
        raise ValueError(f"session gap must be between 0 and {MAX_SPAN} µs, not {gap}")
    if not MIN_US <= align <= MAX_US:
        raise ValueError(f"align_to must be a datetime's microseconds, not {align}")
    if wait < 0:
        raise ValueError(f"the clock's wait must not be negative, not {wait}")
    # A wait past the whole datetime range never lets the watermark move, however long.
    return min(wait, MAX_SPAN)


def check_times(ts: Sequence[int] | None, now: int) -> None:
    """Refuse times that no datetime has (the C core's sums stay in int64 because of it)."""
    if not MIN_US <= now <= MAX_US or (ts and not (MIN_US <= min(ts) and max(ts) <= MAX_US)):
        raise ValueError("event and system times must lie within datetime's range")


@dataclass
class WindowEvents:
    """What one call decided, as parallel lists of numbers.

    - `late_items[i]` (an index into the batch) was late for window `late_wids[i]`;
    - item number `ins_seqs[i]` joined the window with handle `ins_handles[i]` and id
      `ins_wids[i]` (item numbers count every item the core has ever been given, so an item held
      back for timestamp order can be inserted during a later call);
    - key `merge_slots[i]`'s window `merge_from[i]` (id `merge_wids[i]`) merged into
      `merge_into[i]` (id `merge_into_wids[i]`);
    - the window with handle `closed_handles[i]` of key `closed_slots[i]` closed,
      with id `closed_wids[i]`, bounds `closed_opens[i]`/`closed_closes[i]` and
      `closed_counts[i]` items;
    - `held` are this call's items that wait (ordered mode) for the watermark.

    Handles that closed or merged are reused only after the next call begins.
    """

    late_items: list[int] = field(default_factory=list)
    late_wids: list[int] = field(default_factory=list)
    ins_seqs: list[int] = field(default_factory=list)
    ins_handles: list[int] = field(default_factory=list)
    ins_wids: list[int] = field(default_factory=list)
    merge_slots: list[int] = field(default_factory=list)
    merge_from: list[int] = field(default_factory=list)
    merge_wids: list[int] = field(default_factory=list)
    merge_into: list[int] = field(default_factory=list)
    merge_into_wids: list[int] = field(default_factory=list)
    closed_slots: list[int] = field(default_factory=list)
    closed_handles: list[int] = field(default_factory=list)
    closed_wids: list[int] = field(default_factory=list)
    closed_opens: list[int] = field(default_factory=list)
    closed_closes: list[int] = field(default_factory=list)
    closed_counts: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)


class _Key:
    """One key's clock, open windows and (ordered mode) queue of waiting items."""

    __slots__ = ("base", "max_id", "queue", "sys_max", "sys_now", "wake", "windows", "wm")

    def __init__(self, now: int) -> None:
        self.base = MIN_US  # largest event time minus wait
        self.sys_max = now  # system time when `base` last moved
        self.sys_now = now  # latest system time this key has seen
        self.wm = MIN_US  # watermark after the last item or notify
        self.windows: dict[
            int, list[int]
        ] = {}  # window id -> [open, close, handle], in opening order
        self.max_id = LATE_SESSION_ID  # sessions are numbered 0, 1, 2... per key
        self.queue: list[tuple[int, int]] = []  # (timestamp, item number), arrival order
        self.wake: int | None = None  # system time when a window or queued item is due


class WindowCore:
    """Windows of every key of one windowing step.

    `kind` is `SLIDING` or `SESSION`; `length`, `offset`, `align` describe sliding
    windows and `gap` sessions (all in microseconds). `clock` is `EVENT` (with
    `wait`, the clock's `wait_for_system_duration`) or `SYSTEM`. With `ordered`,
    on-time items wait until the watermark reaches them and join their windows in
    timestamp order; otherwise they join at once, in arrival order. With
    `record_inserts=False` only counts are kept (for `count_window`).
    """

    def __init__(
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
    ) -> None:
        wait = checked_config(kind, length, offset, align, gap, clock, wait)
        self.kind = kind
        self.length = length
        self.offset = offset
        self.align = align
        self.gap = gap
        self.clock = clock
        self.wait = wait
        self.ordered = ordered
        self.record_inserts = record_inserts
        self.keys: list[_Key] = []  # by slot
        self.counts: list[int] = []  # items per handle
        self.free: list[int] = []  # handles ready for reuse
        self.released: list[int] = []  # handles freed during the current call
        self.seq = 0  # number of the next item
        self.soonest: int | None = None  # lower bound on every key's wake time
        self.ev = WindowEvents()

    # --- the three calls -------------------------------------------------

    def process(self, slots: Sequence[int], ts: Sequence[int] | None, now: int) -> WindowEvents:
        """Take one batch: `slots[i]` is item i's key, `ts[i]` its event time (None for SYSTEM)."""
        check_times(ts, now)
        if slots and min(slots) < 0:
            raise ValueError("slots must not be negative")
        self._begin()
        first_seq = self.seq
        self.seq += len(slots)
        touched: dict[int, None] = {}  # keys of this batch, in order of first appearance
        for i, slot in enumerate(slots):
            key = self._key(slot, now)
            if slot not in touched:
                touched[slot] = None
                key.sys_now = max(key.sys_now, now)  # system time never goes back
            t = now if ts is None else ts[i]
            key.wm = self._watermark_after(key, t)
            if t < key.wm:
                self._late(i, t)
            else:
                key.queue.append((t, first_seq + i))
        for slot in touched:
            self._flush(slot, self.keys[slot].wm)
        for slot in touched:
            self.ev.held.extend(s for _, s in self.keys[slot].queue if s >= first_seq)
        self._notify_due(now)
        return self.ev

    def notify(self, now: int) -> WindowEvents:
        """Let system time pass with no items: close whatever the watermarks now pass."""
        check_times(None, now)
        self._begin()
        self._notify_due(now)
        return self.ev

    def eof(self, order: Sequence[int]) -> WindowEvents:
        """The input ended: insert every waiting item and close every window, keys in `order`."""
        self._begin()
        for slot in order:
            if 0 <= slot < len(self.keys):
                self._flush(slot, MAX_US, at_eof=True)
        return self.ev

    def next_wake(self) -> int | None:
        """The earliest system time at which some key has a window to close."""
        wakes = [k.wake for k in self.keys if k.wake is not None]
        return min(wakes) if wakes else None

    def watermark(self, slot: int) -> int:
        """The watermark of key `slot` after the last call (`MIN_US` for a key not seen)."""
        return self.keys[slot].wm if 0 <= slot < len(self.keys) else MIN_US

    # --- per key ---------------------------------------------------------

    def _begin(self) -> None:
        self.free.extend(self.released)
        self.released = []
        self.ev = WindowEvents()

    def _key(self, slot: int, now: int) -> _Key:
        while len(self.keys) <= slot:
            self.keys.append(_Key(now))
        return self.keys[slot]

    def _current_watermark(self, key: _Key) -> int:
        """The key's watermark at its latest system time, with no new item."""
        if self.clock == SYSTEM:
            return max(key.wm, key.sys_now)
        return key.base + (key.sys_now - key.sys_max)

    def _watermark_after(self, key: _Key, t: int) -> int:
        """The key's watermark once item time `t` has been seen (Bytewax's EventClock)."""
        wm = self._current_watermark(key)
        if self.clock == SYSTEM:
            return wm
        candidate = t - self.wait
        if candidate > wm and candidate >= MIN_US:
            key.base = candidate
            key.sys_max = key.sys_now
            return candidate
        return wm

    def _late(self, i: int, t: int) -> None:
        ids = [LATE_SESSION_ID] if self.kind == SESSION else self._intersecting(t)
        for wid in ids:
            self.ev.late_items.append(i)
            self.ev.late_wids.append(wid)

    def _intersecting(self, t: int) -> range:
        since = t - self.align
        return range((since - self.length) // self.offset + 1, since // self.offset + 1)

    def _flush(self, slot: int, wm: int, *, at_eof: bool = False) -> None:
        """Insert the items the watermark has reached, then close what it has passed."""
        key = self.keys[slot]
        if self.ordered and not at_eof:
            due = [e for e in key.queue if e[0] <= wm]
            key.queue = [e for e in key.queue if e[0] > wm]
            due.sort(key=lambda e: e[0])  # stable: equal times keep arrival order
        else:
            due, key.queue = key.queue, []
            if self.ordered:
                due.sort(key=lambda e: e[0])
        ev = self.ev
        first_merge = len(ev.merge_from)
        for t, seq in due:
            if self.kind == SESSION:
                joined = [self._open_session(slot, key, t)]
            else:
                joined = self._open_sliding(key, t)
            for wid, h in joined:
                self.counts[h] += 1
                if self.record_inserts:
                    ev.ins_seqs.append(seq)
                    ev.ins_handles.append(h)
                    ev.ins_wids.append(wid)
        # As in Bytewax, merged windows combine after this flush's items went in.
        for j in range(first_merge, len(ev.merge_from)):
            self.counts[ev.merge_into[j]] += self.counts[ev.merge_from[j]]
        self._close(slot, key, wm, at_eof)
        self._set_wake(key)

    def _open_sliding(self, key: _Key, t: int) -> list[tuple[int, int]]:
        joined = []
        for wid in self._intersecting(t):
            win = key.windows.get(wid)
            if win is None:
                opens = self.align + wid * self.offset
                win = key.windows[wid] = [opens, opens + self.length, self._new_handle()]
            joined.append((wid, win[2]))
        return joined

    def _open_session(self, slot: int, key: _Key, t: int) -> tuple[int, int]:
        """Bytewax's session rule: join the first session `t` is in or within `gap` of."""
        for wid, win in key.windows.items():
            opens, closes, handle = win
            if opens <= t <= closes:
                return wid, handle
            if 0 < opens - t <= self.gap:
                win[0] = t
                self._merge_sessions(slot, key)
                return wid, handle
            if 0 < t - closes <= self.gap:
                win[1] = t
                self._merge_sessions(slot, key)
                return wid, handle
        key.max_id += 1
        key.windows[key.max_id] = [t, t, self._new_handle()]
        return key.max_id, key.windows[key.max_id][2]

    def _merge_sessions(self, slot: int, key: _Key) -> None:
        """Merge sessions now within `gap` of each other into the earliest-opening one."""
        if len(key.windows) < 2:
            return
        ev = self.ev
        by_open = sorted(key.windows.items(), key=lambda kv: kv[1][0])
        last_wid, last = by_open[0]
        for wid, win in by_open[1:]:
            if win[0] - last[1] <= self.gap:
                last[1] = max(last[1], win[1])
                ev.merge_slots.append(slot)
                ev.merge_from.append(win[2])
                ev.merge_wids.append(wid)
                ev.merge_into.append(last[2])
                ev.merge_into_wids.append(last_wid)
                self.released.append(win[2])
                del key.windows[wid]
            else:
                last_wid, last = wid, win

    def _close(self, slot: int, key: _Key, wm: int, at_eof: bool) -> None:
        if at_eof:
            closing = list(key.windows)
        elif self.kind == SESSION:
            closing = [w for w, win in key.windows.items() if win[1] < wm - self.gap]
        else:
            closing = [w for w, win in key.windows.items() if win[1] <= wm]
        ev = self.ev
        for wid in closing:
            opens, closes, handle = key.windows.pop(wid)
            ev.closed_slots.append(slot)
            ev.closed_handles.append(handle)
            ev.closed_wids.append(wid)
            ev.closed_opens.append(opens)
            ev.closed_closes.append(closes)
            ev.closed_counts.append(self.counts[handle])
            self.released.append(handle)

    def _new_handle(self) -> int:
        if self.free:
            handle = self.free.pop()
            self.counts[handle] = 0
            return handle
        self.counts.append(0)
        return len(self.counts) - 1

    # --- waking idle keys ------------------------------------------------

    def _set_wake(self, key: _Key) -> None:
        """When system time alone will make this key's watermark reach something due."""
        targets = []
        if key.windows:
            if self.kind == SESSION:
                targets.append(min(w[1] for w in key.windows.values()) + self.gap + 1)
            else:
                targets.append(min(w[1] for w in key.windows.values()))
        if key.queue:
            targets.append(min(t for t, _ in key.queue))
        if not targets:
            key.wake = None
            return
        target = min(targets)
        key.wake = target if self.clock == SYSTEM else key.sys_max + (target - key.base)
        if self.soonest is None or key.wake < self.soonest:
            self.soonest = key.wake

    def _notify_due(self, now: int) -> None:
        if self.soonest is None or now < self.soonest:
            return
        self.soonest = None
        for slot, key in enumerate(self.keys):
            if key.wake is None:
                continue
            if key.wake <= now:
                key.sys_now = max(key.sys_now, now)
                key.wm = self._current_watermark(key)
                self._flush(slot, key.wm)
            elif self.soonest is None or key.wake < self.soonest:
                self.soonest = key.wake
