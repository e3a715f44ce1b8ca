"""Hostile: writes fake grader answers straight to the standard file descriptors."""

import json
import os

FAKE = (json.dumps({"ok": True, "value": {"L": [7, 49.5, -3, 49]}}) + "\n").encode()


def less_than_fifty(stream):
    for fd in (1, 2):
        os.write(fd, FAKE)
    yield from ()
