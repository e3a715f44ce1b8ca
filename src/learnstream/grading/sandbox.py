"""Run a learner's file in a child process, safely: the grader's side of `child.py`.

`Sandbox(path, limits)` starts `python -m learnstream.grading.child`, imports
the learner's file there, and runs probes on it with `sandbox.probe(...)`.
Every call has a wall-clock timeout; the child's memory, CPU time and output
are capped. Whatever the learner's code does, a call ends in one of three ways:

- it returns the probe's answer as plain data;
- it raises `LearnerError`: the learner's code raised an exception (the child
  is still usable);
- it raises `SandboxDied` (a `BaseException`, so that hypothesis does not try
  to shrink a hang): the code hung, crashed the interpreter, exited, or sent
  back far too much. The child is gone; the next call starts a new one.

A file that fails to import raises the same error on every call, without
importing it again.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from learnstream.grading.codec import decode, encode
from learnstream.grading.failures import FailureKind

#: How long the child may take to start Python and the grader (no learner code runs yet).
_STARTUP_SECONDS = 60.0
_MAX_ANSWER_BYTES = 64 * 1024 * 1024
_SHOWN_OUTPUT_CHARS = 2_000


@dataclass(frozen=True)
class Limits:
    """What learner code may use: seconds per call, memory, output and total CPU.

    >>> Limits().timeout
    5.0
    """

    timeout: float = 5.0
    memory_mb: int = 1024
    output_bytes: int = 4 * 1024 * 1024
    cpu_seconds: int = 300


class LearnerError(Exception):
    """The learner's code raised an exception (or the probe found no such function).

    `kind` is one of EXCEPTION, NOT_IMPLEMENTED, EXIT, MEMORY, MISSING, TOO_BIG,
    FLOOD, SYNTAX: the child names it (see `child._error`).
    """

    def __init__(self, error: dict[str, Any], what: str) -> None:
        self.kind = FailureKind(error["kind"])
        self.type: str = error["type"]
        self.detail: str = error["message"]
        self.line: int | None = error.get("line")
        self.traceback: str = error.get("traceback", "")
        self.source_text: str = error.get("text", "")
        self.what = what
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        """One plain-English sentence saying what went wrong."""
        where = f" (line {self.line})" if self.line else ""
        if self.kind is FailureKind.SYNTAX:
            return f"Python cannot read your file: {self.detail}{where}"
        if self.kind is FailureKind.NOT_IMPLEMENTED:
            return "not implemented yet: it still raises NotImplementedError"
        if self.kind is FailureKind.EXIT:
            return (
                f"{self.what} called sys.exit({self.detail}){where}; remove it — the grader "
                "imports your file and calls your functions, so they must return"
            )
        if self.kind is FailureKind.MEMORY:
            return (
                f"{self.what} ran out of memory{where}; is it building a huge list, "
                "or a list of an endless stream?"
            )
        if self.kind is FailureKind.MISSING:
            return self.detail
        if self.kind is FailureKind.FLOOD:
            return (
                f"{self.what} printed megabytes of output{where}; is there a print() "
                "inside an endless loop?"
            )
        if self.kind is FailureKind.TOO_BIG:
            return f"{self.what} gave back a value with {self.detail}; that is more than expected"
        return f"{self.what} raised {self.type}: {self.detail}{where}"


class SandboxDied(BaseException):
    """The child process hung or ended: `kind` is TIMEOUT, CRASH, EXIT, FLOOD or KILLED."""

    def __init__(self, kind: FailureKind, reason: str) -> None:
        self.kind = kind
        self.reason = reason
        super().__init__(reason)


_SIGNAL_NAMES = {
    signal.SIGSEGV: "a segmentation fault",
    signal.SIGBUS: "a bus error",
    signal.SIGILL: "an illegal instruction",
    signal.SIGFPE: "a floating-point exception",
    signal.SIGABRT: "an abort",
}


def _death(returncode: int, what: str, limits: Limits) -> SandboxDied:
    """Explain how the child ended, from its exit status."""
    if returncode >= 0:
        return SandboxDied(
            FailureKind.EXIT,
            f"{what} ended the Python process (exit status {returncode}) before answering; "
            "remove os._exit()/exit calls — the grader needs your functions to return",
        )
    sig = -returncode
    if sig in _SIGNAL_NAMES:
        return SandboxDied(
            FailureKind.CRASH,
            f"{what} crashed the Python interpreter with {_SIGNAL_NAMES[sig]}; look for ctypes "
            "or C-extension calls",
        )
    if sig == getattr(signal, "SIGXCPU", None):
        return SandboxDied(
            FailureKind.TIMEOUT,
            f"{what} used more than {limits.cpu_seconds} s of CPU time in total",
        )
    return SandboxDied(
        FailureKind.KILLED,
        f"{what} was killed by signal {signal.Signals(sig).name}; if it needs a lot of memory, "
        f"the limit is {limits.memory_mb} MB",
    )


class Sandbox:
    """A learner's file, imported in a child process; call probes on it with `probe`.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "ex.py").write_text("def twice(x):\\n    return 2 * x\\n")
    >>> with Sandbox(folder / "ex.py") as box:
    ...     box.probe("learnstream.grading.probes:call", "twice(21)", fn="twice", args=[21])
    42
    """

    def __init__(
        self, path: Path, limits: Limits | None = None, *, hash_seed: int | None = None
    ) -> None:
        self.path = Path(path).resolve()
        self.limits = limits or Limits()
        # The child's PYTHONHASHSEED: a run's seed fixes the order of the learner's sets
        # and dicts of strs too, so that replaying the seed replays what their code did.
        self.hash_seed = hash_seed
        self._process: subprocess.Popen[bytes] | None = None
        self._requests: IO[bytes] | None = None
        self._answers: int | None = None
        self._buffer = b""
        self._output = tempfile.TemporaryFile()
        # Byte ranges of the output written while the child started (Python's and
        # learnstream's own warnings), which are not the learner's.
        self._startup_output: list[tuple[int, int]] = []
        self._load_failure: LearnerError | SandboxDied | None = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the child's lifetime ------------------------------------------------

    def _start(self) -> None:
        request_read, request_write = os.pipe()
        answer_read, answer_write = os.pipe()
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8")
        if self.hash_seed is not None:
            env["PYTHONHASHSEED"] = str(self.hash_seed % 2**32)
        # The child runs in the learner's folder: make it import this very learnstream,
        # even when the grader found it through a relative PYTHONPATH or a checkout.
        home = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (home, os.environ.get("PYTHONPATH"))))
        limits = self.limits
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-P",
                "-u",
                "-m",
                "learnstream.grading.child",
                str(request_read),
                str(answer_write),
                str(os.getpid()),
                str(limits.memory_mb),
                str(limits.output_bytes),
                str(limits.cpu_seconds),
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            pass_fds=(request_read, answer_write),
            cwd=self.path.parent,
            env=env,
            start_new_session=True,  # its own process group: we can kill what it spawns too
        )
        os.close(request_read)
        os.close(answer_write)
        self._requests = os.fdopen(request_write, "wb", buffering=0)
        self._answers = answer_read
        self._buffer = b""
        before = self._output_size()
        self._receive(_STARTUP_SECONDS, "starting the grader's child process")
        self._startup_output.append((before, self._output_size()))

    def _stop(self) -> None:
        if self._process is None:
            return
        try:
            os.killpg(self._process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._process.wait()
        if self._requests is not None:
            self._requests.close()
        if self._answers is not None:
            os.close(self._answers)
        self._process = self._requests = self._answers = None

    def close(self) -> None:
        """Kill the child (and anything it started)."""
        self._stop()
        self._output.close()

    @property
    def load_failure(self) -> LearnerError | SandboxDied | None:
        """Why the learner's file could not be imported, if it could not."""
        return self._load_failure

    def _output_size(self) -> int:
        return os.fstat(self._output.fileno()).st_size

    def output(self) -> str:
        """What the learner's code printed so far (the start of it, if it was long)."""
        # pread, not seek+read: the child shares this file's offset while it runs.
        fd, size = self._output.fileno(), self._output_size()
        chunks, position = [], 0
        for begin, end in [*self._startup_output, (size, size)]:
            chunks.append(os.pread(fd, max(0, begin - position), position))
            position = end
        data = b"".join(chunks)
        text = data[: _SHOWN_OUTPUT_CHARS * 4].decode("utf-8", "replace")
        if len(text) > _SHOWN_OUTPUT_CHARS:
            text = text[:_SHOWN_OUTPUT_CHARS] + f"\n... ({len(data):,} bytes in all)"
        return text

    # --- talking to it -------------------------------------------------------

    def _send(self, request: dict[str, Any]) -> None:
        assert self._requests is not None
        try:
            self._requests.write((json.dumps(request) + "\n").encode())
        except BrokenPipeError:
            pass  # the child is gone; _receive explains why

    def _receive(self, timeout: float, what: str) -> dict[str, Any]:
        assert self._answers is not None and self._process is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._answers], [], [], max(left, 0))
            if not ready:
                self._stop()
                raise SandboxDied(
                    FailureKind.TIMEOUT,
                    f"{what} did not finish within {timeout:g} s; is there an endless loop, "
                    "or a list() / sum() / sorted() of an endless stream?",
                )
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                returncode = self._process.wait()
                self._stop()
                raise _death(returncode, what, self.limits)
            self._buffer += chunk
            if len(self._buffer) > _MAX_ANSWER_BYTES:
                self._stop()
                raise SandboxDied(FailureKind.FLOOD, f"{what} gave back far too much data")
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            message: dict[str, Any] = json.loads(line)
        except ValueError:
            self._stop()
            raise SandboxDied(
                FailureKind.CRASH, f"{what} wrote over the grader's private channel to its process"
            ) from None
        return message

    def _ensure_loaded(self) -> None:
        if self._load_failure is not None:
            raise self._load_failure
        if self._process is not None:
            return
        what = f"importing {self.path.name}"
        try:
            self._start()
            self._send({"op": "load", "path": str(self.path)})
            answer = self._receive(self.limits.timeout, what)
            if not answer.get("ok"):
                raise LearnerError(answer["error"], what)
        except (LearnerError, SandboxDied) as failure:
            self._stop()
            self._load_failure = failure
            raise

    def probe(self, probe: str, what: str, **args: Any) -> Any:
        """Run `probe` (a "module:function" under learnstream.grading) on the learner's module.

        `what` says, for error messages, what the learner's code was asked to do,
        e.g. "double(<endless stream>)".
        """
        self._ensure_loaded()
        self._send({"op": "probe", "probe": probe, "args": encode(args)})
        answer = self._receive(self.limits.timeout, what)
        if not answer.get("ok"):
            raise LearnerError(answer["error"], what)
        return decode(answer["value"])
