"""Run a translated flow on Bytewax: in this process, or as several local processes."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bytewax._bytewax import cli_main as bytewax_cli_main
from bytewax.testing import cluster_main as bytewax_cluster_main

from learnstream.dataflow import Dataflow
from learnstream.errors import user_frames
from learnstream.scaleout.recovery import for_bytewax
from learnstream.scaleout.translate import to_bytewax

#: What Bytewax prints on stdout while one process waits for another to listen.
CONNECTING = b"error connecting to worker"

#: How long the other processes of a local cluster get to stop once one has failed.
_GRACE = 5.0


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


def run_local_cluster(argvs: list[list[str]]) -> int:
    """Start one process per argv; wait for all. If one fails, stop the rest; return its status.

    Each process's output comes through here a whole line at a time, so lines of
    two processes never mix mid-line, and without the notes Bytewax prints while
    the processes are still connecting to each other.
    """
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE) for argv in argvs]
    lock = threading.Lock()
    relays = [threading.Thread(target=_relay, args=(proc, lock)) for proc in procs]
    for relay in relays:
        relay.start()
    try:
        while True:
            codes = [proc.poll() for proc in procs]
            failed = next((code for code in codes if code not in (None, 0)), None)
            if failed is not None:
                _stop(procs)
                return failed
            if all(code == 0 for code in codes):
                return 0
            time.sleep(0.05)
    except KeyboardInterrupt:
        _stop(procs)
        raise
    finally:
        for relay in relays:
            relay.join()


def _relay(proc: subprocess.Popen[bytes], lock: threading.Lock) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(b"worker ") and CONNECTING in line:
            continue
        with lock:
            if hasattr(sys.stdout, "buffer"):
                sys.stdout.buffer.write(line)
            else:  # stdout replaced by a text stream (a notebook, a test's capture)
                sys.stdout.write(line.decode(errors="replace"))
            sys.stdout.flush()


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + _GRACE
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def python_argv() -> list[str]:
    """How to start `python -m learnstream.run` with this interpreter."""
    return [sys.executable, "-m", "learnstream.run"]
