"""Scale-out: the same, unmodified learnstream flow, run by Bytewax 0.21.1.

learnstream runs one worker in one process; Bytewax (Timely Dataflow) runs
worker threads, processes and hosts. `learnstream run FLOW --engine bytewax
[-w N] [-p N] [-i I -a HOST:PORT;...]` and `learnstream.testing.cluster_main`
hand a learnstream flow to Bytewax.

**How: the built `Dataflow` is translated, core step by core step**
(`translate.to_bytewax`). A learnstream flow is a short list of core steps
(`input`, `output`, `flat_map_batch`, `branch`, `merge`, `inspect_debug`,
`stateful_batch`, `count_final`, `window_core`), each a small runtime object
with `process(batches)`/`eof()`. Each becomes a Bytewax core operator that calls
the *same* learnstream runtime, so a flow gives the same answers on both engines:
learnstream's windowing (its kept watermark included), keyed-item checks and error
messages travel with it. Keyed steps are *sharded*: items go to one of
`16 × workers` shards by a stable hash of their key, Bytewax places each shard on
one worker, and there one learnstream step holds all of that shard's keys,
batch at a time, in the C core. Connectors are wrapped in Bytewax's interfaces
(`connectors`), which are learnstream's: partitioned sources keep their
partitions, so each item is read once whatever the worker count.

Why not the other way, re-importing the flow's module with `learnstream.operators`
resolved to `bytewax.operators`? It needs the module (not the flow object
`cluster_main` is given), it would swap learnstream's semantics for Bytewax's where
they differ on purpose, and it would run flows built with learnstream's connectors
and operators that Bytewax does not have only by luck. Translating the built graph
works on any flow object, with nothing left to chance.

Bytewax is imported only here, and only after `require_bytewax` has said clearly
what to do when it is missing or cannot be installed (Python 3.13+).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from learnstream.errors import LearnstreamError
from learnstream.scaleout.availability import (
    INSTALL_LINE,
    BytewaxUnavailable,
    require_bytewax,
)

if TYPE_CHECKING:
    from learnstream.run import RunOptions

__all__ = ["INSTALL_LINE", "BytewaxUnavailable", "require_bytewax", "run_options"]


def run_options(options: RunOptions) -> int:
    """`learnstream run ... --engine bytewax`: run the flow on Bytewax; return the exit status."""
    from learnstream.run import FlowLookupError, load_flow, report_error, summary_lines

    if options.debug:
        os.environ["LEARNSTREAM_DEBUG"] = "1"
    try:
        require_bytewax()
    except BytewaxUnavailable as err:
        print(f"learnstream run: {err}", file=sys.stderr)
        return 2
    if options.processes is not None and (options.process_id is not None or options.addresses):
        print(
            "learnstream run: use either -p (local processes) or -i/-a (a cluster you start "
            "yourself), not both",
            file=sys.stderr,
        )
        return 2

    from learnstream.engine.executor import RunStats
    from learnstream.recovery import RecoveryConfig
    from learnstream.scaleout import launch
    from learnstream.scaleout.recovery import for_bytewax
    from learnstream.scaleout.translate import to_bytewax

    recovery = None
    if options.recovery_directory is not None:
        recovery = RecoveryConfig(options.recovery_directory, options.backup_interval)
    workers = options.workers_per_process or 1
    try:
        flow = load_flow(options.import_str)
        if options.processes is not None and options.processes > 1:
            # Check here, once, what every process would otherwise report on its own.
            to_bytewax(flow, workers * options.processes, recovering=recovery is not None)
            for_bytewax(recovery)  # the store's errors, and Bytewax's files made once
            return launch.run_local_cluster(_process_argvs(options, workers))
        stats = launch.run_cli_process(
            flow,
            workers_per_process=workers,
            process_id=options.process_id,
            addresses=options.addresses,
            epoch_interval=options.epoch_interval,
            recovery_config=recovery,
        )
    except FlowLookupError as err:
        print(f"learnstream run: {err}", file=sys.stderr)
        return 2
    except LearnstreamError as err:
        report_error(err, debug=options.debug)
        return 1
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        if options.process_id is None:
            raise
        # A cluster process whose peer failed stops with a bare Bytewax panic.
        print(
            f"learnstream run: process {options.process_id} stopped: Bytewax raised "
            f"{type(exc).__name__}: {exc}. When one process of a cluster fails, the others "
            "stop too: look for the error of the process that failed first",
            file=sys.stderr,
        )
        return 1
    where = "" if options.process_id is None else f" (process {options.process_id})"
    for line in summary_lines(RunStats(per_step=stats)):
        print(line + where, file=sys.stderr)
    return 0


def _process_argvs(options: RunOptions, workers: int) -> list[list[str]]:
    """The command of each process of a local cluster of `options.processes`."""
    from learnstream.scaleout.launch import loopback_addresses, python_argv

    assert options.processes is not None
    addresses = ";".join(loopback_addresses(options.processes))
    shared = [options.import_str, "--engine", "bytewax", "-w", str(workers), "-a", addresses]
    if options.snapshot_interval is not None:
        shared += ["-s", str(int(options.snapshot_interval.total_seconds()))]
    if options.recovery_directory is not None and options.backup_interval is not None:
        shared += ["-r", str(options.recovery_directory)]
        shared += ["-b", str(int(options.backup_interval.total_seconds()))]
    if options.debug:
        shared.append("--debug")
    return [python_argv() + shared + ["-i", str(i)] for i in range(options.processes)]
