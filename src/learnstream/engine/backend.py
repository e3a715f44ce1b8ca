"""Pick the C core or its pure-Python twin: keyed state, windows, map/filter, event times.

Each part of the C core has a twin of the same name: `keys_c`/`keys_twin`,
`windows_c`/`windows_twin`, `chain_c`/`chain_twin`, `stamps_c`/`stamps_twin`,
`joins_c`/`joins_twin` (and `csrc/keys.c`, ...).
`LEARNSTREAM_BACKEND=c` (the default) uses the C core that cffi built when the
package was installed; `LEARNSTREAM_BACKEND=python` uses the twins. If the C core
is missing (no C compiler at install time), learnstream warns once and runs on
the twins; a C core whose constants differ from the twins'
(`learnstream.engine.constants`) is an error, not a fallback.

Nothing is loaded when this module is imported: `NAME`, `core`, `windows`, `chain`,
`stamps` and `joins` are looked up on first use (PEP 562 module `__getattr__`), so a flow
pays for the C core when it first needs it, and a flow without windows never loads
them.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from learnstream.engine.constants import CoreMismatchError

if TYPE_CHECKING:
    from learnstream.engine import cores


def _load() -> tuple[str, ModuleType]:
    wanted = os.environ.get("LEARNSTREAM_BACKEND", "c").strip().lower() or "c"
    if wanted not in ("c", "python"):
        raise ImportError(f"LEARNSTREAM_BACKEND must be 'c' or 'python', not {wanted!r}")
    if wanted == "c":
        try:
            from learnstream.engine import keys_c

            return "c", keys_c
        except CoreMismatchError:  # a stale build: falling back would hide it
            raise
        except ImportError as exc:
            print(
                f"learnstream: C core unavailable ({exc}); running on the pure-Python twin",
                file=sys.stderr,
            )
    from learnstream.engine import keys_twin

    return "python", keys_twin


_PARTS = {"windows": "windows", "chain": "chain", "stamps": "stamps", "joins": "joins"}
"""The parts besides keyed state, by attribute: each is `<stem>_c` or `<stem>_twin`."""


def _load_part(stem: str, name: str) -> ModuleType:
    """The module of one part of the backend `_load` chose."""
    return importlib.import_module(
        f"learnstream.engine.{stem}_{'twin' if name == 'python' else 'c'}"
    )


# Each part provides its protocol of `learnstream.engine.cores` on either backend.
NAME: str
""""c" or "python": the backend in use."""
core: cores.KeysModule
"""The keyed-state core: `KeyTable` and `KeyCounter`."""
windows: cores.WindowsModule
"""The window core (`WindowCore`) of the same backend."""
chain: cores.ChainModule
"""`run_chain`: fused map and filter steps over a batch, of the same backend."""
stamps: cores.StampsModule
"""`event_micros`: an EventClock's timestamps in microseconds, of the same backend."""
joins: cores.JoinsModule
"""The join core (`JoinCore`) of the same backend."""


def __getattr__(name: str) -> Any:
    """Load a part of the backend the first time it is asked for."""
    loaded = globals()
    if name in ("NAME", "core"):
        loaded["NAME"], loaded["core"] = _load()
    elif name in _PARTS:
        loaded[name] = _load_part(_PARTS[name], sys.modules[__name__].NAME)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return loaded[name]
