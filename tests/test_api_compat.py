"""Every operator of DESIGN.md exists with Bytewax 0.21's signature."""

from __future__ import annotations

import importlib
import importlib.util
import inspect

import pytest

import learnstream.operators as op

DESIGN_OPERATORS = """
input output map map_value flat_map flat_map_value flatten filter filter_value filter_map
filter_map_value inspect inspect_debug key_on key_rm branch merge raises redistribute
count_final reduce_final fold_final max_final min_final stateful_map stateful_flat_map
stateful stateful_batch flat_map_batch collect join enrich_cached
""".split()


@pytest.mark.parametrize("name", DESIGN_OPERATORS)
def test_operator_exists_with_a_runnable_example(name: str) -> None:
    fn = getattr(op, name)
    assert callable(fn)
    assert fn.__doc__ and ">>> " in fn.__doc__, f"{name} needs a docstring example"


def _params(fn: object) -> list[tuple[str, str, bool]]:
    sig = inspect.signature(fn)  # type: ignore[arg-type]
    return [
        (p.name, p.kind.name, p.default is inspect.Parameter.empty)
        for p in sig.parameters.values()
        if not p.name.startswith("_")
    ]


@pytest.mark.skipif(
    importlib.util.find_spec("bytewax") is None, reason="the bytewax extra is not installed"
)
@pytest.mark.parametrize("name", DESIGN_OPERATORS)
def test_signature_matches_bytewax(name: str) -> None:
    bw = importlib.import_module("bytewax.operators")
    assert _params(getattr(op, name)) == _params(getattr(bw, name))


@pytest.mark.skipif(
    importlib.util.find_spec("bytewax") is None, reason="the bytewax extra is not installed"
)
def test_logic_classes_have_bytewax_methods() -> None:
    bw = importlib.import_module("bytewax.operators")
    for cls in ("StatefulLogic", "StatefulBatchLogic"):
        ours, theirs = getattr(op, cls), getattr(bw, cls)
        wanted = {m for m in vars(theirs) if not m.startswith("_")}
        assert wanted <= set(dir(ours)), wanted - set(dir(ours))
        assert (ours.RETAIN, ours.DISCARD) == (theirs.RETAIN, theirs.DISCARD)
