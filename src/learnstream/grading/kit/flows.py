"""Running a learner's `build_flow` on the grader's events: N sources, M sinks, a frozen clock.

A `FlowContract` says how an exercise calls the learner's flow: what each event
becomes as an input item, into which source it goes, how many sinks the flow
writes to, and the wait of its clock. `run_flow` runs the flow in the child
process with the probe `probes.run_timed_flow` (the flow's clock held still,
so that lateness depends on event time alone, the same on every machine) and
returns what each sink received.

>>> from learnstream.grading.kit.eventtime import SECOND
>>> contract = FlowContract(("reading",), lambda e: e.value, wait=10 * SECOND, sinks=2)
>>> contract.call([[1, 2]])
'build_flow(...) run on 2 readings'
>>> from learnstream.grading.kit.eventtime import fixed
>>> shop = FlowContract(("order", "payment"), lambda e: e.value, wait=0,
...                     source_of=lambda e: 1 if e.key == "pay-0" else 0)
>>> inputs = shop.inputs(fixed("order", [(0, 0, "o1")]) + fixed("pay", [(0, 5, "p1"), (0, 6, "p2")]))
>>> inputs, shop.call(inputs)
([['o1'], ['p1', 'p2']], 'build_flow(...) run on 1 order and 2 payments')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from learnstream.grading.failures import CheckFailed, FailureKind
from learnstream.grading.kit.eventtime import Event
from learnstream.grading.kit.session import Session
from learnstream.wording import a_or_an, plural

_PROBE = "learnstream.grading.probes:run_timed_flow"


def _first_source(event: Event) -> int:
    return 0


@dataclass(frozen=True)
class FlowContract:
    """How one exercise's `build_flow(source, ..., sink, ...)` is called.

    `nouns` names the items of each source (one noun per source, singular);
    `make_item` turns an event into the item its source yields, and
    `source_of` picks that source (by arrival order, items keep the order of
    the events). The flow is called with its sources first, then `sinks` sinks.
    """

    nouns: tuple[str, ...]
    make_item: Callable[[Event], Any]
    wait: int
    sinks: int = 1
    source_of: Callable[[Event], int] = _first_source

    def inputs(self, events: Sequence[Event]) -> list[list[Any]]:
        """Each source's items, in arrival order."""
        inputs: list[list[Any]] = [[] for _ in self.nouns]
        for event in events:
            inputs[self.source_of(event)].append(self.make_item(event))
        return inputs

    def call(self, inputs: Sequence[Sequence[Any]]) -> str:
        """What the learner's code was asked to do, for messages."""
        counts = [plural(len(items), noun) for items, noun in zip(inputs, self.nouns, strict=True)]
        return f"build_flow(...) run on {' and '.join(counts)}"


def run_flow(session: Session, contract: FlowContract, events: Sequence[Event]) -> list[list[Any]]:
    """What each sink of the learner's flow received from `events` (one list per sink)."""
    inputs = contract.inputs(events)
    report = session.probe(
        _PROBE, contract.call(inputs), fn="build_flow", sources=inputs, sinks=contract.sinks
    )
    if "outputs" not in report:
        raise CheckFailed(
            f"build_flow returned {a_or_an(report['type'])}, not a Dataflow; end it with "
            "`return flow`",
            kind=FailureKind.WRONG_SHAPE,
        )
    outputs: list[list[Any]] = report["outputs"]
    return outputs
