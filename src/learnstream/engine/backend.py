"""Pick the keyed-state and window implementations: the C core, or its pure-Python twin.

`LEARNSTREAM_BACKEND=c` (the default) uses the C core built by cffi when the
package was installed (`keys_c` and `windows_c`); `LEARNSTREAM_BACKEND=python` uses
the twin (`learnstream.engine.keys_twin` and `learnstream.engine.windows_twin`).
If the C core is missing, learnstream warns once and runs on the twin; a C core
built before the window functions existed runs windows on the twin, also with a warning.

Nothing is loaded when this module is imported: `NAME`, `core`, `windows` and `chain` are
looked up on first use (PEP 562 module `__getattr__`), so a flow pays for the C
core when it first keeps state, and a flow without windows never loads them.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType
from typing import Any


def _load() -> tuple[str, ModuleType]:
    wanted = os.environ.get("LEARNSTREAM_BACKEND", "c").strip().lower() or "c"
    if wanted not in ("c", "python"):
        raise ImportError(f"LEARNSTREAM_BACKEND must be 'c' or 'python', not {wanted!r}")
    if wanted == "c":
        try:
            from learnstream.engine import keys_c

            return "c", keys_c
        except ImportError as exc:
            print(
                f"learnstream: C core unavailable ({exc}); running on the pure-Python twin",
                file=sys.stderr,
            )
    from learnstream.engine import keys_twin

    return "python", keys_twin


def _load_windows(name: str) -> ModuleType:
    """The window core of the backend `_load` chose."""
    from learnstream.engine import windows_twin

    if name == "python":
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


def _load_chain(name: str) -> ModuleType:
    """The map/filter chain runner of the backend `_load` chose."""
    if name == "c":
        try:
            from learnstream.engine import chain_c

            return chain_c
        except ImportError as exc:
            print(
                f"learnstream: C chain unavailable ({exc}); map and filter run on the twin",
                file=sys.stderr,
            )
    from learnstream.engine import chain_twin

    return chain_twin


NAME: str
""""c" or "python": the backend in use."""
core: ModuleType
"""The keyed-state core: KeyTable, KeyCounter and KeyFold."""
windows: ModuleType
"""The window core (`WindowCore`, `seconds_to_micros`) of the same backend."""
chain: ModuleType
"""`run_chain`: fused map and filter steps over a batch, of the same backend."""


def __getattr__(name: str) -> Any:
    """Load the backend the first time `NAME`, `core`, `windows` or `chain` is asked for."""
    loaded = globals()
    if name in ("NAME", "core"):
        loaded["NAME"], loaded["core"] = _load()
    elif name == "windows":
        loaded["windows"] = _load_windows(sys.modules[__name__].NAME)
    elif name == "chain":
        loaded["chain"] = _load_chain(sys.modules[__name__].NAME)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return loaded[name]
