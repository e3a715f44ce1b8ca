"""Event time in plain Python: the readable twin of the C window core (`csrc/windows.c`).

A windowing step hands this core whole batches of numbers and gets numbers
back; the learner's values never come here. Times are int64 **microseconds
since the Unix epoch**; keys are the slots a `KeyTable` gave them.

The core keeps, per key, a `Key`: the key's clock, its open `Window`s and (in
ordered mode) the on-time items still waiting for the watermark. It decides, as
Bytewax 0.21 does:

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

One deliberate difference from Bytewax: a key keeps its watermark after its
windows close, so a late item can never re-open a window that was already
emitted.

Read `WindowCore` from the top: it is written in terms of keys and windows.
What the caller gets back is `WindowEvents`, parallel lists of numbers, because
that is what the C core can hand over cheaply: each window is named by a
*handle*, a small integer reused once the window is gone, which the caller uses
to index its own list of accumulators. Turning the decisions into those numbers
is the job of `_Events`, at the end of the file, and nothing else.

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

from learnstream.engine.constants import (
    EVENT,
    LATE_SESSION_ID,
    MAX_SPAN,
    MAX_US,
    MIN_US,
    SESSION,
    SLIDING,
    SYSTEM,
)
from learnstream.engine.snapshots import Reader, pack

__all__ = [
    "EVENT",
    "LATE_SESSION_ID",
    "MAX_SPAN",
    "MAX_US",
    "MIN_US",
    "SESSION",
    "SLIDING",
    "SYSTEM",
    "WindowCore",
    "WindowEvents",
    "check_times",
    "checked_config",
]


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


# --- the model: a key, its clock and its windows ------------------------------


@dataclass(eq=False)
class Window:
    """One open window of one key.

    A sliding window covers `[opens, closes)`; a session runs from its first item
    (`opens`) to its last (`closes`), both included. `count` is how many items
    joined it (the values themselves stay with the caller).
    """

    wid: int
    opens: int
    closes: int
    count: int = 0


@dataclass(eq=False)
class Key:
    """One key: its clock, its open windows, and the items waiting for its watermark.

    The clock is Bytewax's `EventClock`: `base` is the largest event time seen
    minus the wait, and the watermark is `base` plus the system time that has
    passed since `base` last moved (`base_at`), so an idle key's windows still
    close. `now` is the latest system time the key has seen.
    """

    base_at: int
    now: int
    base: int = MIN_US
    watermark: int = MIN_US  # after the last item or notify
    windows: dict[int, Window] = field(default_factory=dict)  # by id, in opening order
    waiting: list[tuple[int, int]] = field(default_factory=list)  # (time, item number)
    last_session: int = LATE_SESSION_ID  # sessions are numbered 0, 1, 2... per key
    wake: int | None = None  # system time at which a window or waiting item is due


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
        self.keys: list[Key] = []  # by slot
        self.seq = 0  # number of the next item
        self.soonest: int | None = None  # no key wakes before this system time
        self.out = _Events(record_inserts)

    # --- the three calls -------------------------------------------------

    def process(self, slots: Sequence[int], ts: Sequence[int] | None, now: int) -> WindowEvents:
        """Take one batch: `slots[i]` is item i's key, `ts[i]` its event time (None for SYSTEM)."""
        check_times(ts, now)
        if slots and min(slots) < 0:
            raise ValueError("slots must not be negative")
        out = self.out.begin()
        first_seq = self.seq
        self.seq += len(slots)
        touched: dict[int, Key] = {}  # keys of this batch, in order of first appearance
        for i, slot in enumerate(slots):
            key = touched.get(slot)
            if key is None:
                key = touched[slot] = self._key(slot, now)
                key.now = max(key.now, now)  # system time never goes back
            t = now if ts is None else ts[i]
            key.watermark = self._watermark_after(key, t)
            if t < key.watermark:
                self._late(i, t)
            else:
                key.waiting.append((t, first_seq + i))
        for slot, key in touched.items():
            self._flush(slot, key, key.watermark)
        for key in touched.values():
            out.held.extend(seq for _, seq in key.waiting if seq >= first_seq)
        self._wake_due(now)
        return out

    def notify(self, now: int) -> WindowEvents:
        """Let system time pass with no items: close whatever the watermarks now pass."""
        check_times(None, now)
        out = self.out.begin()
        self._wake_due(now)
        return out

    def eof(self, order: Sequence[int]) -> WindowEvents:
        """The input ended: insert every waiting item and close every window, keys in `order`."""
        out = self.out.begin()
        for slot in order:
            if 0 <= slot < len(self.keys):
                self._flush(slot, self.keys[slot], MAX_US, at_eof=True)
        return out

    def next_wake(self) -> int | None:
        """The earliest system time at which some key has a window to close."""
        wakes = [k.wake for k in self.keys if k.wake is not None]
        return min(wakes) if wakes else None

    def watermark(self, slot: int) -> int:
        """The watermark of key `slot` after the last call (`MIN_US` for a key not seen)."""
        return self.keys[slot].watermark if 0 <= slot < len(self.keys) else MIN_US

    # --- snapshots (recovery) ---------------------------------------------------

    def export_state(self) -> bytes:
        """Everything the core holds between calls, as int64s: the C core's format too.

        Read `csrc/windows.c`'s snapshot comment for the layout; a time that is not
        set (a key with nothing due, no `soonest`) is written as 0.
        """
        out = self.out
        ints = [_SNAPSHOT_FORMAT, len(self.keys), out.handles_made, len(out.free)]
        ints += [len(out.released), self.seq, self.soonest is not None, self.soonest or 0]
        ints += out.free + out.released
        for key in self.keys:
            ints += [key.base, key.base_at, key.now, key.watermark, key.wake is not None]
            ints += [key.wake or 0, key.last_session, len(key.windows), len(key.waiting)]
            for w in key.windows.values():
                ints += [w.wid, w.opens, w.closes, out.handle[w], w.count]
            for t, seq in key.waiting:
                ints += [t, seq]
        return pack(ints)

    def import_state(self, state: bytes) -> None:
        """Load what `export_state` gave (on either backend) into this fresh core."""
        if self.keys or self.seq or self.out.handles_made:
            raise ValueError(_NOT_A_SNAPSHOT)
        read = Reader(state, _NOT_A_SNAPSHOT)
        fmt, nkeys, handles, nfree, nreleased, seq, has_soonest, soonest = read(8)
        read.check(fmt == _SNAPSHOT_FORMAT and nkeys >= 0 and handles >= 0)
        out = self.out
        out.free, out.released = read.ids(nfree, handles), read.ids(nreleased, handles)
        out.handles_made = handles
        for _ in range(nkeys):
            base, base_at, now, wm, has_wake, wake, last, nwins, nwaiting = read(9)
            key = Key(base_at=base_at, now=now, base=base, watermark=wm, last_session=last)
            key.wake = wake if has_wake else None
            for _ in range(read.count(nwins)):
                wid, opens, closes, handle, count = read(5)
                read.check(0 <= handle < handles and count >= 0)
                window = key.windows[wid] = Window(wid, opens, closes, count)
                out.handle[window] = handle
            pairs = read(2 * read.count(nwaiting))
            key.waiting = list(zip(pairs[::2], pairs[1::2], strict=True))
            self.keys.append(key)
        read.end()
        self.seq = seq
        self.soonest = soonest if has_soonest else None

    # --- a key's clock -------------------------------------------------------

    def _key(self, slot: int, now: int) -> Key:
        while len(self.keys) <= slot:
            self.keys.append(Key(base_at=now, now=now))
        return self.keys[slot]

    def _current_watermark(self, key: Key) -> int:
        """The key's watermark at its latest system time, with no new item."""
        if self.clock == SYSTEM:
            return max(key.watermark, key.now)
        return key.base + (key.now - key.base_at)

    def _watermark_after(self, key: Key, t: int) -> int:
        """The key's watermark once item time `t` has been seen (Bytewax's EventClock)."""
        wm = self._current_watermark(key)
        if self.clock == SYSTEM:
            return wm
        candidate = t - self.wait
        if candidate > wm and candidate >= MIN_US:
            key.base = candidate
            key.base_at = key.now
            return candidate
        return wm

    # --- items into windows ----------------------------------------------------

    def _late(self, i: int, t: int) -> None:
        """Item `i` (time `t`) came after the watermark: report every window it misses."""
        ids = [LATE_SESSION_ID] if self.kind == SESSION else self._window_ids(t)
        for wid in ids:
            self.out.late(i, wid)

    def _window_ids(self, t: int) -> range:
        """The ids of the sliding windows `[align + i*offset, ... + length)` that hold `t`."""
        since = t - self.align
        return range((since - self.length) // self.offset + 1, since // self.offset + 1)

    def _flush(self, slot: int, key: Key, wm: int, *, at_eof: bool = False) -> None:
        """Put in the waiting items the watermark has reached, then close what it has passed."""
        if self.ordered and not at_eof:
            due = sorted((e for e in key.waiting if e[0] <= wm), key=_time)  # stable
            key.waiting = [e for e in key.waiting if e[0] > wm]
        else:
            due, key.waiting = key.waiting, []
            if self.ordered:
                due.sort(key=_time)
        for t, seq in due:
            if self.kind == SESSION:
                self._join_session(slot, key, t, seq)
            else:
                for wid in self._window_ids(t):
                    window = key.windows.get(wid)
                    if window is None:
                        opens = self.align + wid * self.offset
                        window = key.windows[wid] = self._open(wid, opens, opens + self.length)
                    self._insert(seq, window)
        self._close(slot, key, wm, at_eof)
        self._set_wake(key)

    def _open(self, wid: int, opens: int, closes: int) -> Window:
        window = Window(wid, opens, closes)
        self.out.opened(window)
        return window

    def _insert(self, seq: int, window: Window) -> None:
        window.count += 1
        self.out.inserted(seq, window)

    def _join_session(self, slot: int, key: Key, t: int, seq: int) -> None:
        """Bytewax's session rule: join the first session `t` is in or within `gap` of."""
        for window in key.windows.values():
            if window.opens <= t <= window.closes:
                self._insert(seq, window)
                return
            if 0 < window.opens - t <= self.gap or 0 < t - window.closes <= self.gap:
                window.opens = min(window.opens, t)
                window.closes = max(window.closes, t)
                self._insert(seq, window)
                self._merge_sessions(slot, key)  # it may now reach its neighbours
                return
        key.last_session += 1
        window = key.windows[key.last_session] = self._open(key.last_session, t, t)
        self._insert(seq, window)

    def _merge_sessions(self, slot: int, key: Key) -> None:
        """Merge sessions now within `gap` of each other into the earliest-opening one."""
        by_open = sorted(key.windows.values(), key=lambda w: w.opens)
        into = by_open[0]
        for window in by_open[1:]:
            if window.opens - into.closes <= self.gap:
                into.closes = max(into.closes, window.closes)
                into.count += window.count
                del key.windows[window.wid]
                self.out.merged(slot, window, into)
            else:
                into = window

    def _close(self, slot: int, key: Key, wm: int, at_eof: bool) -> None:
        if at_eof:
            closing = list(key.windows.values())
        elif self.kind == SESSION:
            closing = [w for w in key.windows.values() if w.closes < wm - self.gap]
        else:
            closing = [w for w in key.windows.values() if w.closes <= wm]
        for window in closing:
            del key.windows[window.wid]
            self.out.closed(slot, window)

    # --- waking idle keys ------------------------------------------------------

    def _set_wake(self, key: Key) -> None:
        """When system time alone will make this key's watermark reach something due."""
        targets = []
        if key.windows:
            ends = min(w.closes for w in key.windows.values())
            targets.append(ends + self.gap + 1 if self.kind == SESSION else ends)
        if key.waiting:
            targets.append(min(t for t, _ in key.waiting))
        if not targets:
            key.wake = None
            return
        target = min(targets)
        key.wake = target if self.clock == SYSTEM else key.base_at + (target - key.base)
        if self.soonest is None or key.wake < self.soonest:
            self.soonest = key.wake

    def _wake_due(self, now: int) -> None:
        """Flush every key whose wake time has come, by system time alone."""
        if self.soonest is None or now < self.soonest:
            return
        self.soonest = None
        for slot, key in enumerate(self.keys):
            if key.wake is None:
                continue
            if key.wake <= now:
                key.now = max(key.now, now)
                key.watermark = self._current_watermark(key)
                self._flush(slot, key, key.watermark)
            elif self.soonest is None or key.wake < self.soonest:
                self.soonest = key.wake


_SNAPSHOT_FORMAT = 2
_NOT_A_SNAPSHOT = "not a snapshot of this window core (damaged, or another step's)"


def _time(entry: tuple[int, int]) -> int:
    return entry[0]


# --- the numbers the caller gets ------------------------------------------------


class _Events:
    """The decisions of one call as `WindowEvents`, with each window named by a handle.

    A handle is a small integer the caller indexes its accumulators with. A new
    window takes the handle freed most recently (or the next new one); a window
    that closes or merges frees its handle for reuse from the next call on, so
    the caller can still read it during this one. The C core numbers windows the
    same way, which is what lets the agreement tests compare every event.
    """

    def __init__(self, record_inserts: bool) -> None:
        self.record_inserts = record_inserts
        self.handle: dict[Window, int] = {}
        self.handles_made = 0
        self.free: list[int] = []  # handles ready for reuse
        self.released: list[int] = []  # handles freed during the current call
        self.ev = WindowEvents()

    def begin(self) -> WindowEvents:
        """Start a call: last call's freed handles become reusable."""
        self.free.extend(self.released)
        self.released = []
        self.ev = WindowEvents()
        return self.ev

    def opened(self, window: Window) -> None:
        if self.free:
            self.handle[window] = self.free.pop()
        else:
            self.handle[window] = self.handles_made
            self.handles_made += 1

    def late(self, i: int, wid: int) -> None:
        self.ev.late_items.append(i)
        self.ev.late_wids.append(wid)

    def inserted(self, seq: int, window: Window) -> None:
        if self.record_inserts:
            self.ev.ins_seqs.append(seq)
            self.ev.ins_handles.append(self.handle[window])
            self.ev.ins_wids.append(window.wid)

    def merged(self, slot: int, window: Window, into: Window) -> None:
        ev = self.ev
        handle = self.handle.pop(window)
        ev.merge_slots.append(slot)
        ev.merge_from.append(handle)
        ev.merge_wids.append(window.wid)
        ev.merge_into.append(self.handle[into])
        ev.merge_into_wids.append(into.wid)
        self.released.append(handle)

    def closed(self, slot: int, window: Window) -> None:
        ev = self.ev
        handle = self.handle.pop(window)
        ev.closed_slots.append(slot)
        ev.closed_handles.append(handle)
        ev.closed_wids.append(window.wid)
        ev.closed_opens.append(window.opens)
        ev.closed_closes.append(window.closes)
        ev.closed_counts.append(window.count)
        self.released.append(handle)
