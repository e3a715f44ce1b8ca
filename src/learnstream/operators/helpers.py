"""Helpers for building the functions you give to operators."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")

__all__ = ["map_dict_value"]


def map_dict_value(key: K, mapper: Callable[[V], V]) -> Callable[[dict[K, V]], dict[K, V]]:
    """A mapper for `op.map` that changes one value of a dict item and keeps the rest.

    The dict is changed in place and returned, as in Bytewax.

    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("helpers_eg")
    >>> people = op.input("inp", flow, TestingSource([{"name": "ada", "id": 1}]))
    >>> shouted = op.map("upper", people, map_dict_value("name", str.upper))
    >>> _ = op.inspect("out", shouted)
    >>> run_main(flow)
    helpers_eg.out: {'name': 'ADA', 'id': 1}
    """

    def map_one_value(obj: dict[K, V]) -> dict[K, V]:
        obj[key] = mapper(obj[key])
        return obj

    return map_one_value
