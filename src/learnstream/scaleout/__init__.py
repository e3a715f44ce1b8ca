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
messages travel with it. Keyed steps are *sharded*: items go to one shard per
worker by a stable hash of their key, each shard is named so that Bytewax places
it on its worker (`placement`), and there one learnstream step holds all of that
shard's keys, batch at a time, in the C core. Connectors are wrapped in Bytewax's interfaces
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
from typing import TYPE_CHECKING, Any

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
    from learnstream.run import FlowLookupError, load_flow, report_error

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

    from learnstream.recovery import RecoveryConfig
    from learnstream.scaleout.launch import loopback_addresses
    from learnstream.scaleout.local import LocalCluster
    from learnstream.scaleout.recovery import for_bytewax
    from learnstream.scaleout.translate import to_bytewax

    recovery = None
    if options.recovery_directory is not None:
        recovery = RecoveryConfig(options.recovery_directory, options.backup_interval)
    try:
        flow = load_flow(options.import_str)
        if options.processes is None or options.processes < 2:
            return _run_process(flow, options, recovery, options.process_id, options.addresses)
        # `-p N`: this process is process 0; the others are its forks (see `local`).
        addresses = loopback_addresses(options.processes)
        workers = (options.workers_per_process or 1) * options.processes
        to_bytewax(flow, workers, recovering=recovery is not None)  # errors: once, here
        for_bytewax(recovery)  # the store's errors, and Bytewax's files made once
        others = LocalCluster(
            lambda index: _run_process(flow, options, recovery, index, addresses), addresses
        )
    except (FlowLookupError, OSError) as err:
        print(f"learnstream run: {err}", file=sys.stderr)
        return 2
    except LearnstreamError as err:
        report_error(err, debug=options.debug)
        return 1
    others.open()
    mine = _run_process(flow, options, recovery, 0, addresses)
    if mine != 0:
        others.cancel()
        return mine
    return others.wait()


def _run_process(
    flow: Any,
    options: RunOptions,
    recovery: Any,
    process_id: int | None,
    addresses: list[str] | None,
) -> int:
    """Run `flow` as process `process_id` of a cluster at `addresses` (None: alone)."""
    from learnstream.engine.executor import RunStats
    from learnstream.run import report_error, summary_lines
    from learnstream.scaleout import launch

    try:
        stats = launch.run_cli_process(
            flow,
            workers_per_process=options.workers_per_process or 1,
            process_id=process_id,
            addresses=addresses,
            epoch_interval=options.epoch_interval,
            recovery_config=recovery,
        )
    except LearnstreamError as err:
        report_error(err, debug=options.debug)
        return 1
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        if process_id is None:
            raise
        # A cluster process whose peer failed stops with a bare Bytewax panic.
        print(
            f"learnstream run: process {process_id} stopped: Bytewax raised "
            f"{type(exc).__name__}: {exc}. When one process of a cluster fails, the others "
            "stop too: look for the error of the process that failed first",
            file=sys.stderr,
        )
        return 1
    where = "" if process_id is None else f" (process {process_id})"
    for line in summary_lines(RunStats(per_step=stats)):
        print(line + where, file=sys.stderr)
    return 0
