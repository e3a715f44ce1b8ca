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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m learnstream.run",
        description="Run a learnstream dataflow in this process.",
    )
    parser.add_argument("import_str", help="module[:flow], e.g. wordcount or wordcount:flow")
    parser.add_argument(
        "-w",
        "--workers-per-process",
        type=int,
        default=1,
        help="accepted for Bytewax compatibility; learnstream runs one worker",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show learnstream's own frames in tracebacks"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m learnstream.run` and `learnstream run`."""
    args = _parser().parse_args(argv)
    return run_cli(args.import_str, debug=args.debug)


def run_cli(import_str: str, *, debug: bool = False) -> int:
    """Load and run a flow; print learner-facing errors without engine internals."""
    if debug:
        os.environ["LEARNSTREAM_DEBUG"] = "1"
    try:
        flow = load_flow(import_str)
        stats = run_with_stats(flow)
    except FlowLookupError as err:
        print(f"learnstream run: {err}", file=sys.stderr)
        return 2
    except LearnstreamError as err:
        cause = err.__cause__
        if cause is not None:
            tb = cause.__traceback__ if debug else user_frames(cause.__traceback__)
            traceback.print_exception(type(cause), cause, tb, file=sys.stderr)
        print(f"\nlearnstream: {err}", file=sys.stderr)
        return 1
    for line in summary_lines(stats):
        print(line, file=sys.stderr)
    return 0


def summary_lines(stats: RunStats) -> list[str]:
    """One line per windowing step: late items are never dropped silently, so say how many.

    On stderr, so that what the flow itself prints stays exactly what Bytewax would print.

    >>> stats = RunStats(per_step={"f.w.core": {"windows_emitted": 3, "items_late": 1}})
    >>> summary_lines(stats)
    ["learnstream run: step 'f.w.core': 3 windows emitted, 1 item late"]
    """
    lines = []
    for step_id, counts in stats.per_step.items():
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
