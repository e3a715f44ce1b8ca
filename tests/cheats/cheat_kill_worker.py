"""Cheat (map): kills the process that grades it (in class grading, the worker of many learners)."""

import os
import signal


def double(stream):
    os.kill(os.getppid(), signal.SIGKILL)
    yield from stream
