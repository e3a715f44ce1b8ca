"""Cheat (map): writes the answers a grader expects straight into its answer pipe, then stops."""

import json
import os
import sys

ANSWERS = [
    {"ok": True},
    {"ok": True, "h": 1, "type": "generator", "iterator": True, "flow": False},
    {"items": [2, 4, 6]},
    {"ok": True, "ended": True},
]
try:
    fd = int(sys.argv[2])
    for answer in ANSWERS * 50:
        os.write(fd, (json.dumps(answer) + "\n").encode())
except Exception:
    pass


def double(stream):
    raise NotImplementedError
