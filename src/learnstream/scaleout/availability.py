"""Whether Bytewax can run here, and what to do when it cannot."""

from __future__ import annotations

import sys
from importlib import metadata

from learnstream.errors import LearnstreamError

#: The Bytewax release learnstream's API and its scale-out follow.
BYTEWAX_VERSION = "0.21.1"
INSTALL_LINE = 'pip install "learnstream[bytewax]"'


class BytewaxUnavailable(LearnstreamError):
    """Bytewax is not installed, or cannot be on this Python."""


def require_bytewax() -> None:
    """Raise a `BytewaxUnavailable` that says what to do, unless Bytewax 0.21 can be imported.

    >>> require_bytewax()  # Bytewax 0.21.1 is installed in the project's test environment
    """
    if sys.version_info >= (3, 13):
        raise BytewaxUnavailable(
            f"Bytewax {BYTEWAX_VERSION} has no wheels for Python "
            f"{sys.version_info[0]}.{sys.version_info[1]}: it installs on Python 3.8 to "
            "3.12. To run this flow on Bytewax, use a Python 3.12 environment (e.g. "
            f"`python3.12 -m venv .venv`) and `{INSTALL_LINE}` there; without --engine "
            "bytewax the flow runs on learnstream, in one worker"
        )
    try:
        version = metadata.version("bytewax")
    except metadata.PackageNotFoundError:
        raise BytewaxUnavailable(
            f"Bytewax is not installed; install it with: {INSTALL_LINE}"
        ) from None
    if not version.startswith("0.21."):
        raise BytewaxUnavailable(
            f"Bytewax {version} is installed, but learnstream runs flows on Bytewax 0.21 "
            f"(its API is 0.21's); install that one with: {INSTALL_LINE}"
        )
