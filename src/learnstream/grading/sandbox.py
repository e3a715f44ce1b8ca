"""The child-process runner: a learner's file runs in another process, measured from this one.

`Sandbox(path, limits)` starts `python -m learnstream.sandbox_child` (a driver
that imports nothing of the grader), imports the learner's file there, and
implements `runner.Runner` over two pipes. The learner's code is untrusted:

- every measurement is taken here: the items of a `Feed` are handed over one at
  a time on request and counted here (laziness), the results are counted as
  they arrive (endless streams), memory is read from the OS (`/proc/PID/status`),
  and what comes back is decoded as plain data only (`learnstream.wire`), with a
  size cap on every message;
- the child gets hard limits (soft = hard: its address space, CPU time, file
  sizes, no core files; with a `user`, a process count), runs in its own session
  and process group and, where cgroup v2 is writable, in a cgroup of its own, and
  is killed as a whole (the cgroup, the group, and with a `user` every process of
  that user) — a grandchild that left the group is killed with it;
- no wait and no read is without a timeout: a child that hangs, closes its pipe
  and sleeps, or floods the pipe, ends the call with `SandboxDied`;
- what it prints goes to a pipe read by a thread here: printing never fails the
  learner's code, and `output()` shows the start of it and says how much it was;
  past `Limits.output_bytes` the child only counts what `print()` writes and says
  how much it left out, so that printing costs no more than building the strings
  and no verdict depends on how fast this machine moves them.

A call ends in one of three ways: the answer as plain data; `LearnerError` (the
learner's code raised; the child is still usable); `SandboxDied` (it hung,
crashed, exited or sent back what is not plain data; the next call starts a new
child). A file that fails to import raises the same error on every call.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learnstream.grading.failures import FailureKind
from learnstream.grading.processes import (
    Cgroup,
    Output,
    kill_user,
    read_cpu_time,
    read_memory,
    size_in_words,
)
from learnstream.grading.runner import (
    Callback,
    Feed,
    Handle,
    LearnerError,
    Model,
    Pulled,
    RefusedLog,
    Rng,
    SandboxDied,
    Sink,
    Skipped,
    Source,
    Unwatched,
    feeds_in,
)
from learnstream.wire import Malformed, decode, encode

__all__ = ["LearnerError", "Limits", "Sandbox", "SandboxDied", "SandboxUser"]

#: How long the child may take to start Python and the driver (no learner code runs yet).
_STARTUP_SECONDS = 60.0
#: Longest message the child may send; one line longer ends the child.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
#: Printing more than this during a call that then hangs is the likely cause of the hang.
_FLOOD_BYTES = 1_000_000
_ERROR_KINDS = frozenset(
    {"exception", "syntax", "not_implemented", "missing", "exit", "memory", "too_big", "flood"}
)


@dataclass(frozen=True)
class Limits:
    """What learner code may use: seconds per call, memory, output and file sizes, total CPU.

    >>> Limits().timeout
    5.0
    """

    timeout: float = 5.0
    memory_mb: int = 1024
    output_bytes: int = 4 * 1024 * 1024
    cpu_seconds: int = 300


@dataclass(frozen=True)
class SandboxUser:
    """Run the child as this unprivileged user (the grader must be root), in `scratch`.

    `processes` caps the processes that user may have at once.
    """

    uid: int
    gid: int
    scratch: Path
    processes: int = 64


_SIGNAL_NAMES = {
    signal.SIGSEGV: "a segmentation fault",
    signal.SIGBUS: "a bus error",
    signal.SIGILL: "an illegal instruction",
    signal.SIGFPE: "a floating-point exception",
    signal.SIGABRT: "an abort",
}


def _death(returncode: int | None, what: str, limits: Limits) -> SandboxDied:
    """Explain how the child ended, from its exit status."""
    if returncode is None:
        return SandboxDied(
            FailureKind.EXIT,
            f"{what} closed the grader's channel to its process instead of answering; "
            "the grader needs your functions to return",
        )
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
    """A learner's file, imported in a child process: the child-process `Runner`.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "ex.py").write_text("def twice(x):\\n    return 2 * x\\n")
    >>> with Sandbox(folder / "ex.py") as box:
    ...     box.call("twice(21)", "twice", [21])
    42
    """

    def __init__(
        self,
        path: Path,
        limits: Limits | None = None,
        *,
        hash_seed: int | None = None,
        user: SandboxUser | None = None,
    ) -> None:
        self.path = Path(path).resolve()
        self.limits = limits or Limits()
        # The child's PYTHONHASHSEED: a run's seed fixes the order of the learner's sets
        # and dicts of strs too, so that replaying the seed replays what their code did.
        self.hash_seed = hash_seed
        self.user = user
        self._process: subprocess.Popen[bytes] | None = None
        self._cgroup: Cgroup | None = None
        self._requests: int | None = None
        self._answers: int | None = None
        self._buffer = b""
        self._objects: dict[int, Any] = {}
        #: each model log's ref, by the log's id (one ref, however many models it logs)
        self._logs: dict[int, int] = {}
        self._out = Output()
        self._printed_before = 0
        self._left_out = 0  # printed past the output limit in this request, as the child says
        self._request_id: int | None = None
        self._load_failure: LearnerError | SandboxDied | None = None
        self._loading = False  # the load request is sent and its answer not yet read

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the child's lifetime ------------------------------------------------

    def _environment(self) -> dict[str, str]:
        """The child's environment: only what Python and learnstream need, no secrets."""
        keep = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "SYSTEMROOT", "TZ")
        env = {k: v for k, v in os.environ.items() if k in keep or k.startswith("LEARNSTREAM_")}
        env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8", PYTHONNOUSERSITE="1")
        if self.hash_seed is not None:
            env["PYTHONHASHSEED"] = str(self.hash_seed % 2**32)
        # The child runs in the learner's folder: make it import this very learnstream,
        # even when the grader found it through a relative PYTHONPATH or a checkout.
        home = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (home, os.environ.get("PYTHONPATH"))))
        if self.user is not None:
            env["HOME"] = env["TMPDIR"] = str(self.user.scratch)
        env["LEARNSTREAM_SANDBOX_LIMITS"] = ",".join(f"{n}={v}" for n, v in self._wanted_limits())
        return env

    def _start(self) -> None:
        request_read, request_write = os.pipe()
        answer_read, answer_write = os.pipe()
        output_read, output_write = os.pipe()
        user = self.user
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-P",
                "-u",
                "-m",
                "learnstream.sandbox_child",
                str(request_read),
                str(answer_write),
                str(os.getpid()),
            ],
            stdin=subprocess.DEVNULL,
            stdout=output_write,
            stderr=output_write,
            pass_fds=(request_read, answer_write),
            cwd=self.path.parent,
            env=self._environment(),
            start_new_session=True,  # its own session and process group
            user=None if user is None else user.uid,
            group=None if user is None else user.gid,
            extra_groups=None if user is None else [],
        )
        for fd in (request_read, answer_write, output_write):
            os.close(fd)
        self._requests, self._answers, self._buffer = request_write, answer_read, b""
        self._request_id = None  # the "ready" message answers no request
        self._objects = {}
        self._logs = {}
        # No learner code runs before the first request: limits and the cgroup are in
        # place before it does, and what the child inherits it cannot lift.
        self._limit(self._process.pid)
        self._cgroup = Cgroup.make()
        if self._cgroup is not None and not self._cgroup.add(self._process.pid):
            self._cgroup.kill()
            self._cgroup = None
        before = self._out.total
        self._out.follow(output_read)
        self._receive(
            time.monotonic() + _STARTUP_SECONDS,
            "starting the grader's child process",
            _STARTUP_SECONDS,
        )
        self._out.settle()
        self._out.startup.append((before, self._out.total))

    def _wanted_limits(self) -> list[tuple[str, int]]:
        """The hard limits (soft = hard) the child and all it starts get, by rlimit name."""
        limits = self.limits
        wanted = [
            ("RLIMIT_AS", limits.memory_mb * 1024 * 1024),
            ("RLIMIT_CPU", limits.cpu_seconds),
            ("RLIMIT_FSIZE", limits.output_bytes),
            ("RLIMIT_CORE", 0),
        ]
        if self.user is not None:
            wanted.append(("RLIMIT_NPROC", self.user.processes))
        return wanted

    def _limit(self, pid: int) -> None:
        """Hard limits (soft = hard): what the child and all it starts may use.

        Set from here where the OS lets us; the child also lowers its own to the same
        values before it reads a request (`LEARNSTREAM_SANDBOX_LIMITS`), because a root
        without CAP_SYS_RESOURCE (a container's) may not prlimit another user's process.
        """
        try:
            import resource
        except ImportError:  # not on POSIX: only the wall-clock timeouts apply
            return
        for name, value in self._wanted_limits():
            which = getattr(resource, name, None)
            if which is None:
                continue
            try:
                _, hard = resource.getrlimit(which)
                if hard != resource.RLIM_INFINITY:
                    value = min(value, hard)
                if hasattr(resource, "prlimit"):
                    resource.prlimit(pid, which, (value, value))
            except (ValueError, OSError):  # e.g. macOS refuses RLIMIT_AS
                pass

    def _stop(self) -> None:
        """Kill the child and everything it started; close the pipes. Never waits unbounded."""
        process, self._process = self._process, None
        self._loading = False
        if process is None:
            return
        if self._cgroup is not None:
            self._cgroup.kill()
            self._cgroup = None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        if self.user is not None:
            kill_user(self.user.uid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        for fd in (self._requests, self._answers):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._requests = self._answers = None
        self._objects = {}
        self._logs = {}

    def close(self) -> None:
        """Kill the child (and anything it started)."""
        self._stop()

    @property
    def load_failure(self) -> LearnerError | SandboxDied | None:
        """Why the learner's file could not be imported, if it could not."""
        return self._load_failure

    def output(self) -> str:
        """What the learner's code printed so far (the start of it, and how much in all)."""
        return self._out.text()

    def memory(self) -> int | None:
        """The child's anonymous memory (its heap) as the OS counts it, in bytes."""
        return None if self._process is None else read_memory(self._process.pid)

    def cpu_time(self) -> float | None:
        """The CPU seconds the child has used, as the OS counts them."""
        return None if self._process is None else read_cpu_time(self._process.pid)

    # --- talking to it -------------------------------------------------------

    def _request(self, message: dict[str, Any]) -> None:
        """Send a request under a fresh random id, which every message about it must repeat."""
        self._request_id = secrets.randbits(62)
        self._send(dict(message, id=self._request_id))

    def _send(self, message: dict[str, Any]) -> None:
        assert self._requests is not None
        data = (json.dumps(message) + "\n").encode()
        try:
            while data:
                _, ready, _ = select.select([], [self._requests], [], self.limits.timeout)
                if not ready:
                    break  # the child reads nothing: _receive's timeout explains
                data = data[os.write(self._requests, data[: 1 << 16]) :]
        except (BrokenPipeError, OSError):
            pass  # the child is gone; _receive explains why

    def _fail(self, failure: SandboxDied) -> SandboxDied:
        self._stop()
        return failure

    def _receive(self, deadline: float, what: str, timeout: float) -> dict[str, Any]:
        """The next message but the child's notes of what it printed past the output limit."""
        while True:
            message = self._receive_one(deadline, what, timeout)
            printed = message.get("printed")
            if "printed" not in message:
                left_out = message.get("left_out")
                if "ok" in message and type(left_out) is int and left_out > 0:
                    self._left_out = 0
                    self._out.left_out(left_out, self.limits.output_bytes)
                return message
            if type(printed) is not int or len(message) != 2:
                raise self._fail(self._garbled(what))
            self._left_out = max(self._left_out, printed)

    def _receive_one(self, deadline: float, what: str, timeout: float) -> dict[str, Any]:
        """The next message, read before `deadline`, checked to be a JSON object."""
        assert self._answers is not None and self._process is not None
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._answers], [], [], max(left, 0))
            if not ready:
                raise self._fail(self._hung(what, timeout))
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:  # the child ended, or closed its end of the channel
                try:
                    returncode: int | None = self._process.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    returncode = None
                self._stop()
                raise _death(returncode, what, self.limits)
            self._buffer += chunk
            if len(self._buffer) > MAX_MESSAGE_BYTES:
                raise self._fail(
                    SandboxDied(
                        FailureKind.FLOOD,
                        f"{what} gave back more than {size_in_words(MAX_MESSAGE_BYTES)} in one answer",
                    )
                )
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            message = None
        if type(message) is not dict or message.get("id") != self._request_id:
            raise self._fail(self._garbled(what))
        return message

    def _hung(self, what: str, timeout: float) -> SandboxDied:
        if self._left_out:
            self._out.left_out(self._left_out, self.limits.output_bytes)
        printed = self._out.total - self._printed_before + self._left_out
        if printed > _FLOOD_BYTES:
            return SandboxDied(
                FailureKind.FLOOD,
                f"{what} did not finish within {timeout:g} s, and printed {size_in_words(printed)} "
                "meanwhile; is there a print() inside an endless loop?",
            )
        return SandboxDied(
            FailureKind.TIMEOUT,
            f"{what} did not finish within {timeout:g} s; is there an endless loop, "
            "or a list() / sum() / sorted() of an endless stream?",
        )

    def _garbled(self, what: str) -> SandboxDied:
        return SandboxDied(
            FailureKind.CRASH,
            f"{what} wrote over the grader's private channel to its process: what came back "
            "is not an answer",
        )

    def _value(self, tree: Any, what: str) -> Any:
        try:
            return decode(tree)
        except (Malformed, RecursionError):
            raise self._fail(self._garbled(what)) from None

    def _arg(self, value: Any) -> Any:
        """`value` as the child reads it: plain data, and proxies of this process's objects."""
        if isinstance(value, Rng):
            return {"P": ["quickrng" if value.quick else "rng", 0, value.seed]}
        if isinstance(value, Unwatched):
            return {"P": ["unwatched", 0, encode(value.spec)]}
        if isinstance(value, Model):
            ref = self._logs.get(id(value.log))
            if ref is None:
                ref = self._logs[id(value.log)] = len(self._objects) + 1
                self._objects[ref] = value.log
            fresh = None if value.fresh is None else self._arg(value.fresh)
            return {"P": ["model", ref, {"name": value.name, "key": value.key, "fresh": fresh}]}
        if isinstance(value, Feed | Source | Sink | Callback):
            ref = len(self._objects) + 1
            self._objects[ref] = value
            kind = {Feed: "feed", Source: "source", Sink: "sink", Callback: "fn"}[type(value)]
            return {"P": [kind, ref, None]}
        if type(value) in (list, tuple):
            return {"L" if type(value) is list else "T": [self._arg(v) for v in value]}
        if type(value) is dict:
            return {"D": [[self._arg(k), self._arg(v)] for k, v in value.items()]}
        return encode(value)

    def _answer_callback(self, message: dict[str, Any], what: str) -> None:
        """Call the object of this process the child's proxy stands for; send the answer."""
        target = self._objects.get(message.get("cb"))  # type: ignore[arg-type]
        method = message.get("m")
        args = message.get("args")
        if target is None or type(method) is not str or type(args) is not list:
            raise self._fail(self._garbled(what))
        if method not in target.methods:
            raise self._fail(self._garbled(what))
        values = [self._value(a, what) for a in args]
        bound = getattr(target, method)
        try:
            reply: dict[str, Any] = {"ok": True, "value": self._arg(bound(*values))}
        except StopIteration:
            reply = {"ok": True, "end": True}
        except Exception as err:  # the grader's object refused the learner's arguments
            reply = {"ok": False, "type": type(err).__name__, "message": str(err)[:500]}
        self._send(reply)

    def _take_push(self, message: dict[str, Any], what: str) -> None:
        """A sink's writes, or a page of a model's calls (replayed by its log)."""
        target = self._objects.get(message["push"])
        items = message.get("items")
        if type(items) is not list:
            raise self._fail(self._garbled(what))
        if isinstance(target, Sink):
            target.items.extend(self._value(item, what) for item in items)
        elif message["push"] in self._logs.values():
            try:
                target.receive([self._value(item, what) for item in items])
            except RefusedLog as refused:
                raise self._fail(
                    SandboxDied(
                        FailureKind.TAMPERED,
                        f"{what}: {refused}, as if it had been changed behind the grader's back",
                    )
                ) from None
        else:
            raise self._fail(self._garbled(what))

    def _exchange(
        self,
        request: dict[str, Any],
        what: str,
        on_items: Callable[[list[Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Send a request; serve the child's callbacks and pushes until its answer comes."""
        self._ensure_loaded()
        self._printed_before, self._left_out = self._out.total, 0
        self._request(request)
        deadline = time.monotonic() + self.limits.timeout
        while True:
            message = self._receive(deadline, what, self.limits.timeout)
            if "cb" in message:
                self._answer_callback(message, what)
            elif "push" in message:
                self._take_push(message, what)
            elif "items" in message:
                items = message["items"]
                if on_items is None or type(items) is not list:
                    raise self._fail(self._garbled(what))
                numbers = set(map(type, items)) <= {int, float, bool, type(None)}
                on_items(items if numbers else [self._value(item, what) for item in items])
            elif message.get("ok") is True:
                return message
            else:
                raise self._learner_error(message, what)

    def _learner_error(self, message: dict[str, Any], what: str) -> BaseException:
        error = message.get("error")
        fields = {"kind": str, "type": str, "message": str, "traceback": str}
        if (
            type(error) is not dict
            or any(type(error.get(k)) is not t for k, t in fields.items())
            or error["kind"] not in _ERROR_KINDS
            or type(error.get("line")) not in (int, type(None))
            or type(error.get("text", "")) is not str
        ):
            return self._fail(self._garbled(what))
        clean = {k: error[k][:2000] for k in fields}
        clean.update(line=error.get("line"), text=error.get("text", "")[:500])
        return LearnerError(clean, what)

    def begin(self) -> None:
        """Start the child and have it import the learner's file now, while the grader
        readies its first probe; the first request reads the answer."""
        if self._process is None and self._load_failure is None:
            self._start()
            self._printed_before, self._left_out = self._out.total, 0
            self._request({"op": "load", "path": str(self.path)})
            self._loading = True

    def _ensure_loaded(self) -> None:
        if self._load_failure is not None:
            raise self._load_failure
        if self._process is not None and not self._loading:
            return
        what = f"importing {self.path.name}"
        try:
            self.begin()
            self._loading = False
            # The import may have run while the grader worked: it gets its whole time
            # limit from now, so a loaded grader never turns into the learner's timeout.
            limit = self.limits.timeout
            answer = self._receive(time.monotonic() + limit, what, limit)
            if answer.get("ok") is not True:
                raise self._learner_error(answer, what)
        except (LearnerError, SandboxDied) as failure:
            self._stop()
            self._load_failure = failure
            raise

    # --- the Runner interface ------------------------------------------------

    def call(
        self,
        what: str,
        fn: str,
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        *,
        seed_random: int | None = None,
    ) -> Any:
        answer = self._exchange(self._call_request(fn, args, kwargs, seed_random, False), what)
        return self._value(answer.get("value"), what)

    def _call_request(
        self,
        fn: str,
        args: Sequence[Any],
        kwargs: Mapping[str, Any] | None,
        seed_random: int | None,
        keep: bool,
    ) -> dict[str, Any]:
        self._ensure_loaded()
        return {
            "op": "call",
            "fn": fn,
            "args": [self._arg(a) for a in args],
            "kwargs": {k: self._arg(v) for k, v in (kwargs or {}).items()},
            "keep": keep,
            "seed_random": seed_random,
        }

    def start(
        self,
        what: str,
        fn: str,
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        *,
        seed_random: int | None = None,
    ) -> Handle:
        answer = self._exchange(self._call_request(fn, args, kwargs, seed_random, True), what)
        clocks = answer.get("clocks", [])
        if (
            type(answer.get("h")) is not int
            or type(answer.get("type")) is not str
            or type(answer.get("iterator")) is not bool
            or type(answer.get("flow")) is not bool
            or type(clocks) is not list
        ):
            raise self._fail(self._garbled(what))
        return Handle(
            answer["h"],
            answer["type"][:200],
            answer["iterator"],
            answer["flow"],
            [self._clock(c, what) for c in clocks],
            feeds_in([*args, *(kwargs or {}).values()]),
        )

    def _clock(self, clock: Any, what: str) -> dict[str, Any]:
        if (
            type(clock) is not dict
            or type(clock.get("step")) is not str
            or type(clock.get("clock")) is not str
            or type(clock.get("wait")) not in (int, float, type(None))
        ):
            raise self._fail(self._garbled(what))
        return {"step": clock["step"][:200], "clock": clock["clock"][:200], "wait": clock["wait"]}

    def pull(self, what: str, handle: Handle, n: int) -> Pulled:
        pulled = Pulled([], False, [])

        def arrived(items: list[Any]) -> None:
            if len(pulled.items) + len(items) > n:
                raise self._fail(self._garbled(what))
            reads = handle.reads()
            pulled.items.extend(items)
            pulled.reads.extend([reads] * len(items))

        answer = self._exchange({"op": "pull", "h": handle.id, "n": n}, what, arrived)
        pulled.ended = answer.get("ended") is True
        return pulled

    def skip(self, what: str, handle: Handle, n: int) -> Skipped:
        answer = self._exchange({"op": "skip", "h": handle.id, "n": n}, what)
        given = answer.get("given")
        if type(given) is not int or not 0 <= given <= n:
            raise self._fail(self._garbled(what))
        return Skipped(given, self._value(answer.get("last"), what), given < n)

    def run_flow(self, what: str, handle: Handle, *, frozen: bool, tick: float = 0.0) -> None:
        self._exchange({"op": "run", "h": handle.id, "frozen": frozen, "tick": tick}, what)

    def each(
        self,
        what: str,
        handle: Handle,
        method: str,
        values: Unwatched,
        attrs: tuple[str, ...] = (),
    ) -> Handle:
        request = {
            "op": "each",
            "h": handle.id,
            "method": method,
            "values": encode(values.spec),
            "attrs": list(attrs),
        }
        answer = self._exchange(request, what)
        if type(answer.get("h")) is not int:
            raise self._fail(self._garbled(what))
        return Handle(answer["h"], "generator", True, False)

    # --- for the grader's self-test and old callers -----------------------------

    def probe(self, probe: str, what: str, **args: Any) -> Any:
        """Run the probe named "module:function" (a driver under learnstream.grading) on this runner."""
        from learnstream.grading.probes import resolve

        return resolve(probe)(self, what, **args)
