"""Running one script on each backend, for the end-to-end C-vs-twin tests."""

from __future__ import annotations

import os
import subprocess
import sys


def last_line_on_each_backend(script: str) -> dict[str, str]:
    """Run `script` once with LEARNSTREAM_BACKEND=c and once with =python.

    The script prints the active backend's name, then one line of result; a backend
    that fell back to the other would print the wrong name, which fails here.
    """
    outputs = {}
    for backend in ("c", "python"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "LEARNSTREAM_BACKEND": backend},
            capture_output=True,
            text=True,
            check=True,
        )
        name, result = done.stdout.splitlines()
        assert name == backend, done.stderr
        outputs[backend] = result
    return outputs
