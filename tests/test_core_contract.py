"""The contract between the C core and its pure-Python twins, checked as a whole.

- every number both sides use is defined once per side (`csrc/ccore.h`,
  `learnstream.engine.constants`) and compared when the C core loads;
- each core has one `typing.Protocol` (`learnstream.engine.cores`), and each
  backend's module provides it with the same signatures (mypy checks the same
  statically, in `cores.py`).

Snapshots, the format both backends write and read, are tested per core in
`test_window_core_snapshot.py` and `test_join_core_snapshot.py`.
"""

from __future__ import annotations

import importlib
import inspect
import re
import types
import typing
from pathlib import Path
from typing import Any, Protocol

import pytest

from learnstream.engine import constants, cores

ROOT = Path(__file__).resolve().parent.parent

C_ONLY = {
    # status codes and limits that never reach Python as numbers of its own
    "LS_OK",
    "LS_ENOMEM",
    "LS_ESPLIT",
    "LS_EINVAL",
    "LS_EFULL",
    "LS_MAX_KEYS",
}


def header_defines() -> dict[str, int]:
    text = (ROOT / "csrc" / "ccore.h").read_text()
    return {
        name: int(value)
        for name, value in re.findall(r"^#define (LS_\w+) (-?\d+)", text, flags=re.MULTILINE)
    }


def test_every_shared_define_of_the_header_has_its_python_constant() -> None:
    defines = header_defines()
    shared = set(defines) - C_ONLY
    assert shared == set(constants.C_NAMES.values())
    for name, c_name in constants.C_NAMES.items():
        assert getattr(constants, name) == defines[c_name], name


def test_the_compiled_core_passes_the_check() -> None:
    from learnstream.engine import ccore

    constants.check(ccore.lib)  # what importing ccore did


def fake_lib(**changes: int | None) -> types.SimpleNamespace:
    values = {c: getattr(constants, py) for py, c in constants.C_NAMES.items()}
    values.update(changes)
    return types.SimpleNamespace(**{k: v for k, v in values.items() if v is not None})


def test_a_constant_that_differs_is_named() -> None:
    with pytest.raises(constants.CoreMismatchError, match=r"LS_JOIN_FINAL \(Python's FINAL\)"):
        constants.check(fake_lib(LS_JOIN_FINAL=7))
    with pytest.raises(constants.CoreMismatchError, match=r"LS_MAP.*does not define it"):
        constants.check(fake_lib(LS_MAP=None))
    constants.check(fake_lib())


def test_the_twins_use_the_shared_constants() -> None:
    from learnstream.engine import chain_twin, joins_twin, stamps_twin, windows_twin

    for module in (chain_twin, joins_twin, stamps_twin, windows_twin):
        for name, value in vars(module).items():
            if name in constants.C_NAMES:
                assert value is getattr(constants, name), (module.__name__, name)


# --- one Protocol per core, both backends providing it ----------------------------

CORES = {
    # protocol: (its module function or class name, the part's stem)
    cores.KeyTable: ("KeyTable", "keys"),
    cores.KeyCounter: ("KeyCounter", "keys"),
    cores.WindowCore: ("WindowCore", "windows"),
    cores.JoinCore: ("JoinCore", "joins"),
    cores.RunChain: ("run_chain", "chain"),
    cores.EventMicros: ("event_micros", "stamps"),
}


def members(protocol: type) -> dict[str, inspect.Signature | None]:
    """The protocol's methods (with their signatures) and attributes (None)."""
    found: dict[str, inspect.Signature | None] = {}
    for klass in protocol.__mro__:
        if klass in (object, Protocol, typing.Generic) or klass.__name__ in ("Protocol", "Generic"):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") and name not in ("__len__", "__call__"):
                continue
            found.setdefault(name, inspect.signature(value) if callable(value) else None)
        for name in getattr(klass, "__annotations__", {}):
            found.setdefault(name, None)
    return found


def params(sig: inspect.Signature) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()]


@pytest.mark.parametrize("protocol", CORES, ids=lambda p: p.__name__)
@pytest.mark.parametrize("side", ["twin", "c"])
def test_both_backends_provide_each_protocol_with_its_signatures(protocol: type, side: str) -> None:
    name, stem = CORES[protocol]
    module = importlib.import_module(f"learnstream.engine.{stem}_{side}")
    provided = getattr(module, name)
    wanted = members(protocol)
    assert wanted, protocol
    if "__call__" in wanted:  # a function: its own signature is the call's
        sig = wanted["__call__"]
        assert sig is not None
        assert params(inspect.signature(provided)) == params(sig)[1:]
        return
    for member, sig in wanted.items():
        assert hasattr(provided, member) or member in provided.__init__.__code__.co_names, (
            f"{module.__name__}.{name} lacks {member}"
        )
        if sig is not None:
            assert params(inspect.signature(getattr(provided, member))) == params(sig), (
                f"{module.__name__}.{name}.{member}"
            )


def test_no_engine_code_asks_a_core_what_it_can_do() -> None:
    """The protocols say what every core has: no `getattr(core, ..., None)` probing."""
    engine = ROOT / "src" / "learnstream" / "engine"
    for path in engine.glob("*.py"):
        text = path.read_text()
        assert not re.search(r"getattr\(self\.(core|agg)\b", text), path.name
        assert not re.search(r"hasattr\(self\.(core|agg)\b", text), path.name
