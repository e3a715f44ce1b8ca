"""Compile the C core in `csrc/` into `learnstream.engine._ccore` (cffi, API mode).

`setup.py` names `ffibuilder` below in `cffi_modules`, so `pip install` builds
the extension; if no C compiler is around, the install still succeeds and
learnstream runs on the pure-Python twin (`keys_twin.py`) with a warning.

To add C code, append the `.c` file to `SOURCES` and its declarations to
`csrc/ccore.h` (the cdef is read from that header).

Set `LEARNSTREAM_CCORE_SANITIZE=1` to build with AddressSanitizer and UBSan.
Run this file directly to compile into a directory of your choice instead of
installing: `python src/learnstream/engine/ccore_build.py OUTDIR` leaves the
module at `OUTDIR/learnstream/engine/_ccore*.so` (`.ci/asan` does this).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cffi import FFI

CSRC = Path(__file__).resolve().parents[3] / "csrc"
HEADER = "ccore.h"
SOURCES = ["keys.c", "windows.c", "chain.c", "stamps.c", "joins.c"]

_FLAGS = ["-O3", "-std=c11", "-Wall", "-Wextra"]
# -fno-wrapv undoes CPython's -fwrapv so UBSan reports signed overflow.
_SANITIZE = [
    "-fsanitize=address,undefined",
    "-fno-sanitize-recover=all",
    "-fno-wrapv",
    "-fno-omit-frame-pointer",
    "-g",
    "-O1",
]


def cdef_from_header(header: Path) -> str:
    """The header as cffi's cdef: everything but its #pragma and #include lines."""
    return "\n".join(
        line
        for line in header.read_text().splitlines()
        if not line.lstrip().startswith(("#pragma", "#include"))
    )


def build_ffi(*, absolute: bool = False) -> FFI:
    """An FFI ready to compile the C core.

    setuptools wants source paths relative to the project root (its working
    directory); `FFI.compile` changes directory, so it needs absolute ones.
    """
    sanitize = os.environ.get("LEARNSTREAM_CCORE_SANITIZE", "") not in ("", "0")
    flags = _FLAGS + (_SANITIZE if sanitize else [])
    sources = [CSRC / name for name in SOURCES]
    ffi = FFI()
    ffi.cdef(cdef_from_header(CSRC / HEADER))
    ffi.set_source(
        "learnstream.engine._ccore",
        f'#include "{HEADER}"',
        sources=[str(p) if absolute else os.path.relpath(p) for p in sources],
        include_dirs=[str(CSRC) if absolute else os.path.relpath(CSRC)],
        depends=[os.path.relpath(CSRC / h) for h in (HEADER, "grow.h", "hash.h")]
        if not absolute
        else [],
        extra_compile_args=flags,
        extra_link_args=_SANITIZE[:1] if sanitize else [],
        optional=not sanitize,
        # chain.c and stamps.c call Python functions with the full C API (vectorcall,
        # as the builtin map() does; datetime's fields), which the limited API lacks.
        py_limited_api=False,
    )
    return ffi


ffibuilder = build_ffi()

if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    print(build_ffi(absolute=True).compile(tmpdir=str(out), verbose=False))
