"""`map` and `filter` as stages of a chain, and the plan-time fusion of neighbouring ones.

`map` and `filter` are each built on a `flat_map_batch` core step whose batch
function is a `PerItem`: it says what happens to one item (`MAP` or `FILTER`
with the learner's function) and which step to blame when it fails. Before a
run, `fuse` looks for `PerItem` steps that feed only one another (`map` then
`filter`, `filter_value` then `map_value`, ...) and runs each such run of steps
as one `ChainStep`: each item goes through every stage before the next item
(in C, or the twin's loop), and nothing is built in between.

The flow itself is untouched: the same step ids, the same graph for `visualize`
and `inspect`. Outputs are those of the unfused plan, and so are errors: a failure
in a later stage is reported only once the earlier stages have run over the rest
of the batch, as they would have, unfused, before the later stage began. What
differs is only the order of the calls: item by item instead of step by step.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from learnstream.engine import backend
from learnstream.errors import StepError, short_repr, user_function_error, wrong_return_type

if TYPE_CHECKING:
    from learnstream.dataflow import CoreStep


class PerItem:
    """The batch function of a `map` (`MAP`) or `filter` (`FILTER`) step: `fn` on each item.

    `step_id` and `operator` are what an error names: the call the learner wrote.
    """

    def __init__(self, step_id: str, operator: str, kind: int, fn: Callable[[Any], Any]) -> None:
        self.step_id = step_id
        self.operator = operator
        self.kind = kind
        self.fn = fn

    def __call__(self, items: list[Any]) -> list[Any]:
        return run_stages([self], items)

    def error(self, item: Any, what: Any, raised: bool) -> BaseException:
        """The error for `fn` failing on `item` (`what`: the exception, or a non-bool answer)."""
        if raised:
            if not isinstance(what, Exception):  # KeyboardInterrupt, SystemExit: not ours
                return what
            err: StepError = user_function_error(self.step_id, self.operator, self.fn, item, what)
            err.__cause__ = what
            return err
        err = StepError(
            self.step_id,
            self.operator,
            item,
            f"predicate returned {short_repr(what)}, not a bool",
            "make the predicate return True or False (e.g. `lambda x: x > 0`)",
        )
        err.__cause__ = wrong_return_type("predicate", self.fn, self.step_id, "bool", what)
        return err


def run_stages(stages: list[PerItem], items: list[Any]) -> list[Any]:
    """Take every item through the stages in one pass; raise what the unfused steps would."""
    fns = tuple(stage.fn for stage in stages)
    kinds = bytes(stage.kind for stage in stages)
    out, failure = backend.chain.run_chain(items, fns, kinds)
    if failure is None:
        return out
    if failure.stage < 0:
        raise failure.what
    failed = stages[failure.stage]
    if isinstance(failure.what, Exception) or not failure.raised:
        # Unfused, each earlier stage would have run over the whole batch first:
        # let them meet the rest of it, so theirs is the error if they fail too.
        rest = items[failure.index + 1 :]
        for stage in stages[: failure.stage]:
            rest = run_stages([stage], rest)
    raise failed.error(failure.item, failure.what, failure.raised)


class ChainStep:
    """Runs a run of `map`/`filter` steps (one or more) as one pass per batch."""

    def __init__(self, stages: list[PerItem]) -> None:
        self.stages = stages

    def process(self, inputs: list[list[Any]], now: datetime) -> list[list[Any]]:
        (items,) = inputs
        return [run_stages(self.stages, items) if items else []]

    def eof(self, now: datetime) -> list[list[Any]]:
        return [[]]


def _per_item(step: CoreStep, runtime: Any) -> PerItem | None:
    mapper = getattr(runtime, "mapper", None)
    if step.operator == "flat_map_batch" and isinstance(mapper, PerItem):
        return mapper
    return None


def fuse(steps: list[CoreStep], runtimes: list[Any]) -> tuple[list[CoreStep], list[Any]]:
    """The plan with each run of `map`/`filter` steps feeding only one another as one step.

    A step joins the chain before it when its only input is the chain's output
    and nothing else reads that stream. The fused step takes the place of the
    chain's first step (every later member only ever read from the chain, so
    nothing in between depends on it) and produces the last member's output.
    """
    readers = Counter(stream for step in steps for stream in step.inputs)
    plan: list[CoreStep] = []
    plan_runtimes: list[Any] = []
    chain_at: dict[str, int] = {}  # a chain's output stream -> its place in the plan
    for step, runtime in zip(steps, runtimes, strict=True):
        stage = _per_item(step, runtime)
        if stage is None:
            plan.append(step)
            plan_runtimes.append(runtime)
            continue
        (upstream,) = step.inputs
        at = chain_at.pop(upstream, None)
        if at is not None and readers[upstream] == 1:
            plan_runtimes[at].stages.append(stage)
            plan[at] = replace(plan[at], outputs=step.outputs)
        else:
            at = len(plan)
            plan.append(step)
            plan_runtimes.append(ChainStep([stage]))
        chain_at[step.outputs[0]] = at
    return plan, plan_runtimes
