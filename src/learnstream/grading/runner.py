"""The one interface between the grader and wherever a learner's code runs: `Runner`.

Checks never touch the learner's code: they call probes (`probes.py`,
`probes_joins.py`, `probes_ml.py`), which drive a `Runner`, and judge the plain
data that comes back. Two runners implement it:

- `sandbox.Sandbox`, the child-process runner (CLI, class grading, Gradescope):
  the learner's file runs in another process (`learnstream.sandbox_child`) under
  hard limits, and every measurement is taken in the grader's process;
- `LocalRunner` (below), the learner's file imported into this very process:
  what the in-browser runner uses (Pyodide in a Web Worker has no child
  process), and what tests use to drive a probe on a module directly.

What a runner must do (see `/work/coord/runner.md`-style notes in the docstrings):

- `call(what, fn, args, kwargs)` calls the learner's function `fn` and returns
  its value as plain data (`learnstream.wire`: exact types; anything else an
  `Opaque`); `start(...)` calls it and keeps the value, returning a `Handle` that
  says its type and whether it is an iterator or a `Dataflow` (with its clocks);
- `pull(what, handle, n)` takes up to `n` items of a kept iterator (`Pulled`:
  the items, whether it ended, and how many items the call's `Feed`s had given
  when each item came); `skip(what, handle, n)` pulls `n` without sending them
  back (`Skipped`); `run_flow(what, handle, frozen=...)` runs a kept flow;
- `each(what, handle, method, values, attrs)` keeps an iterator calling a kept
  object's method once per value of an `Unwatched` stream, yielding whether it
  returned the object and the object's `attrs` after each call;
- `memory()` is the memory the learner's code holds now, as the runner can see
  it from outside (bytes), or None; `cpu_time()` the CPU seconds it has used;
  `output()` what it printed.

Arguments may hold, besides plain data, the grader's own objects, which the
learner's code meets as proxies and which are counted where the grader is:
`Feed` (an input stream, read one item at a time on request), `Source` and
`Sink` (a flow's input and output) and `Callback` (a function); and three things made on the learner's side: `Rng` (a
seeded `random.Random`), `Unwatched` (an endless stream too long to hand over
item by item, for memory measurements) and `Model` (a River model, whose every
call comes back to the grader's `CallLog`, which replays it).

Every method raises `LearnerError` when the learner's code raised (the runner
stays usable) and `SandboxDied` when it hung, crashed or exited (the next call
starts afresh).
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from learnstream.grading.failures import FailureKind


class LearnerError(Exception):
    """The learner's code raised an exception (or the probe found no such function).

    `kind` is one of EXCEPTION, NOT_IMPLEMENTED, EXIT, MEMORY, MISSING, TOO_BIG,
    FLOOD, SYNTAX.
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
                f"{self.what} wrote a file past the output limit{where}; write far less "
                "(the grader limits what one call may print or write)"
            )
        if self.kind is FailureKind.TOO_BIG:
            return f"{self.what} gave back a value with {self.detail}; that is more than expected"
        return f"{self.what} raised {self.type}: {self.detail}{where}"


class SandboxDied(BaseException):
    """The learner's code hung or ended its process: `kind` is TIMEOUT, CRASH, EXIT, FLOOD or KILLED.

    A `BaseException`, so that the property search does not try to shrink a hang.
    """

    def __init__(self, kind: FailureKind, reason: str) -> None:
        self.kind = kind
        self.reason = reason
        super().__init__(reason)


# --- the grader's objects a learner's code may be handed -------------------------------


class Feed(Iterator[Any]):
    """An input stream the learner's code reads one item at a time; `pulled` counts the reads."""

    methods = ("next",)

    def __init__(self, items: Iterable[Any]) -> None:
        self._items = iter(items)
        self.pulled = 0

    def __next__(self) -> Any:
        item = next(self._items)
        self.pulled += 1
        return item

    def next(self) -> Any:
        return self.__next__()


@dataclass
class Source:
    """A flow's input: each batch is `poll()` (raising StopIteration at the end).

    `on_build` is called when the flow builds the source's partition (before any poll).
    """

    poll: Callable[[], list[Any]]
    on_build: Callable[[], None] = lambda: None
    methods = ("batch", "built")

    @classmethod
    def of(cls, items: Iterable[Any], batch_size: int = 1) -> Source:
        """A source of `items`, `batch_size` at a time (as `TestingSource`)."""
        it = iter(items)

        def poll() -> list[Any]:
            batch = [item for _, item in zip(range(batch_size), it, strict=False)]
            if not batch:
                raise StopIteration
            return batch

        return cls(poll)

    def batch(self) -> list[Any]:
        return self.poll()

    def built(self) -> None:
        self.on_build()


@dataclass
class Sink:
    """A flow's output: what it writes is appended to `items`, here, as it is written."""

    items: list[Any] = field(default_factory=list)
    methods = ()


@dataclass
class Callback:
    """A function of the grader's the learner's code may call (arguments and answer plain data,
    or a `Model`)."""

    fn: Callable[..., Any]
    methods = ("call",)

    def call(self, *args: Any) -> Any:
        return self.fn(*args)


class RefusedLog(Exception):
    """A page of model calls that the grader's own copy of the model does not reproduce."""


class CallLog(Protocol):
    """The grader's side of `Model`s: takes the pages of calls made on the learner's side."""

    def receive(self, entries: list[Any]) -> None:
        """Replay and log decoded entries; `RefusedLog` if one does not fit."""


@dataclass
class Model:
    """A River model (`sandbox_models.make_model(name)`) made on the learner's side.

    Its calls are answered there, with no round trip, and come back to `log` in pages
    (`sandbox_models.LoggedModel`); `key` names the model in them. `fresh` is what the
    model's `clone()` with no arguments calls (a factory of new models).
    """

    name: str
    log: CallLog
    key: int
    fresh: Callback | None = None


@dataclass(frozen=True)
class Unwatched:
    """A stream made on the learner's side from `spec` — `{"count": start}`, `{"cycle": [...]}`
    or `{"items": [...]}` — fast, and not counted (for measuring memory, not laziness)."""

    spec: dict[str, Any]


@dataclass(frozen=True)
class Rng:
    """A `random.Random(seed)` made on the learner's side (`quick`: a faster `randint`)."""

    seed: int
    quick: bool = False


# --- what comes back ------------------------------------------------------------------


@dataclass
class Handle:
    """A value the learner's code returned, kept by the runner: what the grader may know of it."""

    id: int
    type: str
    iterator: bool
    flow: bool
    clocks: list[dict[str, Any]] = field(default_factory=list)
    feeds: list[Feed] = field(default_factory=list)

    def reads(self) -> int:
        """How many items the call's feeds have given so far."""
        return sum(feed.pulled for feed in self.feeds)


@dataclass
class Pulled:
    """Items pulled from a kept iterator; `reads[i]`: feed items given before item `i` came."""

    items: list[Any]
    ended: bool
    reads: list[int]


@dataclass
class Skipped:
    """Items pulled and dropped: how many, the last one, whether the iterator ended."""

    given: int
    last: Any
    ended: bool


class Runner(Protocol):
    """Where a learner's file runs; see the module's docstring."""

    @property
    def load_failure(self) -> LearnerError | SandboxDied | None:
        """Why the learner's file could not be imported, if it could not."""

    def begin(self) -> None:
        """Start importing the learner's file now, if the runner can do that while the
        grader works (the first call waits for it either way)."""

    def call(
        self,
        what: str,
        fn: str,
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        *,
        seed_random: int | None = None,
    ) -> Any:
        """`fn(*args, **kwargs)` as plain data (`seed_random`: `random.seed` it first)."""

    def start(
        self,
        what: str,
        fn: str,
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        *,
        seed_random: int | None = None,
    ) -> Handle:
        """Call `fn` and keep what it returned."""

    def pull(self, what: str, handle: Handle, n: int) -> Pulled:
        """Up to `n` items of a kept iterator."""

    def skip(self, what: str, handle: Handle, n: int) -> Skipped:
        """Pull up to `n` items of a kept iterator without sending them back."""

    def run_flow(self, what: str, handle: Handle, *, frozen: bool, tick: float = 0.0) -> None:
        """Run a kept `Dataflow` to its end (its clock frozen at `FROZEN_NOW` when `frozen`,
        moved `tick` seconds further for each item its fed sources give)."""

    def each(
        self,
        what: str,
        handle: Handle,
        method: str,
        values: Unwatched,
        attrs: tuple[str, ...] = (),
    ) -> Handle:
        """A kept iterator calling the kept object's `method` once per value, yielding
        `(returned the object itself, *attrs after the call)` (for objects updated item by item)."""

    def memory(self) -> int | None:
        """The memory the learner's code holds now (bytes), as seen from outside it."""

    def cpu_time(self) -> float | None:
        """The CPU seconds the learner's code has used so far, as seen from outside it."""

    def output(self) -> str:
        """What the learner's code printed so far (the start of it, if it was long)."""

    def close(self) -> None:
        """Stop running the learner's code."""


def feeds_in(args: Iterable[Any]) -> list[Feed]:
    """The `Feed`s among a call's arguments."""
    return [arg for arg in args if isinstance(arg, Feed)]


class LocalRunner:
    """The learner's module run in this process: no isolation, no limits, no timeouts.

    For the in-browser runner (a Web Worker is the isolation there, and Stop its
    timeout) and for tests that drive a probe on a module they hold.

    >>> import types
    >>> runner = LocalRunner(types.SimpleNamespace(double=lambda xs: (2 * x for x in xs)))
    >>> feed = Feed([1, 2, 3])
    >>> handle = runner.start("double(...)", "double", [feed])
    >>> pulled = runner.pull("double(...)", handle, 5)
    >>> pulled.items, pulled.ended, pulled.reads
    ([2, 4, 6], True, [1, 2, 3])
    """

    def __init__(self, module: Any, folder: Path | None = None) -> None:
        self.module = module
        self._folder = folder or Path.cwd()
        self._kept: dict[int, Any] = {}
        self.load_failure: LearnerError | SandboxDied | None = None

    @classmethod
    def of_file(cls, path: Path) -> LocalRunner:
        """Import the learner's file at `path` (a failure to import is kept as `load_failure`)."""
        from learnstream.sandbox_child import error_of, load

        path = Path(path).resolve()
        try:
            return cls(load(path), path.parent)
        except BaseException as exc:  # the learner's file may raise anything, even SystemExit
            runner = cls(None, path.parent)
            runner.load_failure = LearnerError(error_of(exc, path.parent), f"importing {path.name}")
            return runner

    def _raise(self, exc: BaseException, what: str) -> LearnerError:
        from learnstream.sandbox_child import error_of

        return LearnerError(error_of(exc, self._folder), what)

    def _local(self, value: Any) -> Any:
        """An argument as the learner's code meets it in this process."""
        from learnstream.sandbox_child import QuickRandom, polled_source, pushed_sink, unwatched
        from learnstream.sandbox_models import logged_model

        if isinstance(value, Feed):
            return value
        if isinstance(value, Source):
            return polled_source(value.poll, value.on_build)
        if isinstance(value, Sink):
            return pushed_sink(value.items.extend)
        if isinstance(value, Callback):
            return lambda *args: self._local(value.fn(*args))
        if isinstance(value, Rng):
            import random

            return (QuickRandom if value.quick else random.Random)(value.seed)
        if isinstance(value, Unwatched):
            return unwatched(value.spec)
        if isinstance(value, Model):
            fresh = None if value.fresh is None else self._local(value.fresh)
            return logged_model(value.name, value.key, self._pager(value.log), fresh)
        if type(value) in (list, tuple):
            return type(value)(self._local(v) for v in value)
        return value

    def begin(self) -> None:
        """Nothing to start: the module was imported when the runner was made."""

    def _pager(self, log: CallLog) -> Callable[[Any], None]:
        """Each call of a model made here goes to `log` at once, as a page of one."""
        from learnstream.wire import decode

        return lambda entry: log.receive([decode(entry)])

    def _call(
        self,
        what: str,
        fn: str,
        args: Sequence[Any],
        kwargs: Mapping[str, Any] | None,
        seed_random: int | None,
    ) -> Any:
        from learnstream.sandbox_child import find

        if self.load_failure is not None:
            raise self.load_failure
        try:
            function = find(self.module, fn)
            if seed_random is not None:
                import random

                random.seed(seed_random)
            return function(
                *(self._local(a) for a in args),
                **{k: self._local(v) for k, v in (kwargs or {}).items()},
            )
        except Exception as exc:
            raise self._raise(exc, what) from None

    def call(
        self,
        what: str,
        fn: str,
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        *,
        seed_random: int | None = None,
    ) -> Any:
        from learnstream.wire import decode, encode

        value = self._call(what, fn, args, kwargs, seed_random)
        return decode(encode(value))

    def start(
        self,
        what: str,
        fn: str,
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        *,
        seed_random: int | None = None,
    ) -> Handle:
        from learnstream.sandbox_child import describe

        value = self._call(what, fn, args, kwargs, seed_random)
        handle = Handle(
            len(self._kept) + 1,
            **describe(value),
            feeds=feeds_in([*args, *(kwargs or {}).values()]),
        )
        self._kept[handle.id] = value
        return handle

    def pull(self, what: str, handle: Handle, n: int) -> Pulled:
        from learnstream.wire import decode, encode

        target = self._kept[handle.id]
        pulled = Pulled([], False, [])
        try:
            for _ in range(n):
                try:
                    item = next(target)
                except StopIteration:
                    pulled.ended = True
                    break
                pulled.items.append(decode(encode(item)))
                pulled.reads.append(handle.reads())
        except Exception as exc:
            raise self._raise(exc, what) from None
        return pulled

    def skip(self, what: str, handle: Handle, n: int) -> Skipped:
        target = self._kept[handle.id]
        given, last = 0, None
        try:
            for item in target:
                given, last = given + 1, item
                if given == n:
                    break
        except Exception as exc:
            raise self._raise(exc, what) from None
        gc.collect()
        from learnstream.wire import decode, encode

        return Skipped(given, decode(encode(last)) if given else None, given < n)

    def run_flow(self, what: str, handle: Handle, *, frozen: bool, tick: float = 0.0) -> None:
        from learnstream.sandbox_child import run_flow

        try:
            run_flow(self._kept[handle.id], frozen, tick)
        except Exception as exc:
            raise self._raise(exc, what) from None

    def each(
        self,
        what: str,
        handle: Handle,
        method: str,
        values: Unwatched,
        attrs: tuple[str, ...] = (),
    ) -> Handle:
        from learnstream.sandbox_child import calls_each, unwatched

        iterator = calls_each(self._kept[handle.id], method, unwatched(values.spec), attrs)
        kept = Handle(len(self._kept) + 1, "generator", True, False)
        self._kept[kept.id] = iterator
        return kept

    def memory(self) -> int | None:
        if not tracemalloc.is_tracing():
            tracemalloc.start()
        gc.collect()
        return tracemalloc.get_traced_memory()[0]

    def cpu_time(self) -> float | None:
        import time

        return time.process_time()

    def output(self) -> str:
        return ""

    def close(self) -> None:
        if tracemalloc.is_tracing():
            tracemalloc.stop()
        self._kept.clear()
