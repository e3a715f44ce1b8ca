"""Searches that replay: the same seed draws the same inputs, in any process.

Hypothesis draws from the seed, but also, now and then, from constants it mines
out of the modules loaded at the time it draws (any `.py` file outside
site-packages: an editable install of learnstream, a notebook's helpers, a test
suite). The same seed then draws other inputs in `learnstream grade` than in a
notebook or under pytest, and a report's `replay: ... --seed N` line would not
replay. `replayable()` switches that source off while the grader searches, and
`search_settings` fixes every setting a search depends on, so that a loaded
settings profile cannot change it either.

>>> search_settings(5).max_examples, search_settings(5).database is None
(5, True)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def search_settings(max_examples: int) -> Any:
    """Hypothesis settings for a grader's search: no database, no deadline, nothing printed."""
    from hypothesis import HealthCheck, Phase, Verbosity, settings

    return settings(
        backend="hypothesis",
        database=None,
        max_examples=max_examples,
        deadline=None,
        derandomize=False,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
    )


@contextmanager
def replayable() -> Iterator[None]:
    """While the block runs, hypothesis draws from its seed and its own constants only.

    It is the one hook into hypothesis's internals (its provider's pool of
    constants mined from loaded modules, and the cache built from that pool);
    `tests/test_grading_replay.py` fails if a new hypothesis moves them.
    """
    from hypothesis.internal.conjecture import providers

    mine = getattr(providers, "_get_local_constants", None)
    cached = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if mine is None or cached is None:  # a hypothesis that mines no constants
        yield
        return
    none = providers.Constants()
    cached.clear()  # drop the choices filtered from mined constants
    providers._get_local_constants = lambda: none
    try:
        yield
    finally:
        providers._get_local_constants = mine
        cached.clear()  # the next ordinary test mines again
