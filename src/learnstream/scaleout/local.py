"""A cluster of local processes (`learnstream run FLOW --engine bytewax -p N`).

This process is process 0. Processes 1, 2, ... are forks of it, made once it has
loaded and checked the flow, so they start with everything imported and the flow
built (a new interpreter would spend most of a second importing Python, Bytewax,
learnstream and the flow), and they end with `os._exit` (no second interpreter
shutdown). Each waits at a gate until process 0 opens it and then listens on its
port: a Bytewax process that connects before its peer listens tries again only a
second later. Their output comes through here a whole line at a time, so lines of
two processes never mix mid-line, and without the notes Bytewax prints while
processes connect.

`fork` needs a POSIX system (Linux, macOS); on Windows start each process yourself
with `-i`/`-a`.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TextIO

#: What Bytewax prints on stdout while one process waits for another to listen.
CONNECTING = b"error connecting to worker"

#: How long the other processes get to stop on their own once one has failed.
GRACE = 5.0

#: How long a process waits to see process 0's port listen (then it connects anyway).
LISTEN_WAIT = 5.0


class LocalCluster:
    """Processes 1 to `count - 1`, each running `run(index)` once the gate opens."""

    def __init__(self, run: Callable[[int], int], addresses: list[str]) -> None:
        if not hasattr(os, "fork"):
            raise OSError(
                "-p starts its processes with fork, which this system lacks: start each "
                "process yourself with -i INDEX -a HOST:PORT;HOST:PORT;..."
            )
        self.pids: dict[int, int | None] = {}  # pid -> exit status once it is known
        self.outputs: list[tuple[int, TextIO]] = []
        self._relays: list[threading.Thread] = []
        gate, self._opener = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        for index in range(1, len(addresses)):
            ends = [os.pipe(), os.pipe()]  # stdout, stderr
            pid = os.fork()
            if pid == 0:
                self._child(index, run, gate, addresses[:index], ends)
            for _, write in ends:
                os.close(write)
            self.pids[pid] = None
            self.outputs += [(ends[0][0], sys.stdout), (ends[1][0], sys.stderr)]
        os.close(gate)

    def _child(
        self,
        index: int,
        run: Callable[[int], int],
        gate: int,
        listeners: list[str],
        ends: list[tuple[int, int]],
    ) -> None:
        """Process `index`: its output into the pipes, wait at the gate, run, exit."""
        code = 1
        try:
            os.close(self._opener)
            for fd, _ in self.outputs:  # the pipes of the processes forked before
                os.close(fd)
            for target, (read, write) in zip((1, 2), ends, strict=True):
                os.close(read)
                os.dup2(write, target)
                os.close(write)
            _wait_at_gate(gate, listeners)
            code = run(index)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def open(self) -> None:
        """Let the processes go on (to connect to this one), and pass their output on."""
        lock = threading.Lock()
        for fd, out in self.outputs:
            relay = threading.Thread(target=_relay, args=(fd, out, lock), daemon=True)
            relay.start()
            self._relays.append(relay)
        os.close(self._opener)

    def cancel(self) -> None:
        """Stop the processes before they went on (this one failed), saying nothing."""
        for pid in self.pids:
            os.kill(pid, signal.SIGKILL)
        self._poll(block=True)
        if not self._relays:
            os.close(self._opener)
            for fd, _ in self.outputs:
                os.close(fd)
        for relay in self._relays:  # what a process said before it stopped
            relay.join(timeout=GRACE)

    def wait(self) -> int:
        """Wait for every process; if one fails, stop the rest and return its status."""
        try:
            while True:
                codes = self._poll(block=False)
                failed = next((code for code in codes if code not in (None, 0)), None)
                if failed is not None:
                    self._stop()
                    return failed
                if all(code == 0 for code in codes):
                    return 0
                time.sleep(0.01)
        except KeyboardInterrupt:
            self._stop()
            raise
        finally:
            for relay in self._relays:
                relay.join()

    def _poll(self, *, block: bool) -> list[int | None]:
        for pid, code in self.pids.items():
            if code is None:
                done, status = os.waitpid(pid, 0 if block else os.WNOHANG)
                if done:
                    found = os.waitstatus_to_exitcode(status)
                    self.pids[pid] = found if found >= 0 else 128 - found  # a signal
        return list(self.pids.values())

    def _stop(self) -> None:
        """Give the others `GRACE` seconds to stop on their own (a peer of theirs is gone)."""
        deadline = time.monotonic() + GRACE
        while None in self._poll(block=False):
            if time.monotonic() > deadline:
                for pid, code in self.pids.items():
                    if code is None:
                        os.kill(pid, signal.SIGKILL)
                self._poll(block=True)
                return
            time.sleep(0.05)


def _wait_at_gate(gate: int, listeners: list[str]) -> None:
    """Wait until process 0 opens the gate, then until every process this one connects
    to (those of lower index, at `listeners`) listens.

    Linux lists listening sockets in /proc/net/tcp (the port in hex, state 0A); where
    there is no such file the process connects at once (and may be retried once).
    """
    while os.read(gate, 1):
        pass
    os.close(gate)
    ports = {f":{int(address.rpartition(':')[2]):04X}" for address in listeners}
    table = Path("/proc/net/tcp")
    deadline = time.monotonic() + LISTEN_WAIT
    while table.exists() and time.monotonic() < deadline:
        rows = [row.split() for row in table.read_text().splitlines()[1:]]
        listening = {fields[1][-5:] for fields in rows if fields[3] == "0A"}
        if ports <= listening:
            return
        time.sleep(0.002)


def _relay(fd: int, out: TextIO, lock: threading.Lock) -> None:
    lines: BinaryIO
    with open(fd, "rb") as lines:
        for line in lines:
            if line.startswith(b"worker ") and CONNECTING in line:
                continue
            with lock:
                if hasattr(out, "buffer"):
                    out.buffer.write(line)
                else:  # replaced by a text stream (a notebook, a test's capture)
                    out.write(line.decode(errors="replace"))
                out.flush()
