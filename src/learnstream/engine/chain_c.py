"""The C core's chain of stateless steps (`csrc/chain.c`), with `chain_twin`'s interface.

Python objects cross into C as their addresses (`id`, CPython's documented
meaning); C reads the batch and calls the stages' functions with the C API.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from learnstream.engine.ccore import ffi, lib
from learnstream.engine.chain_twin import Failure
from learnstream.engine.constants import FILTER, MAP

__all__ = ["FILTER", "MAP", "Failure", "run_chain"]

try:
    _chain_run = lib.ls_chain_run
except AttributeError as exc:  # an extension built before csrc/chain.c existed
    raise ImportError("the C core predates csrc/chain.c: reinstall (pip install -e .)") from exc


def _address(obj: object) -> Any:
    return ffi.cast("void *", id(obj))


def run_chain(
    items: list[Any], fns: Sequence[Callable[[Any], Any]], kinds: bytes
) -> tuple[list[Any], Failure | None]:
    """See `chain_twin.run_chain`: the same loop, in C."""
    if type(items) is not list:  # C reads the batch as a list
        items = list(items)
    fns = tuple(fns)
    if len(kinds) != len(fns) or any(k not in (MAP, FILTER) for k in kinds):
        raise ValueError(f"one kind (MAP or FILTER) per stage: {len(fns)} stages, kinds {kinds!r}")
    out: list[Any] = []
    failure: list[tuple[int, int, Any, Any, bool]] = []
    status = _chain_run(
        _address(items),
        _address(fns),
        ffi.from_buffer("int8_t[]", kinds),
        len(fns),
        _address(out),
        _address(failure),
    )
    if status == lib.LS_ENOMEM:
        raise MemoryError("out of memory while reporting a failed map or filter")
    return out, (Failure(*failure[0]) if failure else None)
