"""Run a translated flow on Bytewax, as one process of however many."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bytewax._bytewax import cli_main as bytewax_cli_main
from bytewax.testing import cluster_main as bytewax_cluster_main

from learnstream.dataflow import Dataflow
from learnstream.errors import user_frames
from learnstream.scaleout.recovery import for_bytewax
from learnstream.scaleout.translate import to_bytewax


def run_translated(
    flow: Dataflow,
    start: Callable[[Any, Any], None],
    worker_count: int,
    recovery_config: Any,
) -> dict[str, dict[str, int]]:
    """Translate `flow`, hand it to `start`, and return its steps' counts.

    An error that learnstream raised inside Bytewax comes out as itself (Bytewax
    wraps it in a chain of its own `RuntimeError`s), so it reads as it does on learnstream.
    """
    recovery = for_bytewax(recovery_config)
    translated = to_bytewax(flow, worker_count, recovering=recovery is not None)
    try:
        start(translated.flow, recovery)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a cluster process stops with a PanicException
        found = translated.failures.explain(exc)
        if found is None:
            raise
        raise found.with_traceback(user_frames(found.__traceback__)) from found.__cause__
    return translated.stats()


def cluster_main(
    flow: Dataflow,
    addresses: list[str],
    proc_id: int,
    *,
    epoch_interval: timedelta | None = None,
    recovery_config: Any = None,
    worker_count_per_proc: int = 1,
) -> None:
    """Run this process's share of `flow` on Bytewax (see `learnstream.testing.cluster_main`)."""
    workers = max(len(addresses), 1) * worker_count_per_proc

    def start(bytewax_flow: Any, recovery: Any) -> None:
        bytewax_cluster_main(
            bytewax_flow,
            addresses,
            proc_id,
            epoch_interval=epoch_interval,
            recovery_config=recovery,
            worker_count_per_proc=worker_count_per_proc,
        )

    run_translated(flow, start, workers, recovery_config)


def run_cli_process(
    flow: Dataflow,
    *,
    workers_per_process: int,
    process_id: int | None,
    addresses: list[str] | None,
    epoch_interval: timedelta,
    recovery_config: Any,
) -> dict[str, dict[str, int]]:
    """Run `flow` as `python -m bytewax.run` runs a flow with the same flags."""
    workers = max(len(addresses or []), 1) * workers_per_process

    def start(bytewax_flow: Any, recovery: Any) -> None:
        bytewax_cli_main(
            bytewax_flow,
            workers_per_process=workers_per_process,
            process_id=process_id,
            addresses=addresses,
            epoch_interval=epoch_interval,
            recovery_config=recovery,
        )

    return run_translated(flow, start, workers, recovery_config)


def loopback_addresses(count: int) -> list[str]:
    """`count` free `127.0.0.1:PORT` addresses for a cluster of local processes."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [f"127.0.0.1:{sock.getsockname()[1]}" for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
