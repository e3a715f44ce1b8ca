"""River's `ADWIN()` replayed by the grader: where it reports drifts on a stream of errors.

A drift check replays the detector the contract names on the errors of the
learner's own model and compares where drift is reported, event by event. The
replay runs River's own `ADWIN` class, of the installed version, with its
default settings; it is loaded from its module file alone, because importing
`river.drift` also imports `KSWIN` and with it `scipy.stats` (seconds of a
grade spent on nothing the replay uses). `tests/test_grading_part4.py` checks
that the class loaded is River's, and that the replay reports what
`river.drift.ADWIN()` reports.

>>> adwin_drifts([0] * 300 + [1] * 300)
[319]
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

_MODULE = "learnstream_river_adwin"


@cache
def river_adwin() -> Any:
    """River's `ADWIN` class (`river.drift.adwin.ADWIN`), loaded without `river.drift`'s package."""
    loaded = sys.modules.get("river.drift.adwin")
    if loaded is not None:  # river.drift is imported already: use it
        return loaded.ADWIN
    river = importlib.util.find_spec("river")
    if river is None or river.origin is None:
        raise ImportError("River is not installed")
    path = Path(river.origin).parent / "drift" / "adwin.py"
    spec = importlib.util.spec_from_file_location(_MODULE, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load River's ADWIN from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ADWIN


def adwin_drifts(errors: Sequence[float], *, fresh_after_drift: bool = False) -> list[int]:
    """The indices of `errors` at which `ADWIN()` (default settings) detects a drift.

    With `fresh_after_drift`, a new `ADWIN()` takes over after each drift (a
    variant some tutorials write; River's own detector decides what it forgets).
    """
    make = river_adwin()
    detector, found = make(), []
    for i, error in enumerate(errors):
        detector.update(error)
        if detector.drift_detected:
            found.append(i)
            if fresh_after_drift:
                detector = make()
    return found
