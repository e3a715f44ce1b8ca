"""The graph a learner builds: `Dataflow`, `Stream` and the `operator` decorator.

A dataflow is a list of *core steps* (the few operators the executor knows how to
run) plus a tree of *operator calls* that records how the learner's operators were
composed from those core steps. Step ids are namespaced as in Bytewax: the `map`
step "double" in flow "demo" is `demo.double`, and the core step it is built from
is `demo.double.flat_map_batch`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeAlias, TypeVar

from learnstream.errors import DataflowError

X_co = TypeVar("X_co", covariant=True)
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class OperatorCall:
    """One call of an operator, with the calls it made inside it (its substeps)."""

    name: str
    step_id: str
    core: bool
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    children: list[OperatorCall] = field(default_factory=list)


@dataclass
class CoreStep:
    """A step the executor runs: `runtime` builds the object that processes batches.

    `params` holds the operator's arguments that another engine needs to run the
    step its own way (the source of an `input`, the sink of an `output`...); see
    `learnstream.scaleout`.
    """

    step_id: str
    operator: str
    inputs: list[str]
    outputs: list[str]
    runtime: Callable[[], Any]
    params: dict[str, Any] = field(default_factory=dict)


class Stream(Generic[X_co]):
    """A handle on the items flowing out of one step; pass it to the next operator."""

    def __init__(self, stream_id: str, flow: Dataflow) -> None:
        self.stream_id = stream_id
        self.flow = flow

    def __repr__(self) -> str:
        return f"Stream({self.stream_id!r})"

    def then(self, op_fn: Callable[..., Any], step_id: str, *args: Any, **kwargs: Any) -> Any:
        """Chain an operator: `s.then(op.map, "double", f)` is `op.map("double", s, f)`.

        >>> import learnstream.operators as op
        >>> from learnstream.testing import TestingSource, run_main
        >>> flow = Dataflow("then_demo")
        >>> s = op.input("inp", flow, TestingSource([1, 2]))
        >>> _ = s.then(op.map, "double", lambda x: x * 2).then(op.inspect, "show")
        >>> run_main(flow)
        then_demo.show: 2
        then_demo.show: 4
        """
        return op_fn(step_id, self, *args, **kwargs)


KeyedStream: TypeAlias = Stream[tuple[str, X_co]]
"""A stream of `(key, value)` 2-tuples whose keys are `str`; stateful operators need one."""


class Dataflow:
    """A dataflow: the graph of steps from inputs to outputs.

    >>> flow = Dataflow("my_flow")
    >>> flow.flow_id
    'my_flow'
    """

    def __init__(self, flow_id: str) -> None:
        if not isinstance(flow_id, str) or not flow_id or "." in flow_id:
            raise DataflowError(
                f"Dataflow id must be a non-empty string without dots, got {flow_id!r}"
            )
        self.flow_id = flow_id
        self.steps: list[CoreStep] = []
        self.root = OperatorCall("Dataflow", flow_id, core=False)
        self._stack: list[OperatorCall] = [self.root]

    def __repr__(self) -> str:
        return f"Dataflow({self.flow_id!r})"

    @contextmanager
    def _enter(self, name: str, step_id: str, core: bool) -> Iterator[OperatorCall]:
        parent = self._stack[-1]
        if not isinstance(step_id, str) or not step_id or "." in step_id:
            raise DataflowError(
                f"step id for operator {name!r} must be a non-empty string without dots, "
                f"got {step_id!r}"
            )
        full_id = f"{parent.step_id}.{step_id}"
        if any(child.step_id == full_id for child in parent.children):
            raise DataflowError(
                f"duplicate step id {step_id!r} in {parent.step_id!r} (operator {name!r}): "
                "every step in the same scope needs its own id; rename one of them"
            )
        call = OperatorCall(name, full_id, core)
        parent.children.append(call)
        self._stack.append(call)
        try:
            yield call
        finally:
            self._stack.pop()

    def _add_core(
        self,
        call: OperatorCall,
        inputs: list[Stream[Any]],
        n_out: int,
        runtime: Callable[[], Any],
        out_names: tuple[str, ...] = ("down",),
        **params: Any,
    ) -> list[Stream[Any]]:
        outs = [Stream(f"{call.step_id}.{name}", self) for name in out_names[:n_out]]
        call.inputs = [s.stream_id for s in inputs]
        call.outputs = [s.stream_id for s in outs]
        self.steps.append(
            CoreStep(call.step_id, call.name, call.inputs, call.outputs, runtime, params)
        )
        return outs


def _flow_of(name: str, step_id: str, args: tuple[Any, ...]) -> Dataflow:
    flows = []
    for a in args:
        if isinstance(a, Dataflow):
            flows.append(a)
        elif isinstance(a, Stream):
            flows.append(a.flow)
        elif isinstance(a, list | tuple):
            flows.extend(x.flow for x in a if isinstance(x, Stream))
    if not flows:
        raise DataflowError(
            f"operator {name!r} (step {step_id!r}) needs a Dataflow or a Stream after the step "
            "id, e.g. op.map('double', stream, fn)"
        )
    first = flows[0]
    for other in flows[1:]:
        if other is not first:
            raise DataflowError(
                f"operator {name!r} (step {step_id!r}) was given a Stream from Dataflow "
                f"{other.flow_id!r} while building Dataflow {first.flow_id!r}: a stream can "
                "only feed steps of the flow it came from"
            )
    return first


def operator(fn: F | None = None, *, core: bool = False) -> Any:
    """Mark a function as an operator: it gets its own step-id scope.

    Operators call other operators inside them; those inner steps are named
    `outer_id.inner_id`, which is what error messages and `visualize` show.
    `functools.wraps` keeps the builder's name, docstring and (through
    `__wrapped__`) its signature for `help()` and `inspect.signature`.
    """

    def deco(builder: F) -> F:
        name = builder.__name__

        @functools.wraps(builder)
        def wrapper(step_id: str, *args: Any, **kwargs: Any) -> Any:
            flow = _flow_of(name, step_id, (*args, *kwargs.values()))
            with flow._enter(name, step_id, core):
                return builder(step_id, *args, **kwargs)

        wrapper._learnstream_operator = True  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return deco(fn) if fn is not None else deco


def current_call(flow: Dataflow) -> OperatorCall:
    """The operator call being built; core operators attach their step to it."""
    return flow._stack[-1]


def learner_call(flow: Dataflow) -> OperatorCall:
    """The call the learner wrote that is being built: the outermost one inside the flow.

    `op.reduce_final("r", ...)` builds `r.fold_final.stateful.stateful_batch`;
    an error while that core step runs names `r` and `reduce_final`, the step
    and the operator the learner knows, not the inner ones.
    """
    return flow._stack[1] if len(flow._stack) > 1 else flow._stack[-1]
