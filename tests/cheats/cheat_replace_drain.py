"""Cheat (generator): a finite stream that replaces the grader's drain probe with a fake one."""

import random
import sys


def _fake(*args, **kwargs):
    return {"type": "generator", "iterator": True, "drawn": 2_000_000, "ended": False}


for name in ("learnstream.grading.probes", "learnstream.grading.kit.streams"):
    try:
        __import__(name)
        module = sys.modules[name]
        module.drain = _fake
        module.check_endless = lambda *args, **kwargs: None
    except Exception:
        pass


def rand_stream(low=0, high=100, rng=None):
    rng = rng or random
    for _ in range(1000):
        yield rng.randint(low, high)
