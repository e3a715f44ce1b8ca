"""Pick the keyed-state and window implementations: the C core, or its pure-Python twin.

`LEARNSTREAM_BACKEND=c` (the default) uses the C core built by cffi when the
package was installed (`keys_c` and `windows_c`); `LEARNSTREAM_BACKEND=python` uses
the twin (`learnstream.engine.keys_twin` and `learnstream.engine.windows_twin`).
If the C core is missing, learnstream warns once and runs on the twin; a C core
built before the window functions existed runs windows on the twin, also with a warning.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

from learnstream.engine import keys_twin, windows_twin


def _load() -> tuple[str, ModuleType]:
    wanted = os.environ.get("LEARNSTREAM_BACKEND", "c").strip().lower() or "c"
    if wanted not in ("c", "python"):
        raise ImportError(f"LEARNSTREAM_BACKEND must be 'c' or 'python', not {wanted!r}")
    if wanted == "python":
        return "python", keys_twin
    try:
        from learnstream.engine import keys_c
    except ImportError as exc:
        print(
            f"learnstream: C core unavailable ({exc}); running on the pure-Python twin",
            file=sys.stderr,
        )
        return "python", keys_twin
    return "c", keys_c


NAME, core = _load()
"""`NAME` is "c" or "python"; `core` provides KeyTable, KeyCounter and KeyFold."""


def _load_windows() -> ModuleType:
    """The window core of the backend `_load` chose."""
    if NAME == "python":
        return windows_twin
    try:
        from learnstream.engine import windows_c
    except ImportError as exc:  # a C core built before windows.c existed
        print(
            f"learnstream: C window core unavailable ({exc}); windows run on the pure-Python twin",
            file=sys.stderr,
        )
        return windows_twin
    return windows_c


windows: ModuleType = _load_windows()
"""The window core (`WindowCore`, `seconds_to_micros`) of the same backend."""
