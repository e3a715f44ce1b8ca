"""The operating system's side of the grader's child process, on POSIX (Linux first).

- `Cgroup`: a cgroup v2 of the child's own, where the grader may make one: every
  process in it is killed at once (`cgroup.kill`), even one that left the child's
  session and process group;
- `kill_user`: every process of an unprivileged user killed (Gradescope's learner);
- `read_memory`: a process's heap as the OS counts it (`RssAnon` from `/proc`);
  `read_cpu_time`: the CPU time it has used;
- `Output`: what the child prints, read by a thread (the start kept, all of it counted).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

#: Bytes of the child's output kept to show; the rest is only counted.
KEPT_OUTPUT_BYTES = 64 * 1024
SHOWN_OUTPUT_CHARS = 2_000


def size_in_words(n: int) -> str:
    """A size in words: 1,234 bytes, 56 KB, 7.8 MB.

    >>> size_in_words(1234), size_in_words(56_000), size_in_words(7_800_000_000)
    ('1,234 bytes', '56 KB', '7,800.0 MB')
    """
    if n < 10_000:
        return f"{n:,} bytes"
    if n < 10_000_000:
        return f"{n / 1000:,.0f} KB"
    return f"{n / 1_000_000:,.1f} MB"


_cgroup_names = itertools.count()


def own_cgroup() -> Path | None:
    """This process's cgroup v2 folder, when cgroup v2 is mounted and it may make sub-groups."""
    try:
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
        mine = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    root = next((line.split()[4] for line in mounts if " - cgroup2 " in line), None)
    path = next((line[3:] for line in mine if line.startswith("0::")), None)
    if root is None or path is None:
        return None
    folder = Path(root) / path.lstrip("/")
    return folder if os.access(folder, os.W_OK) else None


class Cgroup:
    """A cgroup v2 of the child's own; `kill()` ends every process in it, wherever it went."""

    def __init__(self, parent: Path) -> None:
        self.path = parent / f"learnstream-{os.getpid()}-{next(_cgroup_names)}"
        self.path.mkdir()

    @classmethod
    def make(cls) -> Cgroup | None:
        parent = own_cgroup()
        if parent is None:
            return None
        try:
            return cls(parent)
        except OSError:
            return None

    def add(self, pid: int) -> bool:
        try:
            (self.path / "cgroup.procs").write_text(str(pid))
        except OSError:
            return False
        return True

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            (self.path / "cgroup.kill").write_text("1")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                if not (self.path / "cgroup.procs").read_text().strip():
                    break
            except OSError:
                break
            time.sleep(0.01)
        with contextlib.suppress(OSError):
            self.path.rmdir()


def kill_user(uid: int) -> None:
    """Kill every process of `uid`: as that user, kill(-1) reaches exactly them."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            [sys.executable, "-I", "-S", "-c", "import os, signal; os.kill(-1, signal.SIGKILL)"],
            user=uid,
            group=None,
            extra_groups=[],
            timeout=30,
            capture_output=True,
            env={},
        )


def read_memory(pid: int) -> int | None:
    """The anonymous memory (heap) of process `pid`, in bytes, from the OS."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        status = ""
    for name in ("RssAnon:", "VmRSS:"):
        for line in status.splitlines():
            if line.startswith(name):
                return int(line.split()[1]) * 1024
    try:  # macOS and other systems without /proc
        out = subprocess.run(
            ["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True, timeout=5
        ).stdout
        return int(out.strip()) * 1024
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def read_cpu_time(pid: int) -> float | None:
    """The CPU seconds (user and system) process `pid` has used, from the OS."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class Output:
    """What the child prints, read by a thread: the first bytes kept, all of them counted."""

    def __init__(self) -> None:
        self.kept = bytearray()
        self.total = 0
        self.startup: list[tuple[int, int]] = []
        self.limit_hit: tuple[int, int] | None = None  # (bytes left out, the limit)
        self._lock = threading.Lock()
        self._fd: int | None = None

    def settle(self) -> None:
        """Wait (briefly) until the thread has read what the child has written so far."""
        deadline = time.monotonic() + 0.5
        while self._fd is not None and time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError):
                if not select.select([self._fd], [], [], 0)[0]:
                    return
            time.sleep(0.001)

    def follow(self, fd: int) -> threading.Thread:
        self._fd = fd

        def read() -> None:
            with contextlib.suppress(OSError):
                while chunk := os.read(fd, 1 << 16):
                    with self._lock:
                        room = KEPT_OUTPUT_BYTES - len(self.kept)
                        if room > 0:
                            self.kept += chunk[:room]
                        self.total += len(chunk)
            with contextlib.suppress(OSError):
                os.close(fd)

        thread = threading.Thread(target=read, daemon=True, name="learner-output")
        thread.start()
        return thread

    def left_out(self, size: int, limit: int) -> None:
        """The child printed `size` bytes more in a request, past the `limit` it may send."""
        with self._lock:
            before = self.limit_hit[0] if self.limit_hit else 0
            self.limit_hit = (before + size, limit)

    def text(self) -> str:
        with self._lock:
            data, total, startup = bytes(self.kept), self.total, list(self.startup)
            limit_hit = self.limit_hit
        chunks, position = [], 0
        for begin, end in [*startup, (len(data), len(data))]:
            chunks.append(data[position:begin])
            position = max(position, end)
        shown = b"".join(chunks)
        text = shown[: SHOWN_OUTPUT_CHARS * 4].decode("utf-8", "replace")
        if limit_hit is not None:
            left_out, limit = limit_hit
            return (
                text[:SHOWN_OUTPUT_CHARS]
                + f"\n... (your code printed {size_in_words(total + left_out)} in all: it hit "
                f"the output limit of {size_in_words(limit)}, and the {size_in_words(left_out)} "
                "past it were counted, not kept)"
            )
        if len(text) > SHOWN_OUTPUT_CHARS or total > len(data):
            text = (
                text[:SHOWN_OUTPUT_CHARS]
                + f"\n... (your code printed {size_in_words(total)} in all)"
            )
        return text
