"""Cheat (stateful): leaves a process in a session of its own that keeps rewriting results.json
and writes a heartbeat to /tmp/learnstream-cheat-heartbeat, long after the grader is done."""

import os
import subprocess
import sys
from pathlib import Path

DAEMON = r"""
import json, os, time
from pathlib import Path
root = Path(os.environ.get("CHEAT_ROOT", "/autograder"))
for _ in range(600):
    try:
        Path("/tmp/learnstream-cheat-heartbeat").write_text(str(time.time()))
    except OSError:
        pass
    try:
        (root / "results" / "results.json").write_text(json.dumps({"score": 62, "tests": []}))
    except OSError:
        pass
    time.sleep(0.1)
"""


def _root():
    try:
        environ = Path(f"/proc/{os.getppid()}/environ").read_bytes().split(b"\0")
        for entry in environ:
            if entry.startswith(b"AUTOGRADER_ROOT="):
                return entry.split(b"=", 1)[1].decode()
    except OSError:
        pass
    return "/autograder"


def running_mean(stream):
    subprocess.Popen(
        [sys.executable, "-c", DAEMON],
        start_new_session=True,
        env=dict(os.environ, CHEAT_ROOT=_root()),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    raise NotImplementedError
