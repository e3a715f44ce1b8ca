"""Running a learner's `build_flow` on the grader's events: N sources, M sinks, a frozen clock.

A `FlowContract` says how an exercise calls the learner's flow: what each event
becomes as an input item, into which source it goes, how many sinks the flow
writes to, and the wait of its clock. `run_flow` runs the flow through the runner
process with the probe `probes.run_timed_flow` (the flow's clock held still,
so that lateness depends on event time alone, the same on every machine) and
returns what each sink received. `judge_flow` runs it and judges the sinks; when
the answer is wrong and the flow's clock is not the one the contract names
(a `SystemClock`, or an `EventClock` with another wait), the failure says so
first, in those words: the grader can see the clock the flow was built with.

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

from learnstream.grading.failures import ANSWER_KINDS, CheckFailed, FailureKind
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
    `clock` names the clock the exercise needs (e.g. "EventClock on
    reading['ts']"), which then waits `wait`; "" when any clock will do.
    """

    nouns: tuple[str, ...]
    make_item: Callable[[Event], Any]
    wait: int
    sinks: int = 1
    source_of: Callable[[Event], int] = _first_source
    clock: str = ""

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
    outputs, _ = _run(session, contract, events)
    return outputs


def judge_flow(
    session: Session,
    contract: FlowContract,
    events: Sequence[Event],
    judge: Callable[[list[list[Any]]], None],
) -> None:
    """Run the learner's flow on `events`; `judge` what its sinks received.

    A wrong answer from a flow whose clock is not the contract's becomes a
    failure that says which clock it has and which it needs (the kind
    WRONG_TIMING), the wrong answer itself kept as the evidence.
    """
    outputs, clocks = _run(session, contract, events)
    try:
        judge(outputs)
    except CheckFailed as failure:
        trouble = clock_trouble(contract, clocks) if failure.kind in ANSWER_KINDS else None
        if trouble is None:
            raise
        evidence = f"{failure.message}\n{failure.details}".strip()
        raise CheckFailed(trouble, evidence, kind=FailureKind.WRONG_TIMING) from None


def _seconds(seconds: float) -> str:
    return f"{seconds:g} s"


def clock_trouble(contract: FlowContract, clocks: list[dict[str, Any]]) -> str | None:
    """What is wrong with the flow's clocks for this contract, in a sentence (None: nothing).

    >>> contract = FlowContract(("reading",), str, 10 * 10**6, clock="EventClock on reading['ts']")
    >>> clock_trouble(contract, [{"step": "t.c", "clock": "SystemClock", "wait": None}])
    "your flow's clock is SystemClock (step 't.c'); this exercise needs EventClock on reading['ts']"
    >>> clock_trouble(contract, [{"step": "t.c", "clock": "EventClock", "wait": 0.0}])
    "your flow's EventClock (step 't.c') waits 0 s; this exercise needs EventClock on reading['ts'] waiting 10 s (wait_for_system_duration=WAIT)"
    """
    if not contract.clock:
        return None
    wait = contract.wait / 1_000_000
    for clock in clocks:
        if clock["clock"] != "EventClock":
            return (
                f"your flow's clock is {clock['clock']} (step {clock['step']!r}); "
                f"this exercise needs {contract.clock}"
            )
        if clock["wait"] != wait:
            return (
                f"your flow's EventClock (step {clock['step']!r}) waits "
                f"{_seconds(clock['wait'])}; this exercise needs {contract.clock} waiting "
                f"{_seconds(wait)} (wait_for_system_duration=WAIT)"
            )
    return None


def _run(
    session: Session, contract: FlowContract, events: Sequence[Event]
) -> tuple[list[list[Any]], list[dict[str, Any]]]:
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
    return report["outputs"], report.get("clocks", [])
