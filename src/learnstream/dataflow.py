"""The graph a learner builds: `Dataflow`, `Stream` and the `operator` decorator.

A dataflow is a list of *core steps* (the few operators the executor knows how to
run) plus a tree of *operator calls* that records how the learner's operators were
composed from those core steps. Step ids are namespaced as in Bytewax: the `map`
step "double" in flow "demo" is `demo.double`, and the core step it is built from
is `demo.double.flat_map_batch`.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from inspect import Parameter
from types import FunctionType
from typing import Any, ClassVar, Generic, Protocol, TypeAlias, TypeVar, runtime_checkable

from learnstream.errors import DataflowError

__all__ = [
    "Dataflow",
    "DataflowId",
    "MultiPort",
    "Operator",
    "Port",
    "SinglePort",
    "Stream",
    "f_repr",
    "operator",
]

X_co = TypeVar("X_co", covariant=True)
F = TypeVar("F", bound=Callable[..., Any])
N = TypeVar("N")


def f_repr(f: Callable[..., Any]) -> str:
    """A function's repr with its module, name and line, as Bytewax's `f_repr` gives.

    For error messages: the builtin repr shows only a memory address.

    >>> def double(x):
    ...     return 2 * x
    >>> f_repr(double)
    "<function 'learnstream.dataflow.double' line 1>"
    """
    if isinstance(f, FunctionType):
        return (
            f"<function {f.__module__ + '.' + f.__qualname__!r} line {f.__code__.co_firstlineno}>"
        )
    return repr(f)


@dataclass(frozen=True)
class DataflowId:
    """The id of a dataflow, as an operator records the `Dataflow` it was given.

    An `input` step is attached to a flow, not to a stream: its record names
    that flow by id (the record refers to the flow, it does not hold it).

    >>> import learnstream.operators as op
    >>> from learnstream.testing import TestingSource
    >>> flow = Dataflow("ids")
    >>> _ = op.input("inp", flow, TestingSource([1]))
    >>> flow.substeps[0].flow
    DataflowId(flow_id='ids')
    """

    flow_id: str


@dataclass(frozen=True)
class SinglePort:
    """Where one stream enters or leaves an operator: a `Stream` parameter or result.

    Named as in Bytewax: `port_id` is the step id and the port's name (the
    parameter's name, `down` for a returned stream, the field's name for a
    returned dataclass such as `branch`'s `trues`); `stream_id` is the stream
    that goes through it.

    >>> import learnstream.operators as op
    >>> from learnstream.testing import TestingSource
    >>> flow = Dataflow("ports")
    >>> s = op.input("inp", flow, TestingSource([1]))
    >>> double = op.map("double", s, lambda x: 2 * x)
    >>> flow.substeps[1].up
    SinglePort(port_id='ports.double.up', stream_id='ports.inp.down')
    >>> flow.substeps[1].up.stream_ids
    {'stream': 'ports.inp.down'}
    """

    port_id: str
    stream_id: str

    @property
    def stream_ids(self) -> dict[str, str]:
        """The stream by the name `"stream"`, so every port has `stream_ids`."""
        return {"stream": self.stream_id}


@dataclass(frozen=True)
class MultiPort(Generic[N]):
    """Where several streams enter an operator: a `*ups: Stream` or `**sides: Stream` parameter.

    `stream_ids` maps each stream's position (for `*args`) or name (for
    `**kwargs`) to its id.

    >>> import learnstream.operators as op
    >>> from learnstream.testing import TestingSource
    >>> flow = Dataflow("multi")
    >>> a = op.input("a", flow, TestingSource([1]))
    >>> b = op.input("b", flow, TestingSource([2]))
    >>> both = op.merge("both", a, b)
    >>> flow.substeps[2].ups
    MultiPort(port_id='multi.both.ups', stream_ids={0: 'multi.a.down', 1: 'multi.b.down'})
    """

    port_id: str
    stream_ids: dict[N, str]


@runtime_checkable
class Port(Protocol):
    """An operator's input or output location: a `SinglePort` or a `MultiPort`."""

    port_id: str

    @property
    def stream_ids(self) -> Mapping[Any, str]:
        """The streams through the port, by name or position."""


@dataclass(eq=False)
class Operator:
    """One call of an operator in a flow, with the calls it made inside it (`substeps`).

    Each operator has its own subclass of this record, named after it (the
    record of a `map` step is a `map`): its fields are the call's `step_name`,
    its full `step_id`, its `substeps`, then what the call was given, in the
    operator's parameter order (input ports as `SinglePort`/`MultiPort`, a
    `Dataflow` as its `DataflowId`, other arguments as they were), then its
    output ports. `ups_names` and `dwn_names` name the ports, `op_type` the
    operator, and `core` says whether the executor runs it itself.
    `Dataflow.substeps` lists a flow's top-level calls.

    >>> import learnstream.operators as op
    >>> from learnstream.testing import TestingSource
    >>> flow = Dataflow("rec")
    >>> s = op.input("inp", flow, TestingSource([1, 2]))
    >>> evens = op.filter("evens", s, lambda x: x % 2 == 0)
    >>> step = flow.substeps[1]
    >>> type(step).__name__, step.step_name, step.step_id, step.ups_names, step.dwn_names
    ('filter', 'evens', 'rec.evens', ['up'], ['down'])
    >>> isinstance(step, Operator), step.core, step.predicate(4)
    (True, False, True)
    >>> step.down
    SinglePort(port_id='rec.evens.down', stream_id='rec.evens.flat_map_batch.down')
    >>> [sub.step_id for sub in step.substeps]
    ['rec.evens.flat_map_batch']
    """

    step_name: str
    step_id: str
    substeps: list[Operator]
    op_type: ClassVar[str] = "Dataflow"
    core: ClassVar[bool] = False
    ups_names: ClassVar[list[str]] = []
    dwn_names: ClassVar[list[str]] = []

    def port(self, port_name: str) -> Port:
        """The input or output port named `port_name`."""
        port: Port = getattr(self, port_name)
        return port


RECORD_NAMES = frozenset(
    ("step_name", "substeps", "op_type", "core", "ups_names", "dwn_names", "port")
)
"""What an operator's record holds besides its arguments: no parameter may take these names."""


def check_record_names(op_type: str, names: tuple[str, ...], what: str) -> None:
    """Refuse names that would hide the record's own (Bytewax refuses them too, a TypeError).

    >>> check_record_names("my_op", ("up", "substeps"), "parameter")
    Traceback (most recent call last):
    ...
    TypeError: operator 'my_op': its parameter 'substeps' would hide the operator record's own 'substeps' (...); rename it
    """
    for name in names:
        if name in RECORD_NAMES:
            raise TypeError(
                f"operator {op_type!r}: its {what} {name!r} would hide the operator record's "
                f"own {name!r} ({', '.join(sorted(RECORD_NAMES))}); rename it"
            )


@functools.cache
def record_class(
    op_type: str, params: tuple[str, ...], ups: tuple[str, ...], downs: tuple[str, ...], core: bool
) -> type[Operator]:
    """The `Operator` subclass recording calls of the operator `op_type`."""
    check_record_names(op_type, downs, "returned dataclass field")
    namespace = {"op_type": op_type, "core": core, "ups_names": [*ups], "dwn_names": [*downs]}
    return dataclasses.make_dataclass(
        op_type,
        [(name, Any, field(default=None)) for name in (*params, *downs)],
        bases=(Operator,),
        namespace=namespace,
        eq=False,
    )


@dataclass
class CoreStep:
    """A step the executor runs: `runtime` builds the object that processes batches.

    `params` holds the operator's arguments that another engine needs to run the
    step its own way (the source of an `input`, the sink of an `output`, a
    window's clock and windower...; see `learnstream.scaleout`), or that tools
    read to explain the flow (the grader names a window step's wrong clock).
    """

    step_id: str
    operator: str
    inputs: list[str]
    outputs: list[str]
    runtime: Callable[[], Any]
    params: dict[str, Any] = field(default_factory=dict)


class Stream(Generic[X_co]):
    """A handle on the items flowing out of one step; pass it to the next operator.

    `scope` is the id of the operator (or flow) whose body the handle belongs
    to: inside an operator, the streams it was given are re-scoped to it, so a
    stream smuggled in another way (inside a list) is caught, as in Bytewax.
    """

    def __init__(self, stream_id: str, flow: Dataflow, scope: str | None = None) -> None:
        self.stream_id = stream_id
        self._flow = flow
        self.scope = flow.flow_id if scope is None else scope

    def _in_scope(self, scope: str) -> Stream[X_co]:
        return Stream(self.stream_id, self._flow, scope)

    def flow(self) -> Dataflow:
        """The dataflow this stream belongs to, e.g. to add another input to it.

        >>> import learnstream.operators as op
        >>> from learnstream.testing import TestingSource, run_main
        >>> flow = Dataflow("flow_of")
        >>> nums = op.input("nums", flow, TestingSource([1]))
        >>> more = op.input("more", nums.flow(), TestingSource([2]))
        >>> _ = op.inspect("both", op.merge("merge", nums, more))
        >>> nums.flow() is flow
        True
        >>> run_main(flow)
        flow_of.both: 1
        flow_of.both: 2
        """
        return self._flow

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
        self.root = Operator(flow_id, flow_id, [])
        self._stack: list[Operator] = [self.root]

    def __repr__(self) -> str:
        return f"Dataflow({self.flow_id!r})"

    @property
    def substeps(self) -> list[Operator]:
        """The flow's top-level operator calls, in the order they were made."""
        return self.root.substeps

    @contextmanager
    def _enter(self, cls: type[Operator], step_id: str, **params: Any) -> Iterator[Operator]:
        """Record a call of the operator `cls` records, and build inside its scope."""
        parent, name = self._stack[-1], cls.op_type
        check_step_id(name, step_id)
        full_id = f"{parent.step_id}.{step_id}"
        if any(child.step_id == full_id for child in parent.substeps):
            raise DataflowError(
                f"duplicate step id {step_id!r} in {parent.step_id!r} (operator {name!r}): "
                "every step in the same scope needs its own id; rename one of them"
            )
        call = cls(step_id, full_id, [], **params)
        parent.substeps.append(call)
        self._stack.append(call)
        try:
            yield call
        finally:
            self._stack.pop()

    def _add_core(
        self,
        call: Operator,
        inputs: list[Stream[Any]],
        n_out: int,
        runtime: Callable[[], Any],
        out_names: tuple[str, ...] = ("down",),
        **params: Any,
    ) -> list[Stream[Any]]:
        outs = [Stream(f"{call.step_id}.{name}", self, call.step_id) for name in out_names[:n_out]]
        ins, downs = [s.stream_id for s in inputs], [s.stream_id for s in outs]
        self.steps.append(CoreStep(call.step_id, call.op_type, ins, downs, runtime, params))
        return outs


def check_step_id(name: str, step_id: Any) -> None:
    """A step id is a non-empty `str` without periods (Bytewax's rule and wording)."""
    if not isinstance(step_id, str):
        raise TypeError(
            f"'step_id' must be a `str`: operator {name!r} got {step_id!r} "
            f"({type(step_id).__name__}); pass a name such as 'parse' first"
        )
    if "." in step_id:
        raise DataflowError(
            f"'step_id' can't contain any periods '.': operator {name!r} got {step_id!r}; "
            "periods separate the ids of nested steps, so use '_' or '-' instead"
        )
    if not step_id:
        raise DataflowError(f"step id for operator {name!r} must not be empty")


def _is_stream_annotation(anno: Any) -> bool:
    """`Stream`, `Stream[X]`, `KeyedStream[V]`, also written as strings."""
    if isinstance(anno, str):
        return anno.split("[", 1)[0].strip() in ("Stream", "KeyedStream")
    return (typing.get_origin(anno) or anno) is Stream


def _port_names(builder: Callable[..., Any], sig: inspect.Signature) -> tuple[list[str], list[str]]:
    """The input ports (parameters annotated as streams) and the output ports.

    Output ports come from the return annotation, as in Bytewax: `down` for a
    `Stream`, the `Stream` fields of a returned dataclass by name.
    """
    try:
        hints: dict[str, Any] = typing.get_type_hints(builder)
    except Exception:  # an annotation naming something unimportable: read it as text
        hints = {name: p.annotation for name, p in sig.parameters.items()}
        hints["return"] = sig.return_annotation
    ups = [name for name in sig.parameters if _is_stream_annotation(hints.get(name))]
    ret = hints.get("return")
    if _is_stream_annotation(ret):
        return ups, ["down"]
    ret = typing.get_origin(ret) or ret  # BranchOut[X, X] -> BranchOut
    if isinstance(ret, type) and dataclasses.is_dataclass(ret):
        field_hints = typing.get_type_hints(ret)
        return ups, [
            f.name for f in dataclasses.fields(ret) if _is_stream_annotation(field_hints[f.name])
        ]
    return ups, []


def _port_streams(param: Parameter, value: Any) -> list[Any]:
    if param.kind == Parameter.VAR_POSITIONAL:
        return list(value)
    if param.kind == Parameter.VAR_KEYWORD:
        return list(value.values())
    return [value]


def _check_streams(name: str, sig: inspect.Signature, bound: Any, ports: list[str]) -> None:
    """Every stream parameter got a `Stream` (Bytewax raises TypeError, with this wording)."""
    for pname in ports:
        param = sig.parameters[pname]
        desc = {
            Parameter.VAR_POSITIONAL: f"{pname!r} *args all",
            Parameter.VAR_KEYWORD: f"{pname!r} **kwargs all",
        }.get(param.kind, f"{pname!r} argument")
        for value in _port_streams(param, bound.arguments[pname]):
            if not isinstance(value, Stream):
                raise TypeError(
                    f"{desc} must be a `Stream`; got a {type(value)!r} instead (operator "
                    f"{name!r}); did you forget to unpack the result of an operator that "
                    "returns multiple streams, e.g. .trues of op.branch?"
                )


def _scope_of(value: Any) -> tuple[Dataflow, str] | None:
    if isinstance(value, Stream):
        return value._flow, value.scope
    if isinstance(value, Dataflow):
        return value, value._stack[-1].step_id
    return None


def _outer_scope(name: str, step_id: str, values: list[Any]) -> tuple[Dataflow, str]:
    """The one flow and scope the arguments come from (streams in lists do not count)."""
    found = [scope for v in values if (scope := _scope_of(v)) is not None]
    if not found:
        raise DataflowError(
            f"operator {name!r} (step {step_id!r}) needs a Dataflow or a Stream after the step "
            "id, e.g. op.map('double', stream, fn)"
        )
    flow = found[0][0]
    for other, _ in found[1:]:
        if other is not flow:
            raise DataflowError(
                f"operator {name!r} (step {step_id!r}) was given a Stream from Dataflow "
                f"{other.flow_id!r} while building Dataflow {flow.flow_id!r}: a stream can "
                "only feed steps of the flow it came from"
            )
    scopes = sorted({scope for _, scope in found})
    if len(scopes) != 1:
        raise AssertionError(
            f"inconsistent stream scoping: operator {name!r} (step {step_id!r}) got streams "
            f"from the scopes {scopes}; expected one. Inside an operator, use only the "
            "streams it takes as parameters (a Stream nested in a list or other container "
            "is not re-scoped: take it as *args instead)"
        )
    return flow, scopes[0]


def _rescoped(param: Parameter, value: Any, scope: str) -> Any:
    """The argument as the operator's body sees it: its streams moved into `scope`."""
    if param.kind == Parameter.VAR_POSITIONAL:
        return tuple(v._in_scope(scope) if isinstance(v, Stream) else v for v in value)
    if param.kind == Parameter.VAR_KEYWORD:
        return {k: v._in_scope(scope) if isinstance(v, Stream) else v for k, v in value.items()}
    return value._in_scope(scope) if isinstance(value, Stream) else value


def _inp_record(step_id: str, param: Parameter, value: Any, is_port: bool) -> Any:
    """What an operator's record holds for one argument: a port, a `DataflowId`, the value."""
    port_id = f"{step_id}.{param.name}"
    if is_port and param.kind == Parameter.VAR_POSITIONAL:
        return MultiPort(port_id, {i: s.stream_id for i, s in enumerate(value)})
    if is_port and param.kind == Parameter.VAR_KEYWORD:
        return MultiPort(port_id, {k: s.stream_id for k, s in value.items()})
    if is_port:
        return SinglePort(port_id, value.stream_id)
    if isinstance(value, Dataflow):
        return DataflowId(value.flow_id)
    return value


def _record_downs(call: Operator, out: Any) -> None:
    """Record the output ports the operator declares, from the streams it returned."""
    for name in call.dwn_names:
        stream = out if isinstance(out, Stream) else getattr(out, name)
        setattr(call, name, SinglePort(f"{call.step_id}.{name}", stream.stream_id))


def _returned(out: Any, scope: str) -> Any:
    """The builder's result with its streams handed back to the caller's scope."""
    if isinstance(out, Stream):
        return out._in_scope(scope)
    if dataclasses.is_dataclass(out) and not isinstance(out, type):
        changes = {
            f.name: getattr(out, f.name)._in_scope(scope)
            for f in dataclasses.fields(out)
            if isinstance(getattr(out, f.name), Stream)
        }
        return dataclasses.replace(out, **changes) if changes else out
    return out


@functools.cache
def _ports_of(
    builder: Callable[..., Any], core: bool
) -> tuple[inspect.Signature, list[str], type[Operator]]:
    """An operator's signature, stream parameters and record class, made on its first call.

    Reading annotations costs about 0.1 ms per operator: at import time, for forty
    operators, that would be a good part of what `import learnstream.operators` costs.
    """
    sig = inspect.signature(builder)
    ups, downs = _port_names(builder, sig)
    params = tuple(name for name in sig.parameters if name != "step_id")
    return sig, ups, record_class(builder.__name__, params, tuple(ups), tuple(downs), core)


def operator(builder: F | None = None, *, core: bool = False) -> Any:
    """Mark a function as an operator: it gets its own step-id scope.

    Operators call other operators inside them; those inner steps are named
    `outer_id.inner_id`, which is what error messages and `visualize` show. As in
    Bytewax, parameters annotated `Stream` (also `*ups: Stream`) are the
    operator's input ports and must be given streams; a returned `Stream` (or
    dataclass of streams) is its output ports. `functools.wraps` keeps the
    builder's name, docstring and (through `__wrapped__`) its signature.
    """

    def deco(builder: F) -> F:
        name = builder.__name__
        code = builder.__code__  # the parameter names, without reading annotations (import time)
        n_params = code.co_argcount + code.co_kwonlyargcount
        n_params += bool(code.co_flags & inspect.CO_VARARGS) + bool(
            code.co_flags & inspect.CO_VARKEYWORDS
        )
        check_record_names(name, code.co_varnames[:n_params], "parameter")

        @functools.wraps(builder)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            sig, stream_params, cls = _ports_of(builder, core)
            try:
                bound = sig.bind(*args, **kwargs)
            except TypeError as exc:
                raise TypeError(f"operator {name!r} called incorrectly: {exc}") from exc
            bound.apply_defaults()
            _check_streams(name, sig, bound, stream_params)
            step_id = bound.arguments.get("step_id")
            check_step_id(name, step_id)
            values: list[Any] = []
            for pname, param in sig.parameters.items():
                values += _port_streams(param, bound.arguments[pname])
            flow, outer = _outer_scope(name, step_id, values)
            given = {
                pname: _inp_record(
                    f"{flow._stack[-1].step_id}.{step_id}",
                    param,
                    bound.arguments[pname],
                    pname in stream_params,
                )
                for pname, param in sig.parameters.items()
                if pname != "step_id"
            }
            with flow._enter(cls, step_id, **given) as call:
                for pname, param in sig.parameters.items():
                    bound.arguments[pname] = _rescoped(param, bound.arguments[pname], call.step_id)
                out = builder(*bound.args, **bound.kwargs)
                _record_downs(call, out)
            return _returned(out, outer)

        wrapper._learnstream_operator = True  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return deco(builder) if builder is not None else deco


def current_call(flow: Dataflow) -> Operator:
    """The operator call being built; core operators attach their step to it."""
    return flow._stack[-1]


def learner_call(flow: Dataflow) -> Operator:
    """The call the learner wrote that is being built: the outermost one inside the flow.

    `op.reduce_final("r", ...)` builds `r.fold_final.stateful.stateful_batch`;
    an error while that core step runs names `r` and `reduce_final`, the step
    and the operator the learner knows, not the inner ones.
    """
    return flow._stack[1] if len(flow._stack) > 1 else flow._stack[-1]
