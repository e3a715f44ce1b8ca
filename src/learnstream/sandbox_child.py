"""The child process that runs a learner's file for the grader: a driver, and nothing to trust.

`python -m learnstream.sandbox_child REQUEST_FD ANSWER_FD` is started by the
grader's child-process runner (`learnstream.grading.sandbox`). It imports the
learner's file and does what each request says — call a function, pull items
from the iterator it returned, run the flow it built — and sends back plain data
(`learnstream.wire`). It holds no check, no reference answer and no
measurement, and imports nothing of `learnstream.grading`: everything the
grader judges, it measures in its own process. The learner's code may take this
driver over; then it can only send plain data, which the grader judges as any
other answer.

Anything the learner's code reads or calls that belongs to the grader — the
input stream of a generator, a flow's sources and sinks, a lookup function — is
a *proxy*: each use asks the grader over the pipe, and the grader counts it. (A
River model is made here instead, and its calls sent back in pages for the
grader to replay: `learnstream.sandbox_models`.) A request's answer may so be preceded by:

- `{"cb": REF, "m": METHOD, "args": [...]}`: a call of the grader's object REF,
  answered `{"ok": true, "value": V}`, `{"ok": true, "end": true}` (the stream
  ended) or `{"ok": false, "type": T, "message": M}`;
- `{"items": [...]}`: results of a `pull`, in order, sent before any callback
  (so the grader knows how many inputs were read before each result);
- `{"push": REF, "items": [...]}`: a sink's writes, or a page of the calls made of
  the models logged to REF (`learnstream.sandbox_models`); no answer.

Every request carries an `id` (a random number) which every message sent about
it repeats: answers written ahead of time by the learner's code are refused.
Requests: `load {path}`, `call {fn, args, kwargs, keep, seed_random}`, `pull {h,
n}`, `skip {h, n}`, `each {h, method, values}`, `run {h, frozen}`. Answers: `{"ok": true, ...}` or `{"ok":
false, "error": {"kind", "type", "message", "line", "traceback"}}`. The
protocol is described for other runners in the grading package's `runner.py`.
"""

from __future__ import annotations

import collections
import errno
import gc
import importlib.util
import io
import itertools
import json
import os
import random
import sys
import traceback
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from learnstream.wire import MAX_NODES, TooBig, decode, encode

#: The "system time" a frozen flow sees, so that watermarks move with event time only.
FROZEN_NOW = datetime(2024, 1, 1, tzinfo=UTC)
#: Items the polled sources of the running flow have given (a ticking frozen clock's count).
_GIVEN = [0]
#: Items per message of a `pull`.
_CHUNK = 20_000
#: Model calls per message.
_PAGE = 2_000
# What the driver pulls items with, bound before any learner code runs: a learner who
# patches builtins.next or itertools must aim at this driver itself to change what it sends.
_next, _islice, _deque, _count, _collect = (
    next,
    itertools.islice,
    collections.deque,
    itertools.count,
    gc.collect,
)


class MissingName(Exception):
    """The learner's file does not define the function a check calls."""


class QuickRandom(random.Random):
    """A `random.Random` whose `randint` is a few times quicker (for drawing millions)."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


def find(module: ModuleType | Any, name: str) -> Callable[..., Any]:
    """The learner's function `name`, or a `MissingName` that says what to do."""
    function = getattr(module, name, None)
    if function is None:
        raise MissingName(
            f"there is no function `{name}` in your file; keep the name (and the signature) "
            "the stub gave it"
        )
    if not callable(function):
        kind = type(function).__name__
        article = "an" if kind[:1].lower() in "aeiou" else "a"
        raise MissingName(f"`{name}` in your file is {article} {kind}, not a function")
    return function


# --- what a learner's code meets of the grader: proxies and engine adapters ----------


def polled_source(poll: Callable[[], list[Any]], built: Callable[[], None]) -> Any:
    """A flow source of one partition whose every batch is `poll()` (StopIteration ends it)."""
    from learnstream.inputs import FixedPartitionedSource, StatefulSourcePartition

    class Partition(StatefulSourcePartition[Any, int]):
        def __init__(self) -> None:
            self.position = 0

        def next_batch(self) -> list[Any]:
            batch = poll()
            self.position += len(batch)
            _GIVEN[0] += len(batch)
            return batch

        def snapshot(self) -> int:
            return self.position

    class PolledSource(FixedPartitionedSource[Any, int]):
        def list_parts(self) -> list[str]:
            return ["fed"]

        def build_part(self, step_id: str, for_part: str, resume_state: int | None) -> Any:
            built()
            return Partition()

    return PolledSource()


def pushed_sink(push: Callable[[list[Any]], None]) -> Any:
    """A flow sink that hands each batch it is given to `push`."""
    from learnstream.outputs import DynamicSink, StatelessSinkPartition

    class Partition(StatelessSinkPartition[Any]):
        def write_batch(self, items: list[Any]) -> None:
            push(list(items))

    class PushedSink(DynamicSink[Any]):
        def build(self, step_id: str, worker_index: int, worker_count: int) -> Any:
            return Partition()

    return PushedSink()


def unwatched(spec: dict[str, Any]) -> Iterator[Any]:
    """A stream from its spec: `{"count": start}`, `{"cycle": [...]}` or `{"items": [...]}`.

    With `"ballast": n` (counts only), each number carries `n` bytes: a state that
    keeps the numbers it is given then grows by that much per item, which the
    grader sees in the process's memory from outside.
    """
    if "items" in spec:
        return iter(list(spec["items"]))
    if "cycle" in spec:
        return itertools.cycle(list(spec["cycle"]))
    if spec.get("ballast"):
        return _ballasted(spec["count"], spec["ballast"])
    return itertools.count(spec["count"])


class _BallastInt(int):
    """An int that carries ballast (arithmetic on it gives plain ints)."""

    ballast: bytes


class _BallastFloat(float):
    """A float that carries ballast (arithmetic on it gives plain floats)."""

    ballast: bytes


def _ballasted(start: float, size: int) -> Iterator[Any]:
    kind = _BallastFloat if type(start) is float else _BallastInt
    for n in itertools.count(start):
        item = kind(n)
        item.ballast = bytes(size)
        yield item


def calls_each(
    target: Any, method: str, values: Iterator[Any], attrs: tuple[str, ...] = ()
) -> Iterator[tuple[Any, ...]]:
    """Call `target.method(value)` for each value; yield whether it returned `target`
    itself, then the attributes `attrs` of `target` after the call."""
    for value in values:
        returned = getattr(target, method)(value)
        yield (returned is target, *(getattr(target, name) for name in attrs))


def flow_clocks(flow: Any) -> list[dict[str, Any]]:
    """The clock of each windowing step of `flow`: its step, kind and wait (seconds)."""
    from learnstream.operators.windowing import EventClock

    clocks = []
    for step in flow.steps:
        clock = step.params.get("clock")
        if clock is None:
            continue
        wait = None
        if isinstance(clock, EventClock):
            wait = clock.wait_for_system_duration.total_seconds()
        where = step.params.get("written_as", step.step_id)
        clocks.append({"step": str(where), "clock": type(clock).__name__, "wait": wait})
    return clocks


def describe(value: Any) -> dict[str, Any]:
    """What the grader may know of a value the learner's code returned and the runner keeps."""
    from learnstream.dataflow import Dataflow

    info: dict[str, Any] = {
        "type": type(value).__qualname__,
        "iterator": isinstance(value, Iterator),
        "flow": isinstance(value, Dataflow),
    }
    if info["flow"]:
        info["clocks"] = flow_clocks(value)
    return info


def run_flow(flow: Any, frozen: bool, tick: float = 0.0) -> None:
    """Run a learner's `Dataflow` to its end, its clock held at `FROZEN_NOW` when `frozen`,
    and moved `tick` seconds further for each item its fed sources have given."""
    from learnstream.testing import run_main

    if frozen:
        _GIVEN[0] = 0
        step = timedelta(seconds=tick)
        run_main(flow, now_getter=lambda: FROZEN_NOW + _GIVEN[0] * step)
    else:
        run_main(flow)


# --- errors, as plain data -------------------------------------------------------------


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and the exceptions that caused it, outermost first (a step's error wraps theirs)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return chain


def _learner_traceback(exc: BaseException, folder: Path) -> tuple[str, int | None]:
    """The traceback restricted to frames in the learner's folder, and the last such line.

    When `exc` has none of their frames (a flow's step wrapped the exception their
    function raised), the frames come from the innermost exception of its chain that has.
    """
    if isinstance(exc, SyntaxError) and exc.filename:
        return "", exc.lineno
    frames: list[traceback.FrameSummary] = []
    for link in _chain(exc):
        theirs = [
            frame
            for frame in traceback.extract_tb(link.__traceback__)
            # "<frozen importlib...>" is no file: resolved against the cwd (the learner's
            # folder) it would pass for one of theirs.
            if not frame.filename.startswith("<")
            and Path(frame.filename).resolve().parent == folder
        ]
        frames = theirs or frames
    text = "".join(traceback.format_list(frames)) if frames else ""
    return text, frames[-1].lineno if frames else None


def _message(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:  # the learner's exception class may have a broken __str__
        text = "(its message could not be shown)"
    return text if len(text) <= 500 else text[:497] + "..."


def error_of(exc: BaseException, folder: Path) -> dict[str, Any]:
    """What went wrong in the learner's code, as plain data (`kind` names a `FailureKind`)."""
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
    elif any(isinstance(link, OSError) and link.errno == errno.EFBIG for link in _chain(exc)):
        kind = "flood"  # a file grew past the limit (Python ignores SIGXFSZ), maybe in a step
    text, line = _learner_traceback(exc, folder)
    error: dict[str, Any] = {
        "kind": kind,
        "type": type(exc).__name__,
        "message": _message(exc),
        "line": line,
        "traceback": text,
    }
    if isinstance(exc, SyntaxError):
        error["message"] = str(exc.msg)
        error["text"] = (exc.text or "").rstrip("\n")
    return error


def load(path: Path) -> ModuleType:
    """Import the learner's file under its own name, with its folder importable."""
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


# --- what the learner prints ----------------------------------------------------------


#: Past the output limit, the grader hears of every this many bytes more printed.
_NOTE_BYTES = 1_000_000


class Printed(io.TextIOBase):
    """The learner's stdout and stderr: sent to the grader up to `budget` bytes.

    Past the budget (the output limit, for the life of this process) what is
    printed is only counted (in characters), so that printing a lot costs no more
    than building the strings, on any machine, and a right answer is never failed
    for printing. The grader is told how much a request left out, with its answer,
    and of every megabyte more meanwhile (`note`): a request that hangs printing
    is named so.
    """

    encoding = "utf-8"

    def __init__(self, fd: int, budget: int) -> None:
        super().__init__()
        self._fd, self._write, self.budget = fd, os.write, budget
        self.sent = self.left_out = 0
        self.note: Callable[[int], None] | None = None
        self._next_note = _NOTE_BYTES

    def new_request(self) -> None:
        self.left_out, self._next_note = 0, _NOTE_BYTES

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def write(self, text: str) -> int:
        if self.sent >= self.budget:  # the common case of a flood: count, nothing more
            self.left_out += len(text)
            if self.left_out >= self._next_note and self.note is not None:
                self._next_note = self.left_out + _NOTE_BYTES
                self.note(self.left_out)
            return len(text)
        data = memoryview(str(text).encode("utf-8", "backslashreplace"))
        kept = data[: self.budget - self.sent]
        self.sent += len(kept)
        self.left_out += len(data) - len(kept)
        while kept:
            kept = kept[self._write(self._fd, kept) :]
        return len(text)


def print_within(budget: int) -> Printed:
    """Make `print()` (to stdout or stderr) go through one `Printed` of `budget` bytes."""
    sys.stdout = sys.stderr = printed = Printed(1, budget)
    return printed


# --- the driver ------------------------------------------------------------------------


class _Remote(Exception):
    """An exception raised by the grader's object behind a proxy."""


class Driver:
    """Serve the grader's requests over two pipe file descriptors."""

    def __init__(self, requests: Any, answer_fd: int, printed: Printed | None = None) -> None:
        # Bind what the channel needs now: learner code may rebind names in json or os later.
        self._requests, self._fd, self._printed = requests, answer_fd, printed
        self._dumps, self._loads, self._write = json.dumps, json.loads, os.write
        self._module: ModuleType | None = None
        self._folder = Path.cwd().resolve()
        self._handles: dict[int, Any] = {}
        self._pending: list[Any] = []
        #: model calls not yet sent: (log ref, encoded entry), in the order they were made
        self._calls: list[tuple[int, Any]] = []
        self._request_id: Any = None
        if printed is not None:
            printed.note = lambda left_out: self._send({"printed": left_out})

    # the channel

    def _send(self, message: dict[str, Any]) -> None:
        message["id"] = self._request_id
        data = (self._dumps(message) + "\n").encode()
        while data:
            data = data[self._write(self._fd, data) :]

    def _flush(self) -> None:
        """Send the model calls and the results pulled so far (plain numbers as they are,
        anything else encoded)."""
        self._flush_calls()
        if self._pending:
            items, self._pending = self._pending, []
            kinds = set(map(type, items))
            if not kinds <= {int, float, bool, type(None)} or (
                int in kinds and max(abs(i) for i in items if type(i) is int) >= 1 << 64
            ):
                budget = [MAX_NODES]
                items = [encode(item, budget) for item in items]
            self._send({"items": items})

    def _flush_calls(self) -> None:
        """Send the model calls made so far, a page per run of calls of one log."""
        calls, self._calls = self._calls, []
        for ref, page in itertools.groupby(calls, key=lambda call: call[0]):
            self._send({"push": ref, "items": [entry for _, entry in page]})

    def _log(self, ref: int, entry: Any) -> None:
        self._calls.append((ref, entry))
        if len(self._calls) >= _PAGE:
            self._flush_calls()

    def ask(self, ref: int, method: str, *args: Any) -> Any:
        """Call the grader's object `ref`; StopIteration when it says the stream ended."""
        self._flush()
        self._send({"cb": ref, "m": method, "args": [encode(a) for a in args]})
        line = self._requests.readline()
        if not line:
            os._exit(0)  # the grader is gone
        reply = self._loads(line)
        if not reply.get("ok"):
            raise type(str(reply.get("type", "Error")), (_Remote,), {})(reply.get("message", ""))
        if reply.get("end"):
            raise StopIteration
        return self.arg(reply["value"])

    def push(self, ref: int, items: list[Any]) -> None:
        self._flush()
        self._send({"push": ref, "items": [encode(item) for item in items]})

    # arguments: plain data, or proxies of the grader's objects

    def arg(self, tree: Any) -> Any:
        if type(tree) is dict and "P" in tree:
            kind, ref, extra = tree["P"]
            return self._proxy(kind, ref, extra)
        if type(tree) is dict and len(tree) == 1:
            ((tag, body),) = tree.items()
            if tag in ("L", "T"):
                items = [self.arg(v) for v in body]
                return items if tag == "L" else tuple(items)
            if tag == "D":
                return {self.arg(k): self.arg(v) for k, v in body}
        return decode(tree)

    def _proxy(self, kind: str, ref: int, extra: Any) -> Any:
        ask = self.ask
        if kind == "rng":
            return random.Random(extra)
        if kind == "quickrng":
            return QuickRandom(extra)
        if kind == "unwatched":
            return unwatched(decode(extra))
        if kind == "feed":
            return _Feed(lambda: ask(ref, "next"))
        if kind == "source":
            return polled_source(lambda: ask(ref, "batch"), lambda: ask(ref, "built"))
        if kind == "sink":
            return pushed_sink(lambda items: self.push(ref, items))
        if kind == "fn":
            return lambda *args: ask(ref, "call", *args)
        if kind == "model":
            from learnstream.sandbox_models import logged_model

            fresh = None if extra["fresh"] is None else self.arg(extra["fresh"])
            return logged_model(
                extra["name"], extra["key"], lambda entry: self._log(ref, entry), fresh
            )
        raise ValueError(f"unknown proxy {kind!r}")

    # requests

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request["op"]
        if op == "load":
            path = Path(request["path"]).resolve()
            self._folder = path.parent
            self._module = load(path)
            return {"ok": True}
        if op == "call":
            function = find(self._module, request["fn"])
            args = [self.arg(a) for a in request["args"]]
            kwargs = {k: self.arg(v) for k, v in request["kwargs"].items()}
            if request.get("seed_random") is not None:
                random.seed(request["seed_random"])
            value = function(*args, **kwargs)
            if not request.get("keep"):
                return {"ok": True, "value": encode(value)}
            handle = len(self._handles) + 1
            self._handles[handle] = value
            return {"ok": True, "h": handle, **describe(value)}
        target = self._handles[request["h"]]
        if op == "pull":
            ended = False
            for _ in range(request["n"]):
                try:
                    item = _next(target)
                except StopIteration:
                    ended = True
                    break
                self._pending.append(item)
                if len(self._pending) >= _CHUNK:
                    self._flush()
            self._flush()
            return {"ok": True, "ended": ended}
        if op == "skip":
            pulled = _islice(target, request["n"])
            last = _deque(zip(pulled, _count(1), strict=False), maxlen=1)
            given = last[0][1] if last else 0
            value = encode(last[0][0]) if last else None
            last.clear()
            _collect()
            return {"ok": True, "given": given, "last": value}
        if op == "each":
            handle = len(self._handles) + 1
            values = unwatched(self.arg(request["values"]))
            attrs = tuple(request["attrs"])
            self._handles[handle] = calls_each(target, request["method"], values, attrs)
            return {"ok": True, "h": handle}
        if op == "run":
            run_flow(target, bool(request.get("frozen")), float(request.get("tick", 0.0)))
            return {"ok": True}
        raise ValueError(f"unknown request {op!r}")

    def serve(self) -> None:
        """Answer requests until the grader closes the pipe."""
        self._send({"ready": True})
        while True:
            line = self._requests.readline()
            if not line:
                return
            request = self._loads(line)
            self._request_id = request.get("id")
            if self._printed is not None:
                self._printed.new_request()
            try:
                reply = self.handle(request)
            except BaseException as exc:  # everything learner code can throw, even SystemExit
                self._pending = []
                reply = {"ok": False, "error": error_of(exc, self._folder)}
            self._flush_calls()
            if self._printed is not None and self._printed.left_out:
                reply["left_out"] = self._printed.left_out
            self._send(reply)


class _Feed(Iterator[Any]):
    """The input stream of a learner's function: every item is asked of the grader."""

    def __init__(self, ask: Callable[[], Any]) -> None:
        self._ask = ask

    def __next__(self) -> Any:
        return self._ask()


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill this process if the grader dies, so no runaway child outlives it."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the grader died before prctl took effect
        os._exit(1)


def _limit_self(spec: str) -> None:
    """Lower this process's limits to `spec` ("RLIMIT_AS=N,..."), soft = hard, for good.

    Lowering one's own hard limits needs no privilege, and no learner code has run
    yet, so nothing it does later can lift them.
    """
    try:
        import resource
    except ImportError:  # not on POSIX: the grader's wall-clock timeouts still apply
        return
    for item in filter(None, spec.split(",")):
        name, _, text = item.partition("=")
        which = getattr(resource, name, None)
        if which is None:
            continue
        value = int(text)
        try:
            hard = resource.getrlimit(which)[1]
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):  # e.g. macOS refuses RLIMIT_AS
            pass


def main(argv: list[str]) -> None:
    """Entry point: `sandbox_child REQUEST_FD ANSWER_FD GRADER_PID`."""
    request_fd, answer_fd, parent_pid = map(int, argv)
    _die_with_parent(parent_pid)
    spec = os.environ.pop("LEARNSTREAM_SANDBOX_LIMITS", "")
    _limit_self(spec)
    limits = dict(item.partition("=")[::2] for item in filter(None, spec.split(",")))
    printed = print_within(int(limits["RLIMIT_FSIZE"])) if "RLIMIT_FSIZE" in limits else None
    with os.fdopen(request_fd, "rb") as requests:
        Driver(requests, answer_fd, printed).serve()


if __name__ == "__main__":
    main(sys.argv[1:])
