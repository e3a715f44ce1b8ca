"""The child process that imports and runs a learner's file: `python -m learnstream.grading.child`.

It is started by `learnstream.grading.sandbox.Sandbox` with two pipe file
descriptors: requests arrive on the first, answers leave on the second, one
JSON object per line. The learner's prints go to stdout/stderr, which the
sandbox captured into a file, so nothing the learner prints can be taken for an
answer. The process limits its own memory, CPU time and output size before it
runs any learner code, and dies with the grader.

Requests: `{"op": "load", "path": FILE}` imports the learner's file;
`{"op": "probe", "probe": "module:function", "args": ENCODED}` runs a probe
(`learnstream.grading.probes`) on it. Answers: `{"ok": true, "value": ENCODED}`
or `{"ok": false, "error": {"kind", "type", "message", "line", "traceback"}}`.
"""

from __future__ import annotations

import errno
import importlib
import importlib.util
import json
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

from learnstream.grading.codec import TooBig, decode, encode
from learnstream.grading.probes import MissingName

#: Probes may only come from the grader's own package.
_PROBE_PREFIX = "learnstream.grading."


def _limit_self(memory_mb: int, output_bytes: int, cpu_seconds: int) -> None:
    """Cap this process's address space, file writes and CPU time; no core files."""
    try:
        import resource
    except ImportError:  # not on POSIX: only the grader's wall-clock timeout applies
        return
    for name, value in (
        ("RLIMIT_AS", memory_mb * 1024 * 1024),
        ("RLIMIT_FSIZE", output_bytes),
        ("RLIMIT_CPU", cpu_seconds),
        ("RLIMIT_CORE", 0),
    ):
        which = getattr(resource, name, None)
        if which is None:
            continue
        try:
            _, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError):  # e.g. macOS refuses RLIMIT_AS
            pass


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill this process if the grader dies, so no runaway child outlives it."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the grader died before prctl took effect
        os._exit(1)


def _learner_traceback(exc: BaseException, folder: Path) -> tuple[str, int | None]:
    """The traceback restricted to frames in the learner's folder, and the last such line."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        # "<frozen importlib...>" is no file: resolved against the cwd (the learner's
        # folder) it would pass for one of theirs.
        if not frame.filename.startswith("<") and Path(frame.filename).resolve().parent == folder
    ]
    if isinstance(exc, SyntaxError) and exc.filename:
        return "", exc.lineno
    text = "".join(traceback.format_list(frames)) if frames else ""
    return text, frames[-1].lineno if frames else None


def _message(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:  # the learner's exception class may have a broken __str__
        text = "(its message could not be shown)"
    return text if len(text) <= 500 else text[:497] + "..."


def _error(exc: BaseException, folder: Path) -> dict[str, Any]:
    kind = "exception"
    if isinstance(exc, SyntaxError):
        kind = "syntax"
    elif isinstance(exc, NotImplementedError):
        kind = "not_implemented"
    elif isinstance(exc, SystemExit):
        kind = "exit"
    elif isinstance(exc, MemoryError):
        kind = "memory"
    elif isinstance(exc, MissingName):
        kind = "missing"
    elif isinstance(exc, TooBig):
        kind = "too_big"
    elif isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        kind = "flood"  # Python ignores SIGXFSZ, so the output cap shows up as this error
    text, line = _learner_traceback(exc, folder)
    error: dict[str, Any] = {
        "kind": kind,
        "type": type(exc).__name__,
        "message": _message(exc),
        "line": line,
        "traceback": text,
    }
    if isinstance(exc, SyntaxError):
        error["message"] = exc.msg
        error["text"] = (exc.text or "").rstrip("\n")
        error["offset"] = exc.offset
    return error


def _load(path: Path) -> ModuleType:
    """Import the learner's file under its own name, with its folder importable."""
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def _probe(spec: str) -> Any:
    module_name, _, function = spec.partition(":")
    if not module_name.startswith(_PROBE_PREFIX):
        raise ValueError(f"probe {spec!r} is not part of learnstream.grading")
    return getattr(importlib.import_module(module_name), function)


def serve(requests: Any, answer: Any) -> None:
    """Answer requests until the grader closes the pipe."""
    module: ModuleType | None = None
    folder = Path.cwd().resolve()
    answer({"ready": True})
    for line in requests:
        request = json.loads(line)
        try:
            if request["op"] == "load":
                path = Path(request["path"]).resolve()
                folder = path.parent
                module = _load(path)
                reply: dict[str, Any] = {"ok": True, "value": None}
            else:
                probe = _probe(request["probe"])
                value = probe(module, **decode(request["args"]))
                reply = {"ok": True, "value": encode(value)}
        except BaseException as exc:  # everything the learner's code can throw, even SystemExit
            reply = {"ok": False, "error": _error(exc, folder)}
        answer(reply)


def main(argv: list[str]) -> None:
    """Entry point: `child REQUEST_FD ANSWER_FD PARENT_PID MEMORY_MB OUTPUT_BYTES CPU_SECONDS`."""
    request_fd, answer_fd, parent_pid, memory_mb, output_bytes, cpu_seconds = map(int, argv)
    _die_with_parent(parent_pid)
    _limit_self(memory_mb, output_bytes, cpu_seconds)
    # Bind what the channel needs now: learner code may rebind names in json or sys later.
    dumps, write = json.dumps, os.write

    def answer(message: dict[str, Any]) -> None:
        data = (dumps(message) + "\n").encode()
        while data:
            data = data[write(answer_fd, data) :]

    with os.fdopen(request_fd, "rb") as requests:
        serve(requests, answer)


if __name__ == "__main__":
    main(sys.argv[1:])
