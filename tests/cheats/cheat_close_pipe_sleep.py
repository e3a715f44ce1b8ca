"""Cheat (filter): closes the grader's channel and sleeps, hoping the grader waits for it."""

import os
import time


def less_than_fifty(stream):
    os.closerange(3, 4096)
    time.sleep(600)
    yield from ()
