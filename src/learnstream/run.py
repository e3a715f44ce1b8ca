"""Run a dataflow from the command line: `python -m learnstream.run module[:flow]`.

The module is looked up from the current directory first (as Bytewax does).
After the colon comes the name of a `Dataflow` variable (default `flow`) or a
call of a function that returns one, such as `make_flow("data.txt", 5)`.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import os
import sys
import traceback
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from learnstream.dataflow import Dataflow
from learnstream.engine.executor import RunStats
from learnstream.errors import LearnstreamError, user_frames
from learnstream.testing import run_with_stats
from learnstream.wording import plural


class FlowLookupError(LearnstreamError):
    """`run` could not find the flow it was asked for."""


def _split_call(spec: str) -> tuple[str, list[Any], dict[str, Any]]:
    """`make("a", n=2)` -> ("make", ["a"], {"n": 2}); a bare name has no call."""
    try:
        node = ast.parse(spec, mode="eval").body
    except SyntaxError as exc:
        raise FlowLookupError(f"cannot read {spec!r}: expected NAME or NAME(args)") from exc
    if isinstance(node, ast.Name):
        return node.id, [], {}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        try:
            args = [ast.literal_eval(a) for a in node.args]
            kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
        except ValueError as exc:
            raise FlowLookupError(
                f"arguments in {spec!r} must be Python literals (strings, numbers, lists...)"
            ) from exc
        return node.func.id, args, kwargs
    raise FlowLookupError(f"cannot read {spec!r}: expected NAME or NAME(args)")


def load_flow(import_str: str) -> Dataflow:
    """Find the Dataflow named by `module[:attr_or_call]`, importing from the cwd."""
    module_str, _, attr_str = import_str.partition(":")
    attr_str = attr_str or "flow"
    if module_str.endswith(".py"):
        path = Path(module_str)
        sys.path.insert(0, str(path.parent.resolve()))
        module_str = path.stem
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_str)
    except ModuleNotFoundError as exc:
        if exc.name != module_str.split(".")[0] and exc.name != module_str:
            raise
        raise FlowLookupError(
            f"no module named {module_str!r}: looked for {module_str.replace('.', '/')}.py "
            f"in {os.getcwd()} and on the Python path; run from the directory that holds it "
            "or give the path, e.g. `learnstream run examples/wordcount.py`"
        ) from None
    name, args, kwargs = _split_call(attr_str)
    if not hasattr(module, name):
        flows = [k for k, v in vars(module).items() if isinstance(v, Dataflow)]
        hint = f"; Dataflows it defines: {', '.join(flows)}" if flows else ""
        raise FlowLookupError(
            f"module {module_str!r} ({getattr(module, '__file__', '?')}) has no attribute "
            f"{name!r}{hint}"
        )
    found = getattr(module, name)
    if callable(found) and not isinstance(found, Dataflow):
        found = found(*args, **kwargs)
    elif args or kwargs:
        raise FlowLookupError(f"{module_str}:{name} is not a function, so it takes no arguments")
    if not isinstance(found, Dataflow):
        raise FlowLookupError(
            f"{module_str}:{attr_str} is a {type(found).__name__}, not a Dataflow"
        )
    return found


class _EnvDefault(argparse.Action):
    """An option whose default comes from an environment variable, as Bytewax's do."""

    def __init__(self, envvar: str, default: Any = None, **kwargs: Any) -> None:
        default = os.environ.get(envvar, default)
        kwargs["help"] += f" [env: {envvar}]"
        super().__init__(default=default, **kwargs)

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        setattr(namespace, self.dest, values)


def _seconds(text: str) -> timedelta:
    """`-s 30` is thirty seconds, as in Bytewax (whole seconds only)."""
    return timedelta(seconds=int(text))


@dataclass
class RunOptions:
    """What `python -m learnstream.run` was asked to do, parsed as Bytewax parses it."""

    import_str: str
    engine: str = "learnstream"
    workers_per_process: int | None = None
    processes: int | None = None
    process_id: int | None = None
    addresses: list[str] | None = None
    recovery_directory: Path | None = None
    snapshot_interval: timedelta | None = None
    backup_interval: timedelta | None = None
    debug: bool = False

    @property
    def epoch_interval(self) -> timedelta:
        """Bytewax's rule: the snapshot interval, else 10 seconds."""
        if self.snapshot_interval is None:
            return DEFAULT_EPOCH_INTERVAL
        return self.snapshot_interval


DEFAULT_EPOCH_INTERVAL = timedelta(seconds=10)


def _scaling(parser: argparse.ArgumentParser) -> None:
    scaling = parser.add_argument_group(
        "Scaling",
        "learnstream runs one worker in one process; these need --engine bytewax. "
        "Use either -w (threads in a process), -p (local processes) or -i/-a.",
    )
    scaling.add_argument(
        "-w",
        "--workers-per-process",
        type=int,
        action=_EnvDefault,
        envvar="BYTEWAX_WORKERS_PER_PROCESS",
        help="number of workers in each process",
    )
    scaling.add_argument(
        "-p", "--processes", type=int, default=None, help="number of local processes"
    )
    scaling.add_argument(
        "-i",
        "--process-id",
        type=int,
        action=_EnvDefault,
        envvar="BYTEWAX_PROCESS_ID",
        help="this process's id among --addresses",
    )
    scaling.add_argument(
        "-a",
        "--addresses",
        action=_EnvDefault,
        envvar="BYTEWAX_ADDRESSES",
        help='addresses of every process, separated by semicolons: -a "host1:2101;host2:2101"',
    )


def _testing_scaling(parser: argparse.ArgumentParser) -> None:
    """`python -m bytewax.testing` scales with -w and -p (local processes) only."""
    scaling = parser.add_argument_group(
        "Scaling",
        "learnstream runs one worker in one process; -w/-p need --engine bytewax.",
    )
    scaling.add_argument(
        "-w",
        "--workers-per-process",
        type=int,
        default=1,
        action=_EnvDefault,
        envvar="BYTEWAX_WORKERS_PER_PROCESS",
        help="number of workers in each process",
    )
    scaling.add_argument(
        "-p",
        "--processes",
        type=int,
        default=1,
        action=_EnvDefault,
        envvar="BYTEWAX_PROCESSES",
        help="number of local processes",
    )


def _parser(prog: str, testing: bool = False) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run a learnstream dataflow. The flags are Bytewax's (python -m bytewax.run).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "import_str",
        help="module[:flow], e.g. wordcount, wordcount:flow or wordcount:make('data.txt')",
    )
    parser.add_argument(
        "--engine",
        choices=["learnstream", "bytewax"],
        default="learnstream",
        help="learnstream runs the flow here, in one worker; bytewax runs it on Bytewax 0.21.1",
    )
    recovery = parser.add_argument_group(
        "Recovery",
        "Bytewax's recovery flags: snapshot every stateful step, the sources' positions "
        "and the sinks' at epoch ends; a run with -r resumes from the last complete epoch",
    )
    recovery.add_argument(
        "-r",
        "--recovery-directory",
        type=Path,
        action=_EnvDefault,
        envvar="BYTEWAX_RECOVERY_DIRECTORY",
        help="directory of recovery partitions (make them with python -m learnstream.recovery)",
    )
    recovery.add_argument(
        "-s",
        "--snapshot-interval",
        type=_seconds,
        action=_EnvDefault,
        envvar="BYTEWAX_SNAPSHOT_INTERVAL",
        help="seconds between snapshots; without -r, the epoch interval (default 10)",
    )
    recovery.add_argument(
        "-b",
        "--backup-interval",
        type=_seconds,
        action=_EnvDefault,
        envvar="BYTEWAX_RECOVERY_BACKUP_INTERVAL",
        help="seconds to keep extra snapshots (with -r)",
    )
    if testing:
        _testing_scaling(parser)
    else:
        _scaling(parser)
    parser.add_argument(
        "--debug", action="store_true", help="show learnstream's own frames in tracebacks"
    )
    return parser


def parse_args(
    argv: list[str] | None = None, prog: str = "python -m learnstream.run"
) -> RunOptions:
    """Parse the command line as `python -m bytewax.run` does, environment variables included.

    >>> parse_args(["flow", "-s", "5"]).epoch_interval
    datetime.timedelta(seconds=5)
    """
    parser = _parser(prog)
    args = parser.parse_args(argv)
    env = os.environ
    # Bytewax's Helm chart names the process by its pod and lists hosts in a file.
    if args.process_id is None and "BYTEWAX_POD_NAME" in env and "BYTEWAX_STATEFULSET_NAME" in env:
        args.process_id = int(
            env["BYTEWAX_POD_NAME"].replace(env["BYTEWAX_STATEFULSET_NAME"] + "-", "")
        )
    if args.process_id is not None and args.addresses is None:
        if "BYTEWAX_HOSTFILE_PATH" not in env:
            parser.error("the addresses option is required if a process_id is passed")
        with open(env["BYTEWAX_HOSTFILE_PATH"]) as hostfile:
            args.addresses = ";".join(line.strip() for line in hostfile if line.strip())
    if args.recovery_directory is not None and (
        args.snapshot_interval is None or args.backup_interval is None
    ):
        parser.error(
            "when running with recovery, the `-s/--snapshot_interval` and "
            "`-b/--backup_interval` values must be set"
        )
    # Values from the environment arrive as strings; convert them as the flags are.
    for name, convert in [
        ("workers_per_process", int),
        ("process_id", int),
        ("snapshot_interval", _seconds),
        ("backup_interval", _seconds),
        ("recovery_directory", Path),
    ]:
        value = getattr(args, name)
        if isinstance(value, str):
            setattr(args, name, convert(value))
    addresses = args.addresses.split(";") if args.addresses else None
    return RunOptions(
        import_str=args.import_str,
        engine=args.engine,
        workers_per_process=args.workers_per_process,
        processes=args.processes,
        process_id=args.process_id,
        addresses=addresses,
        recovery_directory=args.recovery_directory,
        snapshot_interval=args.snapshot_interval,
        backup_interval=args.backup_interval,
        debug=args.debug,
    )


def testing_main(argv: list[str] | None = None) -> int:
    """`python -m learnstream.testing`: Bytewax's testing entry point (-w, -p), run by `main`."""
    args = _parser("python -m learnstream.testing", testing=True).parse_args(argv)
    forwarded = [args.import_str, "--engine", args.engine]
    for flag, value in [
        ("-r", args.recovery_directory),
        ("-s", args.snapshot_interval),
        ("-b", args.backup_interval),
    ]:
        if value is not None:
            seconds = value.total_seconds() if isinstance(value, timedelta) else value
            forwarded += [flag, str(int(seconds)) if flag != "-r" else str(value)]
    for flag, count in [("-w", args.workers_per_process), ("-p", args.processes)]:
        if int(count) != 1:
            forwarded += [flag, str(count)]
    if args.debug:
        forwarded.append("--debug")
    return main(forwarded)


def main(argv: list[str] | None = None, prog: str = "python -m learnstream.run") -> int:
    """Entry point of `python -m learnstream.run` and `learnstream run`."""
    options = parse_args(argv, prog)
    if options.engine == "bytewax":
        from learnstream.scaleout import run_options

        return run_options(options)
    refusal = _refusal(options)
    if refusal is not None:
        print(f"learnstream run: {refusal}", file=sys.stderr)
        return 2
    for note in _notes(options):
        print(f"learnstream run: {note}", file=sys.stderr)
    recovery_config = None
    if options.recovery_directory is not None:
        from learnstream.recovery import RecoveryConfig

        recovery_config = RecoveryConfig(options.recovery_directory, options.backup_interval)
    return run_cli(
        options.import_str,
        debug=options.debug,
        epoch_interval=options.epoch_interval,
        recovery_config=recovery_config,
    )


_MORE_WORKERS = (
    "learnstream runs one worker in one process; for more, run the same flow on Bytewax: "
    "add --engine bytewax"
)


def _refusal(options: RunOptions) -> str | None:
    """Why these options cannot run here at all, if they cannot."""
    if options.process_id is not None or options.addresses:
        # Each process would run the whole flow and repeat every output.
        return f"-i/-a start several processes: {_MORE_WORKERS}"
    return None


def _notes(options: RunOptions) -> list[str]:
    """One line each for flags accepted but meaning less here than on Bytewax."""
    notes = []
    for flag, value in [("-w", options.workers_per_process), ("-p", options.processes)]:
        if value is not None and value > 1:
            notes.append(f"{flag} {value} ignored: {_MORE_WORKERS}")
    if options.recovery_directory is None and options.backup_interval is not None:
        notes.append("-b ignored: without -r there is no recovery store to keep snapshots in")
    return notes


def run_cli(
    import_str: str,
    *,
    debug: bool = False,
    epoch_interval: timedelta | None = None,
    recovery_config: Any = None,
) -> int:
    """Load and run a flow; print learner-facing errors without engine internals."""
    if debug:
        os.environ["LEARNSTREAM_DEBUG"] = "1"
    try:
        flow = load_flow(import_str)
        stats = run_with_stats(flow, epoch_interval=epoch_interval, recovery_config=recovery_config)
    except FlowLookupError as err:
        print(f"learnstream run: {err}", file=sys.stderr)
        return 2
    except LearnstreamError as err:
        report_error(err, debug=debug)
        return 1
    for line in summary_lines(stats):
        print(line, file=sys.stderr)
    return 0


def report_error(err: LearnstreamError, *, debug: bool) -> None:
    """Print the learner's part of the traceback, then learnstream's message, on stderr."""
    cause = err.__cause__
    # A cause with no traceback only restates the problem in Bytewax's words.
    if cause is not None and cause.__traceback__ is not None:
        tb = cause.__traceback__ if debug else user_frames(cause.__traceback__)
        traceback.print_exception(type(cause), cause, tb, file=sys.stderr)
    print(f"\nlearnstream: {err}", file=sys.stderr)


def summary_lines(stats: RunStats) -> list[str]:
    """One line per windowing step: late items are never dropped silently, so say how many.

    A `join` says how many keys it still holds: in complete mode, the keys that
    never met all their sides (orders never paid, say), which its output cannot show.
    On stderr, so that what the flow itself prints stays exactly what Bytewax would print.

    >>> stats = RunStats(per_step={"f.w.core": {"windows_emitted": 3, "items_late": 1}})
    >>> summary_lines(stats)
    ["learnstream run: step 'f.w.core': 3 windows emitted, 1 item late"]
    >>> summary_lines(RunStats(per_step={"f.match": {"keys_waiting": 2}}))
    ["learnstream run: step 'f.match': 2 keys held at the end"]
    """
    lines = []
    for step_id, counts in stats.per_step.items():
        if "keys_waiting" in counts:
            lines.append(
                f"learnstream run: step {step_id!r}: {plural(counts['keys_waiting'], 'key')} "
                "held at the end"
            )
            continue
        if "windows_emitted" not in counts:
            continue
        windows, late = counts["windows_emitted"], counts["items_late"]
        lines.append(
            f"learnstream run: step {step_id!r}: {plural(windows, 'window')} emitted, "
            f"{plural(late, 'item')} late"
        )
    return lines


if __name__ == "__main__":
    sys.exit(main())
