"""The learner's own run of a join, drawn item by item beside the expected run.

A join's answer depends on when its sides' items meet, so the picture of a
failing key is its items in arrival order, one line each, with event time
across (a strip on which each item is a dot where its time falls, and a
deadline or window edge a dotted line), and under each arrival the rows written
right after it: the expected run's and the learner's (the grader's probe
records after which arrival each sink item was written,
`probes_joins.run_scripted_flow`'s `written_after`). The rows written only when
the input ended come last. An item of another key after which a row was
written (it moved the clock) is drawn as ○.

>>> from learnstream.grading.kit.eventtime import SECOND
>>> events = [Event(0, "o-1", 0, "order"), Event(1, "o-1", 6 * SECOND, "payment")]
>>> print(join_run(events, "o-1", [Written("o-1 paid", 1)], [Written("o-1 paid", None)],
...                describe=lambda e: e.value, marks={"deadline": 3 * SECOND}))
your flow's run for 'o-1', item by item (event time across):
rows written after each arrival: ✓ as expected, ✗ not expected then
        00:00:00    00:00:06    ┊ deadline 00:00:03
        ┬──────────────────┬
  #1    ●         ┊           00:00:00  order
  #2              ┊        ●  00:00:06  payment
           expected  o-1 paid
  end of input
         ✗ yours     o-1 paid
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from learnstream.grading.kit.eventtime import Event, clock

_STRIP = 20
#: At most this many arrivals are drawn, the first ones (a line says how many more there were).
_MAX_ARRIVALS = 16
#: At most this many of the learner's rows are drawn under one arrival.
_MAX_ROWS = 4


@dataclass(frozen=True)
class Written:
    """A row of a run: its text, and the arrival number `after` which it was written
    (None: when the input ended). An expected row lists the `alternatives` a right
    flow may write instead (any of them is as expected)."""

    text: str
    after: int | None
    alternatives: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        """Whether a row written as `text` is this row (or one of its alternatives).

        >>> Written("a or b", 1, ("a", "b")).matches("b"), Written("a", 1).matches("b")
        (True, False)
        """
        return text == self.text or text in self.alternatives


def join_run(
    events: Sequence[Event],
    key: str,
    expected: Sequence[Written],
    yours: Sequence[Written],
    describe: Callable[[Event], str],
    *,
    note: Callable[[Event], str] | None = None,
    marks: Mapping[str, int] | None = None,
) -> str:
    """The picture of `key`'s run (see the module's example).

    `events` are every event in arrival order (`Event.n` its arrival number);
    `expected` and `yours` the rows of `key`; `describe` says what an item is,
    `note` adds words after it (the clock it moved, its lateness), and `marks`
    names times drawn across every line (a deadline, a window's edges).
    """
    marks = dict(marks or {})
    after = {row.after for row in [*expected, *yours] if row.after is not None}
    drawn = [e for e in events if e.key == key or e.n in after]
    shown = drawn[:_MAX_ARRIVALS]
    times = [e.t for e in shown] + list(marks.values())
    lo, hi = (min(times), max(times)) if times else (0, 0)

    def column(t: int) -> int:
        return 0 if hi == lo else round((t - lo) * (_STRIP - 1) / (hi - lo))

    left, right = clock(lo), clock(hi)
    said = ", ".join(f"{name} {clock(t)}" for name, t in marks.items())
    lines = [
        f"your flow's run for {key!r}, item by item (event time across):",
        "rows written after each arrival: ✓ as expected, ✗ not expected then",
        " " * 8
        + left
        + right.rjust(max(1, _STRIP - len(left)))
        + (f"    ┊ {said}" if said else ""),
        " " * 8 + "┬" + "─" * (_STRIP - 2) + "┬",
    ]
    for event in shown:
        strip = [" "] * _STRIP
        for t in marks.values():
            strip[column(t)] = "┊"
        strip[column(event.t)] = "●" if event.key == key else "○"
        words = describe(event) + (note(event) if note is not None else "")
        lines.append(f"  #{event.n + 1:<4} {''.join(strip)}  {clock(event.t)}  {words}")
        lines += _rows_after(event.n, expected, yours)
    if len(drawn) > len(shown):
        lines.append(f"  ... ({len(drawn) - len(shown)} later arrivals of {key!r} not drawn)")
    lines.append("  end of input")
    lines += _rows_after(None, expected, yours)
    return "\n".join(lines)


def _rows_after(
    arrival: int | None, expected: Sequence[Written], yours: Sequence[Written]
) -> list[str]:
    """The lines of the rows written right after `arrival`: both runs', then each run's own."""
    want = [row for row in expected if row.after == arrival]
    have = [row for row in yours if row.after == arrival]
    lines = []
    for row in have[:_MAX_ROWS]:
        same = next((w for w in want if w.matches(row.text)), None)
        if same is not None:
            want.remove(same)
            lines.append(f"         ✓ both      {row.text}")
        else:
            lines.append(f"         ✗ yours     {row.text}")
    if len(have) > _MAX_ROWS:
        lines.append(f"         ✗ yours     ... and {len(have) - _MAX_ROWS} more rows")
    return [f"           expected  {row.text}" for row in want] + lines
