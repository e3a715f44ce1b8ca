"""learnstream's public API is Bytewax 0.21.1's: every name, every signature, every field.

For each module below, every public name Bytewax defines must exist in the
learnstream module of the same path with the same parameters (names, kinds,
defaults), the same dataclass fields, the same public methods and the same
base classes. What learnstream lacks or does differently is listed here, by
name, with the reason; those lists only shrink: adding a missing name without
removing it from `NOT_YET` fails, and so does a new gap.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import inspect
import typing
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import learnstream.operators as op
from learnstream.operators import windowing as win

needs_bytewax = pytest.mark.skipif(
    importlib.util.find_spec("bytewax") is None, reason="the bytewax extra is not installed"
)

MODULES = (
    "operators",
    "operators.windowing",
    "inputs",
    "outputs",
    "testing",
    "connectors.files",
    "connectors.stdio",
    "errors",
    "recovery",
    "tracing",
    "dataflow",
    "visualize",
)

NOT_YET: dict[str, set[str]] = {}
"""Bytewax names learnstream does not have yet. Remove a name when you add it."""

SIGNATURES_NOT_YET: dict[str, str] = {
    "inputs.batch": "its first parameter is `items`; Bytewax calls it `ib`",
}
"""Names that exist but whose signature still differs. Remove one when you fix it."""

DELIBERATE: dict[str, str] = {
    "operators.windowing.ClockLogic": (
        "clocks are settings the C core reads (which clock, the wait); there is no per-key "
        "logic object, so a Clock subclass of one's own is not supported"
    ),
    "operators.windowing.WindowerLogic": (
        "windowers are settings the C core reads (tumbling, sliding or session and their "
        "lengths); there is no per-key logic object, so a Windower subclass is not supported"
    ),
    "operators.windowing.Clock.build": "see ClockLogic",
    "operators.windowing.Windower.build": "see WindowerLogic",
    "operators.windowing.EventClock.now_getter": (
        "defaults to None, meaning the run's clock (the wall clock unless "
        "run_main(now_getter=...) replaces it), so one run can drive every clock of a flow"
    ),
}
"""Deliberate differences, by qualified name (course/reference/architecture.md and Part 2's
late-data page explain the watermark one)."""

CONSTRUCTED_OTHERWISE: dict[str, str] = {
    "dataflow.Dataflow": (
        "a plain class, `Dataflow(flow_id)`; Bytewax's other dataclass fields (substeps, "
        "its scope) are not arguments a user passes; `flow.substeps` lists the top-level "
        "operator calls as in Bytewax"
    ),
    "dataflow.Stream": (
        "made by operators, never by users: `Stream(stream_id, flow, scope)` where Bytewax "
        "has `Stream(stream_id, _scope)`"
    ),
}
"""Classes users never construct whose constructor (or dataclass fields) differ."""


_OWN_ERROR = (
    "learnstream's own kind of error, so its users can tell one problem from another; "
    "each is also the kind Bytewax raises there (a BytewaxRuntimeError, a ValueError)"
)
EXTRAS: dict[str, str] = {
    "errors.LearnstreamError": _OWN_ERROR,
    "errors.DataflowError": _OWN_ERROR,
    "errors.StepError": _OWN_ERROR,
    "errors.FlowRunError": _OWN_ERROR,
    "errors.UserFunctionError": _OWN_ERROR,
    "errors.KeyedItemError": _OWN_ERROR,
    "visualize.to_text": "learnstream's own drawing: the operator tree, nested steps indented",
    "recovery.RecoveryError": (
        "the base of the store's errors, and what a store learnstream cannot use for other "
        "reasons (a corrupt file, a newer format, another flow's store) raises"
    ),
}
"""Public names (in a module's `__all__`) that Bytewax does not have, with the reason for each."""


def bytewax_module(path: str) -> ModuleType:
    return importlib.import_module(f"bytewax.{path}")


def ours(path: str) -> ModuleType:
    return importlib.import_module(f"learnstream.{path}")


def public_names(module: ModuleType) -> list[str]:
    """What a module defines for its users: its own classes and functions, and its constants."""
    names = []
    for name, obj in vars(module).items():
        if name.startswith("_") or isinstance(obj, typing.TypeVar | typing.ParamSpec):
            continue
        defined_here = getattr(obj, "__module__", None) == module.__name__
        constant = name.isupper() and not callable(obj) and not isinstance(obj, ModuleType)
        if (defined_here and (inspect.isclass(obj) or inspect.isfunction(obj))) or constant:
            names.append(name)
    return sorted(names)


def all_names() -> Iterator[tuple[str, str]]:
    if importlib.util.find_spec("bytewax") is None:
        return
    for path in MODULES:
        for name in public_names(bytewax_module(path)):
            yield path, name


NAMES = list(all_names())


def params(fn: Any, qualname: str) -> list[tuple[str, str, Any]]:
    """Parameters as (name, kind, default); a leading underscore (private) is not compared.

    A default that is a function is compared as "a function": both sides use a
    private helper (`_identity`, the system clock) whose name is no part of the API.
    The default of a parameter listed in `DELIBERATE` is not compared.
    """
    out = []
    for p in inspect.signature(fn).parameters.values():
        name, default = p.name.lstrip("_"), p.default
        if f"{qualname}.{name}" in DELIBERATE:
            default = "<deliberately different>"
        elif default is not inspect.Parameter.empty and callable(default):
            default = "<a function>"
        out.append((name, p.kind.name, default))
    return out


def fields(cls: type) -> list[str]:
    return (
        [f.name.lstrip("_") for f in dataclasses.fields(cls)]
        if dataclasses.is_dataclass(cls)
        else []
    )


def deliberate(path: str, cls: type, member: str) -> bool:
    """`member` of `cls` or of a Bytewax base class it inherits it from is a listed difference."""
    return any(f"{path}.{base.__name__}.{member}" in DELIBERATE for base in cls.__mro__)


def compared(qualname: str) -> bool:
    return qualname not in DELIBERATE and qualname not in SIGNATURES_NOT_YET


def check_class(path: str, qualname: str, theirs: type, mine: type) -> None:
    # The constructor (for a dataclass: its fields in order, with their defaults).
    same_constructor = compared(qualname) and qualname not in CONSTRUCTED_OTHERWISE
    if same_constructor and not issubclass(theirs, BaseException):
        assert params(mine, qualname) == params(theirs, qualname), f"{qualname}(...)"
    if dataclasses.is_dataclass(theirs) and same_constructor:
        assert fields(mine) == fields(theirs), f"{qualname}'s dataclass fields"
    # Bases: whatever Bytewax's class is a kind of (a Source, a RuntimeError...), ours is too.
    for base in theirs.__mro__[1:]:
        if base.__module__ == "builtins" and base is not object:
            assert issubclass(mine, base), f"{qualname} is a {base.__name__} in Bytewax"
        elif base.__module__.startswith("bytewax.") and base.__module__[8:] in MODULES:
            counterpart = getattr(ours(base.__module__[8:]), base.__name__)
            assert issubclass(mine, counterpart), f"{qualname} is a {base.__name__} in Bytewax"
    # Public methods, constants and nested classes (TestingSource.EOF, StatefulLogic.RETAIN).
    for name, member in vars(theirs).items():
        inner = f"{qualname}.{name}"
        if name.startswith("_") or name in fields(theirs) or deliberate(path, theirs, name):
            continue
        if inspect.isdatadescriptor(member):  # a property of Bytewax's Rust classes
            assert hasattr(mine, name) or name in fields(mine), f"{inner} is missing"
            continue
        assert hasattr(mine, name), f"{inner} is missing"
        if inspect.isfunction(member) and compared(inner):
            assert params(getattr(mine, name), inner) == params(member, inner), f"{inner}(...)"
        elif inspect.isclass(member):
            check_class(path, inner, member, getattr(mine, name))
        elif not callable(member):
            assert getattr(mine, name) == member, inner


@needs_bytewax
@pytest.mark.parametrize(("path", "name"), NAMES, ids=[f"{p}.{n}" for p, n in NAMES])
def test_every_bytewax_name_is_here_with_its_signature(path: str, name: str) -> None:
    qualname = f"{path}.{name}"
    if name in NOT_YET.get(path, set()) or qualname in DELIBERATE:
        assert not hasattr(ours(path), name), (
            f"learnstream.{qualname} exists now: remove it from NOT_YET (or DELIBERATE) "
            "in tests/test_api_compat.py so its signature is checked"
        )
        return
    assert hasattr(ours(path), name), (
        f"learnstream.{qualname} is missing; Bytewax 0.21.1 has it. Add it, or list it in "
        "NOT_YET with the others still to do"
    )
    theirs, mine = getattr(bytewax_module(path), name), getattr(ours(path), name)
    if inspect.isclass(theirs):
        assert inspect.isclass(mine), f"{qualname} is a class in Bytewax"
        check_class(path, qualname, theirs, mine)
    elif inspect.isfunction(theirs):
        assert callable(mine), qualname
        if compared(qualname):
            assert params(mine, qualname) == params(theirs, qualname), f"{qualname}(...)"
    else:
        assert mine == theirs, qualname


@needs_bytewax
def test_the_lists_of_differences_name_real_bytewax_names() -> None:
    """A stale entry (a typo, or a name Bytewax does not have) would hide nothing; refuse it."""
    known = {f"{p}.{n}" for p, n in NAMES}
    for path, names in NOT_YET.items():
        assert names <= {n for p, n in NAMES if p == path}, names
    for qualname in [*DELIBERATE, *SIGNATURES_NOT_YET]:
        path_and_name = qualname
        while path_and_name not in known:
            assert "." in path_and_name, f"{qualname} names nothing in Bytewax"
            path_and_name = path_and_name.rsplit(".", 1)[0]


@needs_bytewax
def test_the_signatures_not_yet_matched_still_differ() -> None:
    for qualname in SIGNATURES_NOT_YET:
        path, name = qualname.rsplit(".", 1)
        mine, theirs = getattr(ours(path), name), getattr(bytewax_module(path), name)
        assert params(mine, qualname) != params(theirs, qualname), (
            f"{qualname} matches Bytewax now: remove it from SIGNATURES_NOT_YET"
        )


@needs_bytewax
@pytest.mark.parametrize("path", MODULES)
def test_learnstream_adds_no_public_name_bytewax_lacks_unless_listed(path: str) -> None:
    module = ours(path)
    assert hasattr(module, "__all__"), f"learnstream.{path} says what it exports"
    extra = {f"{path}.{n}" for n in module.__all__ if not hasattr(bytewax_module(path), n)}
    assert extra == {name for name in EXTRAS if name.rsplit(".", 1)[0] == path}, (
        "a flow using these would not run on Bytewax: list them in EXTRAS with the reason"
    )


OPERATORS = [
    (module, name)
    for module in (op, win)
    for name in module.__all__
    if inspect.isfunction(getattr(module, name))
]


@pytest.mark.parametrize(
    ("module", "name"), OPERATORS, ids=[f"{m.__name__}.{n}" for m, n in OPERATORS]
)
def test_every_operator_has_a_runnable_example(module: ModuleType, name: str) -> None:
    doc = getattr(module, name).__doc__
    assert doc and ">>> " in doc, f"{name} needs a docstring example (the doctests run it)"
