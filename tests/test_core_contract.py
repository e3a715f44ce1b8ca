"""The contract between the C core and its pure-Python twins, checked as a whole.

- every number both sides use is defined once per side (`csrc/ccore.h`,
  `learnstream.engine.constants`) and compared when the C core loads;
"""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest

from learnstream.engine import constants

ROOT = Path(__file__).resolve().parent.parent

C_ONLY = {
    # status codes and limits that never reach Python as numbers of its own
    "LS_OK",
    "LS_ENOMEM",
    "LS_ESPLIT",
    "LS_EINVAL",
    "LS_EFULL",
    "LS_MAX_KEYS",
    "LS_JOIN_GENERIC",
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
