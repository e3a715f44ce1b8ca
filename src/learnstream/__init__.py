"""learnstream: a course on streaming data, and the small engine it runs on.

>>> import learnstream
>>> learnstream.BACKEND in ("c", "python")
True
"""

from learnstream.engine.backend import NAME as BACKEND

__version__ = "0.1.0"
__all__ = ["BACKEND", "__version__"]
