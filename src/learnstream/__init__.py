"""learnstream: a course on streaming data, and the small engine it runs on.

>>> import learnstream
>>> learnstream.BACKEND in ("c", "python")
True
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["BACKEND", "__version__"]


def __getattr__(name: str) -> Any:
    """`BACKEND` ("c" or "python") loads the engine's backend, so it is looked up on use."""
    if name == "BACKEND":
        from learnstream.engine.backend import NAME

        return NAME
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
