"""Probes for joins: a flow fed by several sources in one arrival order, and a counted lookup.

A join's answer depends on the order in which its sides' items meet, and the
engine reads its sources side by side, a batch of each per tick. To judge a
learner's join against a model, `run_scripted_flow` makes the arrival order the
grader's: a *script* of `(source, item)` pairs is played one item per tick,
whichever source it belongs to. The flow's clock is frozen (as in
`probes.run_timed_flow`), and the run reports what each sink had received once
every item was in but before the input ended (`live`: what a flow on a stream
that never ends would have written) and at the end (`outputs`).

>>> import types
>>> import learnstream.operators as op
>>> from learnstream.grading.runner import LocalRunner
>>> from learnstream.dataflow import Dataflow
>>> def build(left, right, out):
...     flow = Dataflow("eg")
...     sides = (op.input("l", flow, left), op.input("r", flow, right))
...     op.output("out", op.join("j", *sides, emit_mode="final"), out)
...     return flow
>>> script = [(1, ("k", "pay")), (0, ("k", "order")), (0, ("x", "order"))]
>>> runner = LocalRunner(types.SimpleNamespace(build=build))
>>> report = run_scripted_flow(runner, "build", "build", script, sources=2)
>>> report["live"], report["outputs"], report["written_after"]
([[]], [[('k', ('order', 'pay')), ('x', ('order', None))]], [[None, None]])
>>> def enrich(source, out, lookup):
...     flow = Dataflow("eg")
...     looked = op.map("look", op.input("inp", flow, source), lambda k: (k, lookup(k)))
...     op.output("out", looked, out)
...     return flow
>>> runner = LocalRunner(types.SimpleNamespace(enrich=enrich))
>>> report = run_scripted_flow(runner, "enrich", "enrich", [(0, "a"), (0, "a")], table={"a": 1})
>>> report["outputs"], report["calls"], report["asked"]
([[('a', 1), ('a', 1)]], {'a': 2}, [('a', 0, 0), ('a', 1, 1)])
"""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any

from learnstream.grading.runner import Callback, Runner, Sink, Source


class _Script:
    """The items of every source in arrival order, played one per tick.

    Each tick the engine polls every partition it built once, in a fixed
    order; a *round* of that many polls is a tick, and only the partition whose
    item is next is given it, once per round. Items of a source the flow never
    read are skipped (the flow's answer is wrong anyway, and must not hang).
    """

    def __init__(
        self, script: list[tuple[int, Any]], outputs: list[list[Any]], per_tick: int = 1
    ) -> None:
        self.script = script
        self.per_tick = per_tick
        self.pos = 0
        self.built: set[int] = set()
        self.polls = 0
        self.served_round = -1
        self.outputs = outputs
        self.live: list[list[Any]] | None = None
        #: Per batch served: the script position of its last item, and each sink's length then.
        self.served: list[tuple[int, list[int]]] = []

    def poll(self, source: int) -> list[Any]:
        self.polls += 1
        round_ = (self.polls - 1) // max(1, len(self.built))
        while self.pos < len(self.script) and self.script[self.pos][0] not in self.built:
            self.pos += 1
        if self.pos >= len(self.script):
            if self.served_round == round_:  # the last item has not gone through the flow yet
                return []
            if self.live is None:  # every item is in, the input has not ended yet
                self.live = [list(out) for out in self.outputs]
            raise StopIteration
        if self.served_round == round_ or self.script[self.pos][0] != source:
            return []
        self.served_round = round_
        before = [len(out) for out in self.outputs]
        batch: list[Any] = []
        while (
            len(batch) < self.per_tick
            and self.pos < len(self.script)
            and self.script[self.pos][0] == source
        ):
            batch.append(self.script[self.pos][1])
            self.pos += 1
        self.served.append((self.pos - 1, before))
        return batch

    def batch(self) -> tuple[int, int]:
        """The script positions of the first and last item of the batch served last
        ((0, -1) before any)."""
        if not self.served:
            return (0, -1)
        first = self.served[-2][0] + 1 if len(self.served) > 1 else 0
        return (first, self.served[-1][0])

    def written_after(self) -> list[list[int | None]]:
        """Per sink, per item written: the script position of the last item in before it was
        written (-1: none yet), or None for an item written after the input ended."""
        live = self.live if self.live is not None else self.outputs
        out: list[list[int | None]] = []
        for sink, items in enumerate(self.outputs):
            after: list[int | None] = []
            for index in range(len(items)):
                if index >= len(live[sink]):
                    after.append(None)
                    continue
                served = [pos for pos, before in self.served if before[sink] <= index]
                after.append(served[-1] if served else -1)
            out.append(after)
        return out


def run_scripted_flow(
    runner: Runner,
    what: str,
    fn: str,
    script: list[tuple[int, Any]],
    sources: int = 1,
    sinks: int = 1,
    table: dict[str, Any] | None = None,
    per_tick: int = 1,
    tick_seconds: float = 0.0,
) -> dict[str, Any]:
    """Build `fn(source_0, ..., sink_0, ...[, lookup])`, play `script`, report the sinks.

    Every source is polled here and every sink's writes come here as they are
    made, so the arrival order and the outputs seen "live" are the grader's own
    observations. With a `table`, the flow gets a last argument `lookup(key)`
    returning `table.get(key)` (a copy), and the report counts its calls per key
    (`calls`) and lists them in order (`asked`: the key, and the script positions
    of the first and last item of the batch the flow had been given last).
    Up to `per_tick` consecutive items of one source arrive in one batch; the
    flow's clock stands still unless `tick_seconds` moves it that much per item
    its sources gave (a cache with a time to live then expires as on a live
    stream). The report names the flow's clocks (`clocks`), and when each item
    of each sink was written (`written_after`: the script position of the last item
    in by then, None once the input had ended).
    """
    sinks_made = [Sink() for _ in range(sinks)]
    outputs = [sink.items for sink in sinks_made]
    played = _Script([(int(s), item) for s, item in script], outputs, per_tick)
    calls: Counter[str] = Counter()
    asked: list[tuple[str, int, int]] = []
    extra: list[Any] = []
    if table is not None:

        def lookup(key: str) -> Any:
            calls[key] += 1
            asked.append((key, *played.batch()))
            found = table.get(key)
            return None if found is None else (dict(found) if isinstance(found, dict) else found)

        extra.append(Callback(lookup))
    sources_made = [
        Source(functools.partial(played.poll, n), functools.partial(played.built.add, n))
        for n in range(sources)
    ]
    handle = runner.start(what, fn, [*sources_made, *sinks_made, *extra])
    report: dict[str, Any] = {"type": handle.type}
    if handle.flow:
        runner.run_flow(what, handle, frozen=True, tick=tick_seconds)
        report["outputs"] = outputs
        report["live"] = played.live if played.live is not None else [list(o) for o in outputs]
        report["calls"] = dict(calls)
        report["asked"] = asked
        report["clocks"] = handle.clocks
        report["written_after"] = played.written_after()
    return report
