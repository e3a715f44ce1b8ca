"""Errors while a flow runs reach `run_main`'s caller as Bytewax's do: a RuntimeError
caused by the original exception, with learnstream's message on top.

The same broken flow runs on both libraries; Bytewax 0.21.1 is the oracle.
"""

import re
from typing import Any

import bytewax.operators as bw_op
import bytewax.testing as bw_testing
import pytest
from bytewax.dataflow import Dataflow as BwDataflow

import learnstream.operators as ls_op
import learnstream.testing as ls_testing
from learnstream.dataflow import Dataflow as LsDataflow

LIBS = {
    "bytewax": (bw_op, BwDataflow, bw_testing),
    "learnstream": (ls_op, LsDataflow, ls_testing),
}


def broken(lib: str, kind: str) -> BaseException:
    op, Dataflow, testing = LIBS[lib]
    flow = Dataflow("df")
    src = testing.TestingSource
    out: list[Any] = []
    sink = testing.TestingSink(out)
    if kind != "no input":
        inp = op.input("inp", flow, src([1, 2]))
    if kind == "key_on returns an int":
        op.output("out", op.key_on("key", inp, lambda x: x), sink)
    elif kind == "branch predicate returns a str":
        b = op.branch("br", inp, lambda x: "yes")
        op.output("o1", b.trues, sink)
        op.output("o2", b.falses, sink)
    elif kind == "filter predicate returns a str":
        op.output("out", op.filter("f", inp, lambda x: "yes"), sink)
    elif kind == "flatten gets an int":
        op.output("out", op.flatten("flat", inp), sink)
    elif kind == "raises gets an item":
        op.raises("r", inp)
    elif kind == "stateful_map mapper returns one value":
        keyed = op.key_on("k", inp, lambda _: "ALL")
        op.output("out", op.stateful_map("sm", keyed, lambda state, v: v), sink)
    elif kind == "mapper divides by zero":
        op.output("out", op.map("m", inp, lambda x: x / 0), sink)
    elif kind == "no output":
        pass
    elif kind == "no input":
        pass
    try:
        testing.run_main(flow)
    except Exception as exc:
        return exc
    raise AssertionError(f"{lib} ran the broken flow: {kind}")


def chain(exc: BaseException | None) -> list[BaseException]:
    """The exception and its causes, outermost first."""
    found = []
    while exc is not None:
        found.append(exc)
        exc = exc.__cause__
    return found


CASES = [
    ("key_on returns an int", TypeError, "must be a `str`"),
    ("branch predicate returns a str", TypeError, "must be a `bool`"),
    ("filter predicate returns a str", TypeError, "must be a `bool`"),
    ("flatten gets an int", TypeError, "requires upstream to be iterables"),
    ("raises gets an item", RuntimeError, "got an item"),
    ("stateful_map mapper returns one value", TypeError, "must be a 2-tuple"),
    ("mapper divides by zero", ZeroDivisionError, "division by zero"),
    ("no output", ValueError, "at least one output or inspect step"),
    ("no input", ValueError, "at least one input step"),
]


@pytest.mark.parametrize(("kind", "cause_type", "wording"), CASES)
def test_run_error_is_a_runtime_error_caused_as_in_bytewax(
    kind: str, cause_type: type[BaseException], wording: str
) -> None:
    theirs, ours = broken("bytewax", kind), broken("learnstream", kind)
    assert isinstance(theirs, RuntimeError) and isinstance(ours, RuntimeError)
    assert any(isinstance(e, cause_type) for e in chain(theirs.__cause__))
    assert wording in " ".join(str(e) for e in chain(theirs))
    # learnstream's chain is one link: the original exception is the direct cause.
    assert isinstance(ours.__cause__, cause_type)
    assert wording in str(ours.__cause__)


@pytest.mark.parametrize(("kind", "cause_type", "wording"), CASES)
def test_bytewax_s_nested_raises_pattern_holds(
    kind: str, cause_type: type[BaseException], wording: str
) -> None:
    """Bytewax's users write `raises(RuntimeError)` around `raises(TypeError)`: the error
    must be a RuntimeError and *not* also the cause's type, or the inner check swallows it."""
    if cause_type is RuntimeError:
        pytest.skip("the cause is itself a RuntimeError")
    err = broken("learnstream", kind)
    assert not isinstance(err, cause_type)


def test_the_run_error_s_own_message_carries_bytewax_s_words_where_bytewax_s_does() -> None:
    """`raises(BytewaxRuntimeError, match=...)` on the run error itself: where Bytewax's
    outermost message says what went wrong (a branch predicate's non-bool answer, a
    missing input), learnstream's says it in the same words. (Where Bytewax says it only
    in a cause, the test above compares the causes.)"""
    on_top = [(kind, w) for kind, _, w in CASES if w in str(broken("bytewax", kind))]
    assert on_top, "Bytewax's run error itself carries the words of none of the cases"
    for kind, wording in on_top:
        assert wording in str(broken("learnstream", kind)), kind


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("key_on returns an int", r"step 'df\.key' \(key_on\).*\n  item: 1\n  what to do: "),
        ("stateful_map mapper returns one value", r"step 'df\.sm' \(stateful_map\).*2-tuple"),
        ("flatten gets an int", r"step 'df\.flat' \(flatten\) got an int, which is not iterable"),
        ("no input", r"has no input: add op\.input"),
    ],
)
def test_learnstream_keeps_its_own_message_on_top(kind: str, says: str) -> None:
    assert re.search(says, str(broken("learnstream", kind)))


@pytest.mark.parametrize(("kind", "cause_type", "wording"), CASES)
def test_the_error_is_each_library_s_bytewax_runtime_error(
    kind: str, cause_type: type[BaseException], wording: str
) -> None:
    """`from bytewax.errors import BytewaxRuntimeError` becomes an import from
    `learnstream.errors`: the same `except` catches the same failures."""
    import bytewax.errors

    import learnstream.errors

    assert isinstance(broken("bytewax", kind), bytewax.errors.BytewaxRuntimeError)
    assert isinstance(broken("learnstream", kind), learnstream.errors.BytewaxRuntimeError)


@pytest.mark.parametrize("lib", LIBS)
def test_a_custom_exception_comes_out_inside_a_bytewax_runtime_error(lib: str) -> None:
    """Bytewax's own pattern: `raises(BytewaxRuntimeError)` around `raises(Custom)`, with an
    exception class whose constructor takes two arguments."""
    import importlib

    errors = importlib.import_module(f"{lib}.errors")
    op, Dataflow, testing = LIBS[lib]

    class Custom(Exception):
        def __init__(self, msg: str, b: int) -> None:
            self.msg, self.b = msg, b

    def boom(item: int) -> int:
        if item == 0:
            raise Custom("BOOM", 1)
        return item

    flow = Dataflow("df")
    out: list[int] = []
    op.output(
        "out",
        op.map("explode", op.input("inp", flow, testing.TestingSource([0])), boom),
        testing.TestingSink(out),
    )
    with pytest.raises(errors.BytewaxRuntimeError) as info:
        with pytest.raises(Custom):
            testing.run_main(flow)
    assert any(isinstance(e, Custom) for e in chain(info.value))
