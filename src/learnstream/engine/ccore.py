"""The compiled C core (`_ccore`, built by cffi from `csrc/`), checked before first use.

Every `*_c` wrapper takes `ffi` and `lib` from here, so the check runs once, when
the C core is first loaded: every constant the twins share with C
(`learnstream.engine.constants`) must have the same value in the compiled core,
or the import fails with `CoreMismatchError` naming the constant.
"""

from __future__ import annotations

from learnstream.engine import constants
from learnstream.engine._ccore import ffi, lib

constants.check(lib)

__all__ = ["ffi", "lib"]
